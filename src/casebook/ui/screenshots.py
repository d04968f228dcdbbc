"""Write PNGs of every main screen, using throwaway casebooks (``make screenshots``).

    QT_QPA_PLATFORM=offscreen python -m casebook.ui.screenshots docs/screenshots

Everything happens in a temporary folder that is removed afterwards: a first-run casebook (for
the set-up pages), the demo casebook (for the main window, settings and the case screens) and a
deliberately damaged copy (for the "damaged file" message). Window settings go to the temporary
folder too, so the user's own are not touched.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: A 1366×768 laptop screen (issue 11: every screen must be usable at this size).
WIDTH, HEIGHT = 1366, 768


def _wait(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("a screen did not finish loading")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def _settle(worker: Any) -> None:
    from PySide6.QtCore import QCoreApplication

    _wait(lambda: worker.pending == 0)
    for _ in range(10):
        QCoreApplication.processEvents()


def _run(worker: Any, job: Callable[[], Any]) -> Any:
    """Run a job on the worker and wait for its result (raising its error)."""
    box: dict[str, Any] = {}
    worker.submit(job, lambda r: box.setdefault("result", r), lambda e: box.setdefault("error", e))
    _wait(lambda: "result" in box or "error" in box)
    if "error" in box:
        raise box["error"]
    return box["result"]


class Shooter:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.written: list[Path] = []

    def __call__(self, widget: Any, name: str) -> None:
        from PySide6.QtCore import QCoreApplication

        for _ in range(10):
            QCoreApplication.processEvents()
        path = self.out / f"{name}.png"
        widget.grab().save(str(path))
        self.written.append(path)
        print(f"  {path}")


def _usual_location(unlock: Any) -> None:
    """Show the unlock screen's file as a DSL's would be, not the throwaway folder's path."""
    from casebook.paths import CasebookPaths, default_data_dir
    from casebook.ui.about import shown_path

    unlock.where_label.setText(
        f"Casebook file: {shown_path(CasebookPaths(default_data_dir()).database)}")


def _first_run(worker: Any, root: Path, shoot: Shooter) -> None:
    from PySide6.QtWidgets import QWizard

    from casebook.paths import CasebookPaths
    from casebook.ui.firstrun.wizard import PAGE_RECOVERY, FirstRunWizard

    wizard = FirstRunWizard(worker, CasebookPaths.at(root))
    wizard.resize(760, 600)
    wizard.show()
    wizard.school_page.school_edit.setText("Oakfield Academy")
    shoot(wizard, "firstrun-1-school")
    wizard.next()
    wizard.you_page.name_edit.setText("Alex Demo")
    wizard.you_page.fields.passphrase_edit.setText("copper kettle meadow lantern")
    wizard.you_page.fields.confirm_edit.setText("copper kettle meadow lantern")
    shoot(wizard, "firstrun-2-passphrase")
    wizard.button(QWizard.WizardButton.CommitButton).click()
    _wait(lambda: wizard.currentId() == PAGE_RECOVERY)
    shoot(wizard, "firstrun-3-recovery-key")
    wizard.recovery_page.panel.confirm_check.setChecked(True)
    wizard.next()
    shoot(wizard, "firstrun-4-remember")
    wizard.next()
    wizard.backup_page.folder_edit.setText(r"E:\Casebook backups")
    shoot(wizard, "firstrun-5-backups")
    wizard.abandon()
    wizard.hide()
    wizard.deleteLater()
    _settle(worker)


