"""The one way dates and times are displayed (en-GB "5 Oct 2026"; US "Oct 5, 2026").

The month is a word, so 5/10 and 10/5 can never be confused on either side of the Atlantic.
"""

from __future__ import annotations

from datetime import date, datetime


def fmt_date(value: date | datetime | None, us: bool = False, empty: str = "") -> str:
    if value is None:
        return empty
    if isinstance(value, datetime):
        value = value.date()
    return f"{value:%b} {value.day}, {value.year}" if us else f"{value.day} {value:%b} {value.year}"


def fmt_datetime(value: datetime | None, us: bool = False, empty: str = "") -> str:
    """Date and time; a time of exactly midnight is taken to mean "date only"."""
    if value is None:
        return empty
    if value.hour == 0 and value.minute == 0 and value.second == 0:
        return fmt_date(value.date(), us)
    if us:
        hour = value.hour % 12 or 12
        return f"{fmt_date(value.date(), True)} {hour}:{value:%M} {'AM' if value.hour < 12 else 'PM'}"
    return f"{fmt_date(value.date())} {value:%H:%M}"
