"""Screenshots of the case view tabs and the response wizard pages (for docs/screenshots).

``grab_case_screens`` works on any unlocked casebook (the app shell's screenshot script calls
it); run this module to make a throwaway casebook with a made-up case and grab it:

    QT_QPA_PLATFORM=offscreen python -m casebook.ui.wizard._screens docs/screenshots
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from casebook.domain import StepKey, StepStatus
from casebook.services import Casebook
from casebook.ui.worker import DbWorker


def _wait(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not finish loading")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def _settle(worker: DbWorker) -> None:
    _wait(lambda: worker.pending == 0)
    for _ in range(5):
        QCoreApplication.processEvents()


def _save(widget: QWidget, path: Path) -> Path:
    widget.grab().save(str(path))
    return path


def grab_case_screens(worker: DbWorker, casebook: Casebook, case_id: int,
                      out_dir: Path | str) -> list[Path]:
    """PNG of each case view tab, each wizard page (window and full length) and the safety
    gate, written to ``out_dir``. Nothing in the casebook is changed."""
    from casebook.ui.cases.case_view import CaseView

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    view = CaseView(worker, casebook, case_id)
    view.resize(1366, 640)  # the case area of the main window on a 1366×768 screen
    view.show()
    try:
        _wait(lambda: view.bundle is not None)
        _settle(worker)
        for index, name in enumerate(view.tab_names()):
            view.tabs.setCurrentIndex(index)
            _settle(worker)
            slug = name.lower().replace(" ", "-")
            paths.append(_save(view, out / f"case-{index + 1}-{slug}.png"))

        view.tabs.setCurrentWidget(view.evidence)
        view.evidence.ask_gate("“account-page.png”", lambda: None)
        _settle(worker)
        gate = view.evidence.gate_dialog
        if gate is not None:
            paths.append(_save(gate, out / "evidence-safety-gate.png"))
            gate.reject()
        if view.ctx is not None:
            view.evidence.route.show_route(view.ctx.setup.gate)
            _settle(worker)
            paths.append(_save(view, out / "evidence-safety-route.png"))
            view.evidence.route.hide()

        files = [i for i in view.evidence.items if i.kind.value == "file"]
        if files:
            view.evidence.table.selectRow(view.evidence.items.index(files[0]))
            viewer = view.evidence.view_selected()
            if viewer is not None:
                viewer.resize(1000, 680)
                _wait(lambda: viewer.current is not None)
                _settle(worker)
                paths.append(_save(viewer, out / "evidence-viewer.png"))
                viewer.close_for_lock()

        wizard = view.open_wizard()
        assert wizard is not None
        _wait(lambda: bool(wizard.pages))
        _settle(worker)
        start = wizard.current
        order = [start] + [i for i in range(len(wizard.pages)) if i != start]
        for index in order:
            wizard._show_page(index)  # show without saving: nothing is changed
            _settle(worker)
            page = wizard.pages[index]
            slug = page.key.value
            paths.append(_save(wizard, out / f"wizard-{index + 1}-{slug}.png"))
            page.content.resize(page.scroll.viewport().width(),
                                page.content.sizeHint().height())
            paths.append(_save(page.content, out / f"wizard-{index + 1}-{slug}-full.png"))
        wizard.discard()
    finally:
        view.clear()
        view.close()
        view.deleteLater()
        _settle(worker)
    return paths


# --------------------------------------------------------------------------- made-up case


def _fake_screenshot() -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    image = QImage(640, 400, QImage.Format.Format_RGB32)
    image.fill(QColor("#eceff1"))
    painter = QPainter(image)
    painter.fillRect(QRect(0, 0, 640, 56), QColor("#455a64"))
    painter.setPen(QColor("white"))
    painter.setFont(QFont("DejaVu Sans", 16))
    painter.drawText(QRect(16, 0, 600, 56), Qt.AlignmentFlag.AlignVCenter, "@oakfield_rates")
    painter.setPen(QColor("#263238"))
    painter.drawText(QRect(16, 80, 600, 300), Qt.AlignmentFlag.AlignLeft,
                     "Example screenshot (made up for the documentation)")
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def make_demo_case(casebook: Casebook) -> int:
    """A made-up baiting-account case, part way through the response."""
    cases = casebook.cases
    case = cases.create("Baiting account using the school logo", "baiting",
                        "An Instagram account using the school's name and logo is inviting "
                        "rumours and posting photos of learners and staff taken on site.",
                        risk="high")
    cid = case.id
    now = casebook.store.now()
    insta = cases.add_account(cid, "Instagram", "@oakfield_rates", "baiting",
                              url="https://instagram.com/oakfield_rates",
                              first_seen=(now - timedelta(days=3)).date())
    cases.add_account(cid, "TikTok", "@oakfield.tea", "impersonating-school",
                      url="https://tiktok.com/@oakfield.tea")
    cases.add_person(cid, "Alex Example", "learner", "harmed", year_group="Year 9")
    cases.add_person(cid, "Ms Jo Sample", "staff", "harmed")
    cases.add_person(cid, "Unknown Year 10 group", "learner", "suspected-creator")
    first = cases.add_entry(cid, "Form tutor told the DSL about the account after a learner "
                            "showed her the page.", now - timedelta(days=2, hours=3))
    cases.add_entry(cid, "DSL captured screenshots of the account page and three posts.",
                    now - timedelta(days=2, hours=2))
    cases.amend_entry(first.id, "Head of year told the DSL about the account after a learner "
                      "showed him the page.", "Wrong member of staff named at first.")
    casebook.evidence.add_bytes(cid, _fake_screenshot(), filename="account-page.png",
                                source="Captured by the DSL", safety_confirmed=True)
    casebook.evidence.add_note(cid, "Post inviting rumours about a named teacher",
                               "https://instagram.com/p/example", "Seen by the DSL")
    cases.add_decision(cid, "Report the account to Instagram as impersonating the school",
                       "It uses the school's name and logo without permission.")
    cases.add_action(cid, "Speak to Year 10 tutors about who may be behind it", "Sam Patel",
                     (now - timedelta(days=1)).date())
    cases.add_action(cid, "Check in with Ms Sample", "Deputy DSL", (now + timedelta(days=3)).date())
    cases.save_step(cid, StepKey.GATHER_EVIDENCE, {
        "reported_by": "Head of year (told by a learner)",
        "reported_on": (now - timedelta(days=2)).date().isoformat(),
        "reported_how": "learner", "captures_dated": True, "all_accounts_listed": True,
    }, StepStatus.DONE)
    cases.save_step(cid, StepKey.INVESTIGATION, {
        "creators": "Thought to be a small group in Year 10; not yet confirmed.",
        "creators_certainty": "suspected", "spread": "school", "staff_allegation": False,
        "possibly_criminal": False,
    }, StepStatus.DONE)
    cases.save_step(cid, StepKey.SANCTIONS, {"sanctions": "Waiting for the investigation."},
                    StepStatus.IN_PROGRESS)
    cases.save_step(cid, StepKey.REPORT, {
        "reported_on": {str(insta.id): now.date().isoformat()},
        "report_type": {str(insta.id): "impersonation"},
        "outcome": {str(insta.id): "waiting"},
    }, StepStatus.IN_PROGRESS)
    return cid


def dark_palette() -> QPalette:
    """A dark scheme like the OS one, to check the screens in both (``--dark``)."""
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"),
                         (QPalette.ColorRole.WindowText, "#e8e8e8"),
                         (QPalette.ColorRole.Base, "#1f1f1f"),
                         (QPalette.ColorRole.AlternateBase, "#333333"),
                         (QPalette.ColorRole.Text, "#e8e8e8"),
                         (QPalette.ColorRole.Button, "#3a3a3a"),
                         (QPalette.ColorRole.ButtonText, "#e8e8e8"),
                         (QPalette.ColorRole.Highlight, "#2f6ea5"),
                         (QPalette.ColorRole.HighlightedText, "#ffffff"),
                         (QPalette.ColorRole.PlaceholderText, "#9a9a9a"),
                         (QPalette.ColorRole.ToolTipBase, "#3a3a3a"),
                         (QPalette.ColorRole.ToolTipText, "#e8e8e8")):
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText,
                     QColor("#7a7a7a"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText,
                     QColor("#7a7a7a"))
    return palette


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    dark = "--dark" in args
    args = [a for a in args if a != "--dark"]
    out = Path(args[0] if args else "docs/screenshots")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    if dark:
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    worker = DbWorker()
    with tempfile.TemporaryDirectory() as folder:
        casebook, _recovery = Casebook.create(folder, school="Oakfield Academy (example)",
                                              jurisdiction="england", user_name="Sam Patel",
                                              passphrase="example only, not a real one 42")
        try:
            case_id = make_demo_case(casebook)
            for path in grab_case_screens(worker, casebook, case_id, out):
                print(path)
        finally:
            worker.stop()
            casebook.lock()
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
