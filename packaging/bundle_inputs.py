"""What goes into the frozen bundle, kept out of the spec so tests can check it.

``packaging/casebook.spec`` asks this module for its data files, hidden imports, excluded
modules and version details; ``tests/unit/test_packaging_inputs.py`` imports it (no
PyInstaller needed) and checks that every migration and every resource file on disk is listed.
A new migration or template therefore cannot be left out of the bundle unnoticed.

Migrations ship as ``.py`` files on disk (not compiled into the archive): alembic reads its
``versions/`` folder from ``casebook.migrations.__file__`` and loads each file itself.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: Where the two mapped packages live inside the bundle (beside the ``casebook`` package, under
#: PyInstaller's ``_internal`` folder, which is ``sys._MEIPASS`` at run time).
MIGRATIONS_DEST = "casebook/migrations"
RESOURCES_DEST = "casebook/resources"

#: Modules nothing in Casebook imports, left out of the analysis (and so their Qt libraries).
EXCLUDED_MODULES = [
    "tkinter",
    "PySide6.QtNetwork",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtDBus",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtXml",
    "PySide6.QtConcurrent",
    "PySide6.QtDesigner",
    "PySide6.QtUiTools",
    "PySide6.QtHelp",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtSvgWidgets",
    # Only concurrent.futures' process pool imports it, and nothing in Casebook or its
    # libraries starts processes; with it in the bundle PyInstaller adds a run-time hook
    # that imports it before every start (about 7 ms of the packaged app's cold start).
    "multiprocessing",
]

#: Parts of the collected Qt tree nothing uses: translations (Casebook's text is its own),
#: and plugins that serve only the excluded modules (network, QML, SQL drivers, ...).
UNUSED_QT_PARTS = (
    "/translations/",
    "/plugins/tls/",
    "/plugins/networkinformation/",
    "/plugins/qmltooling/",
    "/plugins/sqldrivers/",
    "/plugins/generic/",
    "/plugins/position/",
    "/plugins/multimedia/",
    "/plugins/egldeviceintegrations/",
    "/plugins/platforms/libqeglfs",
    "/plugins/platforms/libqlinuxfb",
    "/plugins/platforms/libqminimalegl",
    "/plugins/platforms/libqvnc",
    "/plugins/platforms/libqvkkhrdisplay",
    "/plugins/platforms/qdirect2d",
    # Qt's GTK theme plugin: it alone drags in the GTK, cairo, pango and atk libraries.
    "/plugins/platformthemes/libqgtk3",
    "/plugins/imageformats/libqpdf",
    "/plugins/virtualkeyboard/",
    "/plugins/platforminputcontexts/libqtvirtualkeyboard",
)

#: Unused Qt libraries that plugins or other libraries still drag in by name.
UNUSED_QT_LIBRARIES = ("Qt6Network", "Qt6Qml", "Qt6Quick", "Qt6Pdf", "Qt6VirtualKeyboard",
                       "Qt6EglFSDeviceIntegration", "Qt6EglFsKmsSupport",
                       "Qt6EglFsKmsGbmSupport")

#: System libraries (Linux) that only the dropped GTK theme plugin needs.
GTK_ONLY_LIBRARIES = ("libgtk-3.", "libgdk-3.", "libatk-1.0.", "libatk-bridge-2.0.",
                      "libatspi.", "libcairo.", "libcairo-gobject.", "libpango-1.0.",
                      "libpangocairo-1.0.", "libpangoft2-1.0.", "libgdk_pixbuf-2.0.",
                      "libepoxy.", "libfribidi.", "libthai.", "libdatrie.", "libpixman-1.",
                      "libXcomposite.", "libXcursor.", "libXdamage.", "libXi.",
                      "libXinerama.", "libXrandr.")

#: Imported by name at run time (migration files, keyring's entry-point backends).
HIDDEN_IMPORTS = [
    "sqlcipher3",
    "argon2",
    "alembic",
    "alembic.op",
    "alembic.context",
    "alembic.runtime.migration",
    "alembic.operations.toimpl",
    "alembic.ddl.sqlite",
    "sqlalchemy.dialects.sqlite",
    "casebook.storage.tables",
    "casebook.storage.tables_prevention",
    "keyring.backends.SecretService",
    "keyring.backends.Windows",
    "keyring.backends.macOS",
    "keyring.backends.kwallet",
    "keyring.backends.chainer",
    "keyring.backends.fail",
    "keyring.backends.null",
    "keyring.backends.libsecret",
]

#: Distributions whose metadata must ship: keyring finds its backends through entry points,
#: (PyInstaller's keyring hook copies it too; listed so the spec does not depend on that).
METADATA_DISTRIBUTIONS = ["keyring"]


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def migration_datas(repo: Path = REPO) -> list[tuple[str, str]]:
    """Every migration file (``.py`` and alembic's ``script.py.mako``) as (source, folder)."""
    root = repo / "migrations"
    return [(str(path), f"{MIGRATIONS_DEST}/{path.parent.relative_to(root).as_posix()}"
             .rstrip("/.")) for path in _files(root)
            if path.suffix in (".py", ".mako")]


def resource_datas(repo: Path = REPO) -> list[tuple[str, str]]:
    """Every file under ``resources/`` (profiles, guidance, checklists, templates, fonts)."""
    root = repo / "resources"
    return [(str(path), f"{RESOURCES_DEST}/{path.parent.relative_to(root).as_posix()}"
             .rstrip("/.")) for path in _files(root)]


def project_version(repo: Path = REPO) -> str:
    with (repo / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """``0.1.0`` -> ``(0, 1, 0, 0)`` for the Windows file version (leading digits of each
    part: ``2.0.0rc1`` -> ``(2, 0, 0, 0)``)."""
    numbers = []
    for part in version.split(".")[:4]:
        digits = re.match(r"\d*", part).group()  # type: ignore[union-attr]
        numbers.append(int(digits) if digits else 0)
    return tuple((numbers + [0, 0, 0, 0])[:4])  # type: ignore[return-value]


def windows_version_info(version: str, file_description: str, internal_name: str) -> str:
    """PyInstaller's version-resource file (a ``VSVersionInfo`` expression) for one exe."""
    numbers = version_tuple(version)
    dotted = ".".join(str(n) for n in numbers)
    strings = {
        "CompanyName": "Casebook",
        "FileDescription": file_description,
        "FileVersion": dotted,
        "InternalName": internal_name,
        "LegalCopyright": "Casebook contributors",
        "OriginalFilename": f"{internal_name}.exe",
        "ProductName": "Casebook",
        "ProductVersion": version,
    }
    entries = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0,
                    OS=0x40004, fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('080904B0', [
          {entries}])]),
    VarFileInfo([VarStruct('Translation', [2057, 1200])])
  ]
)
"""


def is_unused_qt(dest: str) -> bool:
    """True for a collected file (its destination in the bundle) that nothing in Casebook uses."""
    dest = "/" + dest.replace("\\", "/")
    name = dest.rsplit("/", 1)[-1]
    if dest.count("/") == 1 and name.startswith(GTK_ONLY_LIBRARIES):
        return True
    if "/PySide6/" not in dest and "Qt6" not in name:
        return False
    if any(part in dest for part in UNUSED_QT_PARTS):
        return True
    return any(name.startswith((f"lib{lib}.", f"{lib}.")) for lib in UNUSED_QT_LIBRARIES)
