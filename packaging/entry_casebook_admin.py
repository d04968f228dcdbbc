"""Frozen entry point of the console tool (``casebook-admin``)."""

import sys

from casebook.cli import main

sys.exit(main())
