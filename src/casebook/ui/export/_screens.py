"""PNGs of the export dialogs for the docs (``make screenshots`` can call this).

    paths = grab_export_screens(worker, casebook, case_id, Path("docs/screenshots"))

The PDF it makes goes to a temporary folder that is removed afterwards; the casebook should be
a throwaway demo one (the export is recorded in its audit log).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
from PySide6.QtWidgets import QWidget

from casebook.services import Casebook
from casebook.ui import prompts
from casebook.ui.export.case_dialog import ExportDialog
from casebook.ui.export.governors_dialog import GovernorsExportDialog
from casebook.ui.worker import DbWorker

EXAMPLE_PASSWORD = "harbour lantern 7"


def _wait(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("an export screen did not finish")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def _save(widget: QWidget, path: Path) -> Path:
    for _ in range(10):
        QCoreApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    return path


def grab_export_screens(worker: DbWorker, casebook: Casebook, case_id: int,
                        out: Path) -> list[Path]:
    """export-dialog.png (one learner not named, a password), export-check.png (what was
    replaced, before saving), export-done.png and export-governors.png."""
    written: list[Path] = []
    out.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix="casebook-export-shots-"))
    try:
        dialog = ExportDialog(worker, casebook, case_id)
        dialog.show()
        _wait(lambda: dialog.setup is not None)
        learners = [p for p in dialog.setup.people if p.kind == "learner"] \
            if dialog.setup is not None else []
        for person in learners[1:]:  # name the first learner, label the rest
            dialog.person_item(person.name).setCheckState(0, Qt.CheckState.Unchecked)
        box = dialog.password_box
        box.enable_check.setChecked(True)
        box.password_edit.setText(EXAMPLE_PASSWORD)
        box.confirm_edit.setText(EXAMPLE_PASSWORD)
        written.append(_save(dialog, out / "export-dialog.png"))
        dialog.start()
        _wait(lambda: dialog.prepared is not None or dialog.banner.kind == "error")
        written.append(_save(dialog, out / "export-check.png"))
        prompts.answers.append(str(temp / dialog.suggested_name()))
        dialog.start()
        _wait(lambda: dialog.result is not None or dialog.banner.kind == "error")
        # Where a DSL would save it, not the throwaway folder the PDF went to.
        dialog.done_label.setText(dialog.done_label.text().replace(str(temp), "~/Documents"))
        written.append(_save(dialog, out / "export-done.png"))
        dialog.close()
        dialog.deleteLater()

        governors = GovernorsExportDialog(worker, casebook)
        governors.show()
        _wait(lambda: governors.setup is not None)
        governors.commentary_edit.setPlainText(
            "A national trend of fake school accounts reached us in October; every account "
            "we reported was removed within a week.")
        written.append(_save(governors, out / "export-governors.png"))
        governors.close_for_lock()  # close without the "discard what you typed?" question
        governors.deleteLater()
        _wait(lambda: worker.pending == 0)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return written