def _main_screens(worker: Any, casebook: Any, shoot: Shooter) -> None:
    from casebook.domain.enums import CaseType
    from casebook.ui.about import AboutDialog
    from casebook.ui.main_window import MainWindow

    window = MainWindow(worker, casebook.paths, casebook)
    window.resize(WIDTH, HEIGHT)
    window.show()
    _wait(lambda: window.case_list is not None and not window.case_list.model.loading
          and bool(window.school_name) and "learners" in window.fixed_views)  # all screens
    _settle(worker)
    shoot(window, "main-window-dashboard")  # the first screen after unlocking
    window.show_case_list()
    _settle(worker)
    panel = window.case_list
    panel.table.setFocus()
    panel.table.selectRow(2)
    shoot(window, "main-window")

    panel.search_edit.setText("instagram")
    panel.apply_filters()
    _wait(lambda: not panel.model.loading)
    _settle(worker)
    shoot(window, "main-window-search")
    panel.clear_filters()
    _wait(lambda: not panel.model.loading)

    window.new_case(CaseType.BAITING)
    dialog = window.new_case_dialog
    dialog.title_edit.setText("Account posting photos of Year 8")
    dialog.summary_edit.setPlainText(
        "A parent emailed a link to an Instagram account that uses the school crest and posts "
        "photos of Year 8 learners taken at the sports day.")
    dialog.risk_combo.setCurrentIndex(dialog.risk_combo.findData("high"))
    _settle(worker)
    shoot(dialog, "new-case")
    dialog.close_for_lock()  # close without keeping the (made-up) draft around
    draft_key = f"user{casebook.user.id}:ui.new-case"
    _run(worker, lambda: casebook.settings.save_draft(draft_key, ""))

    window.show_settings()
    settings = window.settings_dialog
    _wait(lambda: not settings._loading)
    for index, name in enumerate(("general", "backups", "people", "security")):
        settings.tabs.setCurrentIndex(index)
        if name == "people":
            settings.people_table.selectRow(1)
        if name == "backups":
            settings.backup_edit.setText(r"E:\Casebook backups")
        shoot(settings, f"settings-{name}")
    page = settings.transfer_settings
    _wait(lambda: page.loaded)
    settings.tabs.setCurrentWidget(page)
    _settle(worker)
    shoot(settings, "settings-transfers")
    settings.reject()

    _learners_screens(window, worker, shoot)

    # The demo casebook sits in a temporary folder: show the About box as a DSL sees it, with
    # the usual casebook location (shown without the user's name).
    from casebook.paths import CasebookPaths, default_data_dir

    about = AboutDialog(CasebookPaths(default_data_dir()), window)
    about.open()
    shoot(about, "about")
    about.reject()

    # A case open in its tab (if the case view is part of this build).
    case_id = _run(worker, lambda: _richest_case(casebook))
    window.open_case(case_id)
    _settle(worker)
    _wait(lambda: window.tabs.count() > 1)
    _settle(worker)
    shoot(window, "main-window-case")
    window.close_current_case()

    # Locked, then a wrong passphrase (one mistake: no pause yet).
    window.lock()
    _wait(lambda: window.casebook is None and not window._locking)
    _settle(worker)
    unlock = window.unlock_panel
    _usual_location(unlock)
    shoot(window, "unlock")
    unlock.passphrase_edit.setText("not the passphrase")
    unlock.submit()
    _wait(lambda: not unlock.busy and unlock.message.kind == "wrong")
    _settle(worker)
    unlock.passphrase_edit.setText("")
    _usual_location(unlock)
    shoot(window, "unlock-wrong-passphrase")
    window.shutdown()
    window.hide()
    _settle(worker)


def _learners_screens(window: Any, worker: Any, shoot: Shooter) -> None:
    """The Learners tab: a learner's file across cases, the retention review and transfers."""
    view = window.fixed_views.get("learners")
    if view is None:
        return
    window.tabs.setCurrentWidget(view)
    _settle(worker)
    _wait(lambda: view._bundle is not None)
    for row in range(view.people_table.rowCount()):
        if view.people_table.item(row, 0).text().startswith("Casey"):
            view.people_table.selectRow(row)
    _settle(worker)
    _wait(lambda: view._file is not None)
    _settle(worker)
    shoot(window, "learners")
    view.to_school.setText("Elm Academy")
    view.send_transfer()
    dialog = view.transfer_dialog
    _wait(lambda: dialog.save_button.isEnabled())
    _settle(worker)
    shoot(dialog, "learners-send-transfer")
    dialog.reject()
    view.to_school.clear()
    view.pages.setCurrentIndex(1)
    shoot(window, "learners-retention")
    view.pages.setCurrentIndex(2)
    shoot(window, "learners-transfers")
    view.pages.setCurrentIndex(0)
    _family_screens(window, view, worker, shoot)
    _allegation_screen(window, worker, shoot)


def _family_screens(window: Any, view: Any, worker: Any, shoot: Shooter) -> None:
    """A learner with a parent and a sibling, and the dialog that adds a family link."""
    for row in range(view.people_table.rowCount()):
        if view.people_table.item(row, 0).text().startswith("Jordan"):
            view.people_table.selectRow(row)
    _settle(worker)
    _wait(lambda: view.family.person is not None and view.family.table.rowCount() >= 2)
    _settle(worker)
    shoot(window, "learners-family")
    view.family.open_add()
    dialog = view.family.dialog
    dialog.search.setText("Fictional")
    dialog.find()
    _settle(worker)
    _wait(lambda: dialog.results.count() > 0)
    dialog.results.setCurrentRow(0)
    _settle(worker)
    shoot(dialog, "learners-family-add")
    dialog.reject()
    _settle(worker)


def _allegation_screen(window: Any, worker: Any, shoot: Shooter) -> None:
    """A closed allegation about a member of staff: its outcome and review date."""
    from casebook.services import CaseFilter

    book = window.casebook
    found = _run(worker, lambda: book.cases.list_page(CaseFilter(text="teaching assistant"),
                                                      limit=1))
    if not found:
        return
    window.open_case(found[0].id)
    view = window.case_views[found[0].id]
    _wait(lambda: view.bundle is not None)
    view.select_tab("People")
    view.people.table.selectRow(0)
    _settle(worker)
    _wait(lambda: view.people.register_details.box.isVisible())
    _settle(worker)
    shoot(window, "case-allegation-outcome")
    window.close_current_case()
    _settle(worker)


