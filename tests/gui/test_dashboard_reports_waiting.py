"""Issue 11 item 10: the dashboard's "Reports waiting for an answer" counts platform reports
only — a waiting LADO referral or helpline escalation is not counted — so the number matches
the list it opens in "Reports to platforms"."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt

from casebook.services import Casebook
from casebook.ui.main_window import MainWindow

WAIT = 15_000


def test_reports_waiting_counts_platform_reports_and_matches_the_list_it_opens(
        qtbot, main_window: MainWindow, unlocked_casebook: Casebook) -> None:
    book = unlocked_casebook
    case = book.cases.create("Fake staff account", "staff-allegation")
    made = datetime.now() - timedelta(hours=5)
    waiting = book.tracker.add(case.id, body="platform", recipient="Instagram", made_at=made)
    removed = book.tracker.add(case.id, body="platform", recipient="TikTok", made_at=made)
    book.tracker.update(removed.id, status="removed")
    for body, recipient in (("lado", "LADO"), ("local-authority", "Children's services"),
                            ("helpline", "Professionals Online Safety Helpline (POSH)")):
        assert book.tracker.add(case.id, body=body, recipient=recipient,
                                made_at=made).status == "waiting"

    dashboard = main_window.fixed_views["dashboard"]
    main_window.show_screen("dashboard")
    with qtbot.waitSignal(dashboard.loaded, timeout=WAIT):
        dashboard.refresh()
    tile = dashboard.tile("reports-waiting")
    assert tile.value_text == "1"

    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    tracker = main_window.fixed_views["tracker"]
    # The ids behind the number are read on the worker, then the list opens.
    qtbot.waitUntil(lambda: main_window.tabs.currentWidget() is tracker, timeout=WAIT)
    qtbot.waitUntil(lambda: getattr(tracker, "bundle", None) is not None, timeout=WAIT)
    listed = [tracker.reports_table.item(row, 0).data(Qt.ItemDataRole.UserRole)
              for row in range(tracker.reports_table.rowCount())]
    assert sorted(listed) == sorted([waiting.id, removed.id])
    waiting_rows = [row for row in range(tracker.reports_table.rowCount())
                    if tracker.reports_table.item(row, 5).text().startswith("Waiting")]
    assert len(waiting_rows) == 1  # the one the dashboard counted
