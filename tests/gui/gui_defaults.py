"""The passphrase, school and user of the GUI tests' casebooks (``conftest.py`` makes them).

Tests import these from here, not from ``conftest``: with a conftest in ``cases/`` too, which
``conftest`` module a plain import finds depends on the order pytest loaded them.
"""

PASSPHRASE = "violet kettle harbour 42"
USER_NAME = "Jo Tester"
SCHOOL = "Testbridge School"
