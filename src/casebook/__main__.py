"""``casebook`` / ``python -m casebook``: start the desktop app.

The first window (unlock or first-run) is on screen before SQLAlchemy, the vault and the case
screens are imported; those load on the worker thread while the user types.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path

NO_DISPLAY_MESSAGE = """\
Casebook needs a screen to show its window, and no display was found
(neither DISPLAY nor WAYLAND_DISPLAY is set).

  - For admin tasks without a screen (backup, verify, export), use: {admin} --help
  - To run the app without a screen, for example in tests or to take screenshots:
        QT_QPA_PLATFORM=offscreen {app}
    or  xvfb-run {app}
  - On a Linux desktop, Qt also needs a few system libraries; README.md lists them.
"""


def program_path(name: str) -> str:
    """How to start ``name`` from here: the bundle's own folder, or the virtualenv's ``bin``.

    Neither is usually on PATH, so the messages name the real file (``.venv/bin/casebook``
    from a source checkout).
    """
    if getattr(sys, "frozen", False):
        folder = Path(sys.executable).parent
    else:
        folder = Path(sys.prefix) / ("Scripts" if sys.platform == "win32" else "bin")
    path = folder / name
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def no_display_message() -> str:
    return NO_DISPLAY_MESSAGE.format(app=program_path("casebook"),
                                     admin=program_path("casebook-admin"))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="casebook",
        description="Casebook: an offline, encrypted safeguarding casebook.")
    parser.add_argument("--data-dir", metavar="FOLDER", type=Path, default=None,
                        help="the folder that holds the casebook (default: your user data "
                             "folder, or $CASEBOOK_DATA_DIR)")
    parser.add_argument("--demo", action="store_true",
                        help="open a throwaway DEMO casebook full of made-up cases, to look "
                             "around; it is deleted when Casebook closes")
    parser.add_argument("--version", action="store_true", help="print the version and stop")
    parser.add_argument("--self-check", action="store_true",
                        help="for IT staff: check that the shipped data, the schema scripts and "
                             "the keyring can be found, print what was found, and stop")
    # Test hook for packaged builds: show the first window (with --demo: open the demo
    # casebook), let queued work finish, then quit with code 0.
    parser.add_argument("--quit-after-start", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def has_display(environ: Mapping[str, str] | None = None,
                platform: str | None = None) -> bool:
    """False only on Linux/BSD with no X11/Wayland display and no Qt platform chosen."""
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return True
    return bool(env.get("QT_QPA_PLATFORM") or env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def setup_logging(*, open_file: bool = True) -> None:
    """Log ids and events (never names or case text) to a rotating file in the log folder.

    ``open_file=False`` (the desktop app) holds the first records until the first window is
    painted, then writes them (see :mod:`casebook.logfile`)."""
    from casebook.logfile import start_logging

    start_logging(open_file=open_file)


def _install_excepthook() -> None:
    """An unexpected error shows a calm message; only its type and stack go to the log."""
    def hook(exc_type: type[BaseException], exc: BaseException, tb: object) -> None:
        from casebook.ui import prompts
        from casebook.ui.kit import user_message

        exc.__traceback__ = tb  # type: ignore[assignment]
        message = user_message(exc, "running")
        try:
            prompts.error(None, "Casebook", message)
        except Exception:
            print(message, file=sys.stderr)

    sys.excepthook = hook


def _console_for_windowed_exe() -> None:  # pragma: no cover - Windows only
    """The windowed casebook.exe has no stdout: borrow the console it was started from."""
    if sys.platform != "win32" or sys.stdout is not None:
        return
    try:
        import ctypes

        if ctypes.windll.kernel32.AttachConsole(-1):  # type: ignore[attr-defined]
            sys.stdout = open("CONOUT$", "w", encoding="utf-8")  # noqa: SIM115
    except Exception:  # no console to borrow: the exit code still tells
        pass


def self_check() -> int:
    """Print where the shipped parts were found; exit 1 if one is missing. No window, no Qt."""
    from casebook import __version__

    _console_for_windowed_exe()
    from casebook.paths import resources_dir

    problems = []
    print(f"Casebook {__version__}{' (packaged)' if getattr(sys, 'frozen', False) else ''}")
    resources = resources_dir()
    count = sum(1 for p in resources.rglob("*") if p.is_file()) if resources.is_dir() else 0
    print(f"shipped data: {count} files")
    if not (resources / "profiles").is_dir() or not (resources / "templates").is_dir():
        problems.append("the shipped data (profiles, templates) is missing")
    try:
        from casebook.storage.migrate import head_revision

        print(f"schema scripts: newest is {head_revision()}")
    except Exception as exc:  # any failure here means the install is broken
        problems.append(f"the schema scripts cannot be read ({type(exc).__name__})")
    try:
        import importlib.metadata

        import keyring

        # keyring finds its backends through entry points: none listed means a broken install.
        found = sorted(e.name for e in importlib.metadata.entry_points(group="keyring.backends"))
        print(f"keyring backends installed: {', '.join(found) or 'none'}")
        backend = keyring.get_keyring()
        print(f"keyring in use: {type(backend).__module__}.{type(backend).__name__}"
              " (fail.Keyring means this session has no keyring service; Casebook then asks "
              "for the passphrase every time)")
        if not found:
            problems.append("no keyring backends are installed")
    except Exception as exc:
        problems.append(f"the keyring cannot be used ({type(exc).__name__})")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.version:
        from casebook import __version__

        print(f"Casebook {__version__}")
        return 0
    if args.self_check:
        return self_check()
    if not has_display():
        print(no_display_message(), file=sys.stderr, end="")
        return 2
    setup_logging(open_file=False)  # opened once the first window is painted
    log = logging.getLogger("casebook")

    _install_excepthook()
    from casebook.ui.app import run_app  # Qt is imported only below casebook.ui

    code = run_app(args.data_dir, demo=args.demo, quit_after_start=args.quit_after_start)
    log.debug("casebook closed with code %s", code)
    return code

if __name__ == "__main__":
    sys.exit(main())
