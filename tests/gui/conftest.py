"""GUI test fixtures: real widgets, real encrypted casebooks in tmp folders, a cheap KDF.

Every test gets its own QSettings folder and its own in-memory keyring, so nothing touches the
developer's real settings or OS keyring; message boxes are answered through ``prompts``.
"""

from __future__ import annotations

import gc
import os

os.environ["CASEBOOK_INSECURE_TEST_KDF"] = "1"  # before the vault is imported anywhere

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import keyring  # noqa: E402
import pytest  # noqa: E402
from gui_defaults import PASSPHRASE, SCHOOL, USER_NAME  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402
from keyring.compat import properties  # noqa: E402
from keyring.errors import PasswordDeleteError  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from stall_watch import (  # noqa: E402
    TARGET_MS,
    Stall,
    StallWatch,
    TestBodyWatch,
    install,
    limit_ms,
)

from casebook.services import Casebook  # noqa: E402
from casebook.ui import prompts  # noqa: E402
from casebook.ui.worker import DbWorker  # noqa: E402


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps secrets in a dict (the OS keyring is never touched in tests)."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend: never chosen automatically")

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


@pytest.fixture(autouse=True, scope="session")
def _collect_on_the_gui_thread() -> Iterator[None]:
    """As the app does (casebook.ui.kit.collector): no automatic collection, which could start
    on the database thread and finalise Qt objects there."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture(autouse=True)
def _collect_after_each_test() -> Iterator[None]:
    yield
    gc.unfreeze()  # an app's heap frozen by its collector (kit/collector.py) is the test's
    gc.collect()  # on the GUI thread, once the test's windows are closed


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Own QSettings folder, own keyring, prompts in test mode with a clean queue."""
    monkeypatch.setenv("CASEBOOK_INSECURE_TEST_KDF", "1")
    settings_dir = tmp_path / "qsettings"
    settings_dir.mkdir()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings_dir))
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    prompts.set_testing(True)
    prompts.answers.clear()
    prompts.shown.clear()
    try:
        yield backend
    finally:
        prompts.answers.clear()
        keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(_isolated: MemoryKeyring) -> MemoryKeyring:
    return _isolated


@pytest.fixture
def casebook_dir(tmp_path: Path) -> Path:
    return tmp_path / "casebook"


@pytest.fixture
def unlocked_casebook(casebook_dir: Path) -> Iterator[Casebook]:
    casebook, _recovery = Casebook.create(casebook_dir, school=SCHOOL, jurisdiction="england",
                                          user_name=USER_NAME, passphrase=PASSPHRASE)
    try:
        yield casebook
    finally:
        casebook.lock()


@pytest.fixture
def worker() -> Iterator[DbWorker]:
    db_worker = DbWorker()
    try:
        yield db_worker
    finally:
        db_worker.stop()


@pytest.fixture
def main_window(qtbot, worker: DbWorker, unlocked_casebook: Casebook):  # type: ignore[no-untyped-def]
    """The main window, shown, on an unlocked casebook, with its case list loaded."""
    from casebook.ui.main_window import MainWindow

    window = MainWindow(worker, unlocked_casebook.paths, unlocked_casebook)
    qtbot.addWidget(window)
    window.show()
    # Loaded: the list's first page and the session details (school, idle minutes).
    qtbot.waitUntil(lambda: window.case_list is not None
                    and not window.case_list.model.loading and bool(window.school_name)
                    and "learners" in window.fixed_views)  # the last screen built
    yield window
    window.close()


#: Every watched block of the session (label, wall-clock ms, GUI-thread CPU ms), for the
#: summary at the end.
_ALL_STALLS: list[tuple[str, float, float]] = []


install()  # pytest-qt's waits and input tell a watched test body when to count stalls


@pytest.fixture
def stalls(qtbot, request: pytest.FixtureRequest) -> Iterator[StallWatch]:  # type: ignore[no-untyped-def]
    """``with stalls.watch("what the user did"):`` measures GUI event-loop stalls in the block;
    the test fails if one is over ``CASEBOOK_STALL_LIMIT_MS`` (see stall_watch.py)."""
    watch = StallWatch()
    yield watch
    _ALL_STALLS.extend((f"{request.node.nodeid}: {s.label}", s.ms, s.cpu_ms) for s in watch.stalls)
    worst = watch.over(limit_ms())
    assert not worst, "the GUI froze: " + "; ".join(_describe(s) for s in worst)


def _describe(stall: Stall) -> str:
    return (f"{stall.label}: the GUI thread worked {stall.cpu_ms:.0f} ms without returning to "
            f"the event loop ({stall.ms:.0f} ms by the clock)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "watch_stalls: fail the test if the GUI thread stalls in its waits and "
                   "input (tests/gui/stall_watch.py)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """The test body of a ``watch_stalls`` test, watched (fixtures are not)."""
    from PySide6.QtWidgets import QApplication

    if item.get_closest_marker("watch_stalls") is None or QApplication.instance() is None:
        return (yield)
    with TestBodyWatch("the test's waits and input") as watch:
        result = yield
    stall = watch.stall
    _ALL_STALLS.append((f"{item.nodeid}: {stall.label}", stall.ms, stall.cpu_ms))
    if stall.cpu_ms > limit_ms():
        pytest.fail("the GUI froze: " + _describe(stall), pytrace=False)
    return result


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if not _ALL_STALLS:
        return
    over = sorted((s for s in _ALL_STALLS if max(s[1], s[2]) > TARGET_MS), key=lambda s: -s[2])
    terminalreporter.write_line(
        f"GUI event-loop stalls: {len(_ALL_STALLS)} watched, {len(over)} over {TARGET_MS:g} ms "
        f"(fail over {limit_ms():g} ms of GUI-thread CPU time)")
    for label, ms, cpu_ms in over[:15]:
        terminalreporter.write_line(f"  {cpu_ms:6.0f} ms CPU {ms:6.0f} ms clock  {label}")
    terminalreporter.write_line("The worst watched stall of each test file (GUI-thread CPU):")
    worst: dict[str, tuple[float, float, str]] = {}
    for label, ms, cpu_ms in _ALL_STALLS:
        module = label.split("::", 1)[0]
        if module not in worst or cpu_ms > worst[module][0]:
            worst[module] = (cpu_ms, ms, label.split("::", 1)[-1])
    for module, (cpu_ms, ms, label) in sorted(worst.items(), key=lambda item: -item[1][0]):
        terminalreporter.write_line(f"  {cpu_ms:6.0f} ms CPU {ms:6.0f} ms clock  {module}  ({label})")
