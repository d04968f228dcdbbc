"""Frozen entry point of the windowed app (``casebook``)."""

import sys

from casebook.__main__ import main

sys.exit(main())
