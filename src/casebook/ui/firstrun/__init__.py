"""First run: set up a new casebook (school, passphrase, recovery key, keyring, backups)."""
