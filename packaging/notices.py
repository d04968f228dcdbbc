"""Build THIRD-PARTY-NOTICES.txt from the licence files of the distributions being bundled.

Walks Casebook's runtime requirements (and theirs) as installed in the build environment and
copies each distribution's ``License-File`` entries (PEP 639) or the licence files it lists.
Some libraries are linked into wheels without licence files of their own (Qt inside PySide6,
SQLCipher and OpenSSL inside sqlcipher3); their texts are kept in ``packaging/licenses/``.

Run on its own to look at the result: ``python packaging/notices.py > notices.txt``.
"""

from __future__ import annotations

import importlib.metadata as md
import re
import sys
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

NOTICES_NAME = "THIRD-PARTY-NOTICES.txt"
LICENSES = Path(__file__).resolve().parent / "licenses"
_LICENCE_NAME = re.compile(r"(^|/)(LICEN[CS]E|COPYING|NOTICE|COPYRIGHT)[^/]*$", re.IGNORECASE)
RULE = "=" * 78

HEADER = f"""\
Casebook: third-party notices
{RULE}

Casebook is built with the open-source libraries below. Each is listed with its version, its
licence as its authors declare it, and the licence texts shipped with it.

Qt and PySide6 (LGPL-3.0)
-------------------------
Casebook uses Qt 6 through PySide6 under the GNU Lesser General Public License version 3
(full text at the end of this file, with the GNU GPL version 3 it builds on). Qt's libraries
are not changed and are linked dynamically: they are the separate Qt6*.dll / libQt6*.so* /
Qt*.framework files inside the install folder (under _internal/PySide6/). You may replace them
with your own build of the same Qt version by copying your files over them; Casebook loads
whatever is in that folder. The source of Qt is at https://download.qt.io/ and of PySide6 at
https://code.qt.io/cgit/pyside/pyside-setup.git/ ; on request we will tell you the exact
versions used for a given release.

python-bidi (LGPL-3.0)
----------------------
Casebook puts right-to-left text (Hebrew, Arabic) in reading order in its PDFs with python-bidi,
under the GNU Lesser General Public License version 3 (text at the end of this file). It is
used unchanged, as the separate package folder bidi/ inside the install folder (under
_internal/), which you may replace with your own build of the same version. Its source is at
https://github.com/MeirKriheli/python-bidi .

Linked into other libraries
---------------------------
- SQLCipher (BSD-style licence, text below) and SQLite (public domain) are built into the
  sqlcipher3 module, together with OpenSSL's libcrypto (Apache License 2.0, text below).
- cryptography's Rust extension contains OpenSSL (Apache License 2.0).
- pikepdf contains qpdf (Apache License 2.0) and the libraries listed in its own notices
  (OpenSSL, zlib, libjpeg-turbo), all reproduced below.
- reportlab (BSD licence) and its bundled fonts' licences are reproduced below.

"""


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions(root: str = "casebook") -> list[md.Distribution]:
    """``root`` and everything it needs at run time on this platform (extras left out)."""
    env = default_environment()
    seen: dict[str, md.Distribution] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        if _key(name) in seen:
            continue
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        seen[_key(name)] = dist
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({**env, "extra": ""}):
                todo.append(req.name)
    seen.pop(_key(root), None)
    return sorted(seen.values(), key=lambda d: _key(d.metadata["Name"]))


def licence_files(dist: md.Distribution) -> list[tuple[str, str]]:
    """(relative name, text) of each licence file a distribution ships."""
    found: list[tuple[str, str]] = []
    declared = dist.metadata.get_all("License-File") or []
    names = {str(f) for f in dist.files or []}
    candidates = [n for n in names if any(n.endswith(f"/licenses/{d}") for d in declared)]
    candidates += [n for n in names if _LICENCE_NAME.search(n) and not n.endswith((".py", ".pyc"))
                   and n not in candidates]
    for name in sorted(candidates):
        path = dist.locate_file(name)
        try:
            text = Path(str(path)).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found.append((name, text.strip()))
    return found


def declared_licence(dist: md.Distribution) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return expression
    classifiers = [c.rsplit(" :: ", 1)[-1] for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::")]
    if classifiers:
        return ", ".join(classifiers)
    first = (meta.get("License") or "").strip().splitlines()
    return first[0][:80] if first else "see the licence text below"


def _python_licence() -> str:
    """The interpreter's own licence (it ships inside the bundle too)."""
    base = Path(sys.base_prefix)
    for path in (base / "LICENSE.txt",
                 base / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
                 / "LICENSE.txt"):
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace").strip()
    return ""


def build_notices() -> str:
    parts = [HEADER]
    for dist in runtime_distributions():
        name = dist.metadata["Name"]
        parts.append(f"{RULE}\n{name} {dist.version}\nLicence: {declared_licence(dist)}\n{RULE}\n")
        files = licence_files(dist)
        if not files:
            parts.append("(This distribution ships no licence file; its licence is named above"
                         " and its full text is at the end of this file.)\n")
        for fname, text in files:
            parts.append(f"--- {fname} ---\n{text}\n")
    python_licence = _python_licence()
    if python_licence:
        parts.append(f"{RULE}\nPython {sys.version.split()[0]}\nLicence: PSF-2.0\n{RULE}\n"
                     f"{python_licence}\n")
    for title, fname in (("SQLCipher", "SQLCipher.txt"),
                         ("OpenSSL 3 (Apache License 2.0)", "Apache-2.0.txt"),
                         ("GNU Lesser General Public License v3 (Qt, PySide6, shiboken6)",
                          "LGPL-3.0.txt"),
                         ("GNU General Public License v3 (which the LGPL v3 builds on)",
                          "GPL-3.0.txt")):
        text = (LICENSES / fname).read_text(encoding="utf-8").strip()
        parts.append(f"{RULE}\n{title}\n{RULE}\n{text}\n")
    return "\n".join(parts)


if __name__ == "__main__":
    sys.stdout.write(build_notices())
