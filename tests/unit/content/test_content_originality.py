"""Our guidance text is written in our own words: no run of 8 words copied from the field guidance.

The field-guidance texts are not part of this repository, so the test compares against
``tests/data/field-guidance-shingles.txt``: a hash of every 8-word run in them. To regenerate it
after the guidance changes, run this module as a script with the texts' folder as argument.
When the texts are beside the repository (``../shared/field-guidance``), a test also checks that
the hash file is current.
"""

from __future__ import annotations

import hashlib
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from casebook.domain.enums import Jurisdiction
from casebook.paths import resources_dir

SHINGLE = 8
_REPO = Path(__file__).resolve().parents[3]
_CANDIDATES = [_REPO.parent / "shared" / "field-guidance", _REPO / "shared" / "field-guidance"]
_CONTENT_DIRS = ("profiles", "guidance", "checklists", "templates")  # templates: report wording
_HASHES = _REPO / "tests" / "data" / "field-guidance-shingles.txt"


def _words(text: str) -> list[str]:
    text = text.lower().replace("’", "'").replace("‘", "'")
    return re.findall(r"[a-z0-9]+(?:'[a-z0-9]+)*", text)


def _shingles(text: str) -> dict[str, tuple[str, ...]]:
    """Hash -> 8-word run, for every run in ``text``."""
    words = _words(text)
    runs = (tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))
    return {hashlib.sha256(" ".join(r).encode()).hexdigest()[:16]: r for r in runs}


def _hashes_of(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in sorted(folder.glob("*.txt")):
        found |= set(_shingles(path.read_text(encoding="utf-8")))
    return found


@pytest.fixture(scope="module")
def guidance_shingles() -> set[str]:
    lines = _HASHES.read_text(encoding="utf-8").splitlines()
    hashes = {line for line in lines if line and not line.startswith("#")}
    assert len(hashes) > 500  # both texts are in it
    return hashes


def test_hash_file_matches_the_field_guidance_when_it_is_beside_the_repository(
    guidance_shingles,
) -> None:
    folders = [c for c in _CANDIDATES if any(c.glob("*.txt"))]
    for folder in folders:  # CI clones may not have the shared folder; then the file stands
        assert _hashes_of(folder) == guidance_shingles


def _raw_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _raw_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _raw_strings(item)


def _resource_texts() -> Iterator[tuple[str, str]]:
    for folder in _CONTENT_DIRS:
        for path in sorted((resources_dir() / folder).glob("*.toml")):
            raw = path.read_text(encoding="utf-8")
            yield f"{folder}/{path.name} (comments)", raw
            for text in _raw_strings(tomllib.loads(raw)):
                yield f"{folder}/{path.name}", text


def test_the_check_itself_catches_a_copied_passage() -> None:
    source = ("Staff should keep a calm record of every concern that is raised with them, "
              "including the date and the name of the person who raised it.")
    known = set(_shingles(source))
    copied = " ".join(_words(source)[3:15])
    assert set(_shingles(f"Our own lead-in, then: {copied}.")) & known
    assert not set(_shingles("A different sentence written entirely in other words here.")) & known


def test_no_resource_text_copies_eight_words_from_the_field_guidance(
    guidance_shingles, texts_for
) -> None:
    texts = list(_resource_texts())
    for jurisdiction in Jurisdiction:  # as shown, with each nation's wording filled in
        texts += [(f"{jurisdiction.value}: {where}", text) for where, text in texts_for(jurisdiction)]
    copied = []
    for where, text in texts:
        for digest, run in _shingles(text).items():
            if digest in guidance_shingles:
                copied.append(f"{where}: “{' '.join(run)}”")
    assert copied == [], "\n".join(sorted(set(copied)))


if __name__ == "__main__":  # regenerate the hash file: python this.py ../shared/field-guidance
    digests = sorted(_hashes_of(Path(sys.argv[1])))
    header = _HASHES.read_text(encoding="utf-8").splitlines()[:3]
    _HASHES.write_text("\n".join(header + digests) + "\n", encoding="utf-8")
