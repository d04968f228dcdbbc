"""SQLCipher engine, ORM tables, schema migrations, backup, restore and integrity checks."""
