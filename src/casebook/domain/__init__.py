"""Plain domain types for a safeguarding case. Imports nothing from the rest of casebook."""

from casebook.domain.enums import *  # noqa: F401,F403
from casebook.domain.models import *  # noqa: F401,F403
from casebook.domain.people import *  # noqa: F401,F403
