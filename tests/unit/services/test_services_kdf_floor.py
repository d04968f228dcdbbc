"""Without the test variable, a new casebook's passphrase slot uses the real Argon2 cost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from casebook.vault import INSECURE_TEST_KDF_ENV, MIN_MEMORY_KIB

CHILD = """
import json, sys
from casebook.services import Casebook
book, _ = Casebook.create(sys.argv[1], school="Oak School", jurisdiction="england",
                          user_name="Alex Morgan", passphrase="violet kettle harbour 42")
params = book.vault.slot_params("1")
book.lock()
print(json.dumps({"memory_kib": params.memory_kib, "time_cost": params.time_cost}))
"""


def test_create_without_the_test_variable_uses_the_real_cost(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != INSECURE_TEST_KDF_ENV}
    data_dir = tmp_path / "cb"
    done = subprocess.run([sys.executable, "-c", CHILD, str(data_dir)], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    reported = json.loads(done.stdout.strip().splitlines()[-1])
    assert reported["memory_kib"] >= MIN_MEMORY_KIB
    assert reported["time_cost"] >= 1

    # The same parameters are what the key file on disk says.
    doc = json.loads((data_dir / "casebook.keys").read_text("utf-8"))
    stored = [slot for slot in doc["slots"] if slot.get("kind") == "passphrase"]
    assert len(stored) == 1
    assert stored[0]["kdf"]["memory_kib"] == reported["memory_kib"] >= MIN_MEMORY_KIB
