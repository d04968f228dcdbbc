"""Key vault: the casebook's data key, wrapped by passphrase, recovery key or OS keyring.

Storage keys SQLCipher with the 32-byte data key this package produces and unwraps; nothing
here touches the database.
"""

from casebook.vault.kdf import (
    INSECURE_TEST_KDF_ENV,
    MIN_MEMORY_KIB,
    KdfParams,
    calibrate,
    default_params,
)
from casebook.vault.keyvault import (
    DATA_KEY_LEN,
    KEYRING_SERVICE,
    KeyVault,
    key_file_for,
    new_data_key,
    wipe,
)
from casebook.vault.recovery import format_recovery_key, parse_recovery_key
from casebook.vault.strength import check_passphrase, normalise, passphrase_strength

__all__ = [
    "DATA_KEY_LEN",
    "INSECURE_TEST_KDF_ENV",
    "KEYRING_SERVICE",
    "MIN_MEMORY_KIB",
    "KdfParams",
    "KeyVault",
    "calibrate",
    "check_passphrase",
    "default_params",
    "format_recovery_key",
    "key_file_for",
    "new_data_key",
    "normalise",
    "parse_recovery_key",
    "passphrase_strength",
    "wipe",
]