def _countdown(worker: Any, root: Path, shoot: Shooter) -> None:
    """The pause after repeated wrong passphrases (on the first-run casebook)."""
    from casebook.paths import CasebookPaths
    from casebook.ui.main_window import MainWindow

    window = MainWindow(worker, CasebookPaths.at(root), None)
    window.resize(WIDTH, HEIGHT)
    window.show()
    unlock = window.unlock_panel
    for attempt in range(4):
        _wait(lambda: not unlock.busy)
        unlock.passphrase_edit.setText(f"not the passphrase {attempt}")
        unlock.submit()
        _wait(lambda: not unlock.busy)
    _wait(lambda: unlock.waiting)
    _settle(worker)
    unlock.passphrase_edit.setText("")
    _usual_location(unlock)
    shoot(window, "unlock-countdown")
    window.shutdown()
    window.hide()


def _richest_case(casebook: Any) -> int:
    from casebook.services import CaseFilter

    for summary in casebook.cases.list_page(CaseFilter(text="Muggies"), limit=5):
        return summary.id
    return casebook.cases.list_page(limit=1)[0].id


def _damaged(worker: Any, root: Path, shoot: Shooter) -> None:
    from casebook.paths import CasebookPaths
    from casebook.services import Casebook
    from casebook.ui.main_window import MainWindow

    passphrase = "copper kettle meadow lantern"
    _run(worker, lambda: Casebook.create(root, school="Oakfield Academy",
                                         jurisdiction="england", user_name="Alex Demo",
                                         passphrase=passphrase)[0].lock())
    paths = CasebookPaths.at(root)
    with paths.database.open("r+b") as handle:
        handle.write(os.urandom(4096))
    window = MainWindow(worker, paths, None)
    window.resize(WIDTH, HEIGHT)
    window.show()
    window.unlock_panel.passphrase_edit.setText(passphrase)
    window.unlock_panel.submit()
    _wait(lambda: window.unlock_panel.message.kind == "damaged")
    window.unlock_panel.passphrase_edit.setText("")
    _usual_location(window.unlock_panel)
    shoot(window, "unlock-damaged-file")
    window.shutdown()
    window.hide()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Throwaway casebooks only: a cheap KDF keeps this quick. Never used for real data.
    os.environ["CASEBOOK_INSECURE_TEST_KDF"] = "1"
    temp = Path(tempfile.mkdtemp(prefix="casebook-screenshots-"))
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(temp / "qt"))
    from casebook.ui import prompts
    from casebook.ui.app import DEMO_PASSPHRASE, setup_application
    from casebook.ui.kit.fonts import register_fonts
    from casebook.ui.worker import DbWorker

    app = QApplication.instance() or QApplication([])
    setup_application(app)
    register_fonts()
    prompts.set_testing(True)
    worker = DbWorker()
    shoot = Shooter(out)
    print(f"Writing screenshots to {out}")
    try:
        _first_run(worker, temp / "firstrun", shoot)

        def make_demo() -> Any:
            from casebook.services.demo import create_demo_casebook

            return create_demo_casebook(temp / "demo", DEMO_PASSPHRASE)

        casebook = _run(worker, make_demo)
        _main_screens(worker, casebook, shoot)

        # The demo mode itself (with its banner), and the case screens.
        from casebook.services import Casebook
        from casebook.ui.main_window import MainWindow

        root = casebook.paths.root
        demo_book = _run(worker, lambda: Casebook.open_with_passphrase(root, DEMO_PASSPHRASE))
        demo = MainWindow(worker, demo_book.paths, demo_book, demo=True,
                          demo_passphrase=DEMO_PASSPHRASE)
        demo.resize(WIDTH, HEIGHT)
        demo.show()
        _wait(lambda: demo.case_list is not None and not demo.case_list.model.loading
              and bool(demo.school_name))
        _settle(worker)
        shoot(demo, "demo-mode")
        try:
            from casebook.ui.wizard._screens import grab_case_screens
        except ImportError:
            print("  (the case view and wizard screens are not in this build)")
        else:
            case_id = _run(worker, lambda: _richest_case(demo_book))
            for path in grab_case_screens(worker, demo_book, case_id, out):
                shoot.written.append(Path(path))
                print(f"  {path}")
            from casebook.ui.export._screens import grab_export_screens

            for path in grab_export_screens(worker, demo_book, case_id, out):
                shoot.written.append(Path(path))
                print(f"  {path}")
        demo.shutdown()
        demo.hide()
        _settle(worker)
        _countdown(worker, temp / "firstrun", shoot)
        _damaged(worker, temp / "damaged", shoot)
        _settle(worker)
    finally:
        worker.stop()
        shutil.rmtree(temp, ignore_errors=True)
    print(f"{len(shoot.written)} screenshots written.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
