"""Re-export of the user-facing errors (they live in the domain so it stays self-contained)."""

from casebook.domain.errors import *  # noqa: F401,F403
from casebook.domain.errors import CasebookError  # noqa: F401
