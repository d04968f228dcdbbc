"""README's list of Debian/Ubuntu packages for Qt is complete and is what .ci/run installs:
every X11/Wayland/GL library Qt's xcb and wayland plugins load comes from a listed package."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import PySide6

ROOT = Path(__file__).resolve().parents[2]
QT = Path(PySide6.__file__).parent / "Qt"
#: The system libraries a desktop session provides to Qt (the rest is Qt's or libc's own).
DESKTOP_LIBS = re.compile(r"^lib(xcb|xkb|X11|wayland|EGL|GL\.|fontconfig|freetype|dbus|glib)")


def _apt_list(text: str) -> set[str]:
    joined = text.replace("\\\n", " ")
    found: set[str] = set()
    for line in joined.splitlines():
        if "apt-get install" in line:
            found |= {w for w in line.split() if re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", w)
                      and w not in ("sudo", "apt-get", "install", "SUDO")}
    return found


def _readme_list() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Linux desktop", 1)[1].split("\n## ", 1)[0]
    return _apt_list(section)


def test_ci_installs_the_readme_list() -> None:
    listed = _readme_list()
    assert {"libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0"} <= listed
    ci = _apt_list((ROOT / ".ci" / "run").read_text(encoding="utf-8"))
    assert listed <= ci, listed - ci
    assert {"wixl", "msitools"} <= ci


def test_every_library_qt_loads_for_a_desktop_is_in_the_list() -> None:
    plugins = [QT / "plugins" / "platforms" / "libqxcb.so",
               QT / "plugins" / "platforms" / "libqwayland.so"]
    needed: dict[str, str] = {}
    for plugin in plugins:
        out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True,
                             env={"LD_LIBRARY_PATH": str(QT / "lib")}).stdout
        for line in out.splitlines():
            match = re.match(r"\s*(\S+) => (\S+)", line)
            if match and DESKTOP_LIBS.match(match.group(1)):
                assert match.group(2) != "not", f"{match.group(1)} is missing on this machine"
                needed[match.group(1)] = match.group(2)
    assert "libxcb-icccm.so.4" in needed and "libxcb-cursor.so.0" in needed
    listed = _readme_list()
    # One dpkg call for all of them, by file name (works whether /lib is merged into /usr/lib).
    out = subprocess.run(["dpkg", "-S", *(f"*/{name}" for name in needed)], capture_output=True,
                         text=True, check=False).stdout
    owners: dict[str, set[str]] = {}
    for line in out.splitlines():
        package, _, path = line.partition(": ")
        owners.setdefault(Path(path.strip()).name, set()).update(
            p.split(":")[0].strip() for p in package.split(","))
    for name in needed:
        assert owners.get(name), f"no Debian package owns {name}"
        assert owners[name] & listed, f"{name} comes from {owners[name]}, not in README's list"
