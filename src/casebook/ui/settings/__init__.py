"""The settings dialog (idle lock, backups, people and passphrases, recovery key, keyring)."""
