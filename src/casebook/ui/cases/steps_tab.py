"""The five response steps of a case: status, and when and by whom each was completed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from casebook.domain import STEP_ORDER
from casebook.errors import NotFoundError
from casebook.profiles import StepGuidance
from casebook.ui.kit.forms import button
from casebook.ui.widgets.common import bullet_text, fmt_datetime
from casebook.ui.widgets.context import CaseBundle, CaseContext
from casebook.ui.widgets.corrections import (
    CorrectionDialog,
    CorrectionsDialog,
    Fix,
    describe_correction,
)
from casebook.ui.widgets.panel import CasePanel, fill_table, make_table, selected_id
from casebook.ui.widgets.step_progress import STATUS_WORDS, StepProgress

#: Step answer kinds and how each is corrected (a yes/no answer is a Yes / No choice).
_KINDS = {"text": "line", "multiline": "text", "choice": "choice", "date": "date",
          "bool": "choice"}
YES_NO = {True: "Yes", False: "No"}
#: Joins a per-person / per-account field and the item it answers for, in a Fix's name.
ITEM_SEP = "/"
#: The report page's referrals, as the wizard keeps them: agency id -> {made, date, reference}
#: (and the tracker report it made for each under ``_logged``, "referral:<agency id>").
REFERRALS = "referral_rows"
LOGGED = "_logged"
_REFERRAL_PARTS = (("made", "Referral made", "choice"), ("date", "Date referred", "date"),
                   ("reference", "Their reference", "line"))


def answer_fixes(guidance: StepGuidance, data: Mapping[str, Any],
                 items: Mapping[tuple[str, str], str], agencies: Mapping[str, str] | None = None,
                 ) -> tuple[tuple[Fix, ...], dict[str, Any]]:
    """Every correctable answer of a step, and what each says now.

    Once-per-case answers are all offered (an unanswered one shows "Not recorded"); an answer
    per person or per account is offered for each person or account it was recorded for,
    labelled with who or what it is about (``items``: (per, id) -> words); each referral
    recorded on the report page offers whether it was made, its date and its reference
    (``agencies``: id -> name).
    """
    fixes: list[Fix] = []
    current: dict[str, Any] = {}
    for spec in guidance.fields:
        if spec.kind not in _KINDS:
            continue
        kind = _KINDS[spec.kind]
        choices = YES_NO if spec.kind == "bool" else {c.value: c.label for c in spec.choices}
        if not spec.per:
            fixes.append(Fix(spec.id, f"{spec.label}:", kind, choices))
            current[spec.id] = data.get(spec.id)
            continue
        answers = data.get(spec.id)
        if not isinstance(answers, Mapping):
            continue
        for item, value in answers.items():
            who = items.get((spec.per, str(item)), f"a {spec.per} no longer on the case")
            name = f"{spec.id}{ITEM_SEP}{item}"
            fixes.append(Fix(name, f"{spec.label} ({who}):", kind, choices))
            current[name] = value
    referrals = data.get(REFERRALS)
    for agency, answer in (referrals.items() if isinstance(referrals, Mapping) else ()):
        if not isinstance(answer, Mapping):
            continue
        who = (agencies or {}).get(agency, agency)
        for part, label, kind in _REFERRAL_PARTS:
            name = ITEM_SEP.join((REFERRALS, agency, part))
            fixes.append(Fix(name, f"{label} ({who}):", kind,
                             YES_NO if part == "made" else {}))
            current[name] = answer.get(part)
    return tuple(fixes), current


def answers_from(changes: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The dialog's changes as the service takes them: per-item answers grouped by field; a
    changed part of a referral goes with the rest of that referral as recorded (``data``)."""
    answers: dict[str, Any] = {}
    for name, value in changes.items():
        parts = name.split(ITEM_SEP)
        if len(parts) == 3:
            field_id, item, part = parts
            recorded = (data.get(field_id) or {}).get(item)
            entry = answers.setdefault(field_id, {}).setdefault(
                item, dict(recorded) if isinstance(recorded, Mapping) else {})
            entry[part] = value
        elif len(parts) == 2:
            answers.setdefault(parts[0], {})[parts[1]] = value
        else:
            answers[name] = value
    return answers


class StepsTab(CasePanel):
    open_wizard_requested = Signal()

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        intro = QLabel("The response has five steps. Work through them in the response steps "
                       "window; you can stop at any point and carry on later from where you "
                       "left off.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.progress = StepProgress(self)
        layout.addWidget(self.progress)
        self.table = make_table(self, "Response steps",
                                ["Step", "Status", "Completed", "Completed by"], stretch=0)
        layout.addWidget(self.table, 1)
        self.done_means = QLabel(self)
        self.done_means.setWordWrap(True)
        layout.addWidget(self.done_means)
        row = QHBoxLayout()
        self.open_button = QPushButton("&Open response steps…", self)
        self.open_button.clicked.connect(self.open_wizard_requested)
        row.addWidget(self.open_button)
        self.correct_button = button(
            "Correct answers…", "correct-step", self.correct_answers,
            help="Correct the selected step's answers; the original answers are kept")
        self.correct_button.setEnabled(False)
        self.table.itemSelectionChanged.connect(
            lambda: self.correct_button.setEnabled(selected_id(self.table) is not None))
        row.addWidget(self.correct_button)
        row.addStretch(1)
        self.corrections_button = button(
            "Corrections…", "history-step", self.show_corrections,
            help="Every correction of step answers on this case, with the originals")
        row.addWidget(self.corrections_button)
        layout.addLayout(row)
        layout.addWidget(self.banner)

    def set_data(self, bundle: CaseBundle) -> None:
        super().set_data(bundle)
        us, titles = self.ctx.us, self.ctx.step_titles()
        self.progress.set_steps(bundle.case.steps, titles)
        rows = []
        for number, key in enumerate(STEP_ORDER, start=1):
            step = bundle.case.step(key)
            rows.append([f"{number}. {titles.get(key, key.value)}", STATUS_WORDS[step.status],
                         fmt_datetime(step.completed_at, us), step.completed_by or ""])
        fill_table(self.table, rows, list(range(1, len(STEP_ORDER) + 1)))
        self._mark_corrected(bundle)
        self.done_means.setText("What “done” means for each step:\n" + bullet_text(
            [f"{g.title}: {g.done_means.removeprefix('Done means ')}"
             for g in self.ctx.setup.guidance]))

    def _step_corrections(self, bundle: CaseBundle) -> dict[int, list[Any]]:
        """Corrections of step answers, by step number (1 to 5)."""
        numbers = {bundle.case.step(key).id: n for n, key in enumerate(STEP_ORDER, start=1)}
        out: dict[int, list[Any]] = {}
        for correction in bundle.corrections:
            number = numbers.get(correction.record_id)
            if correction.record_kind == "step" and number is not None:
                out.setdefault(number, []).append(correction)
        return out

    def _mark_corrected(self, bundle: CaseBundle) -> None:
        """A corrected step says so in its row, with the originals in its tooltip."""
        for number, history in self._step_corrections(bundle).items():
            tip = "Answers corrected — the originals are kept:\n" + "\n".join(
                describe_correction(c, self.ctx.us) for c in history)
            for column in range(self.table.columnCount()):
                item = self.table.item(number - 1, column)
                if item is not None:
                    item.setToolTip(tip)
            status = self.table.item(number - 1, 1)
            if status is not None:
                status.setText(f"{status.text()} (answers corrected)")

    def show_corrections(self) -> None:
        """Every correction of step answers: the originals, who, when and why."""
        if self.bundle is None:
            return
        titles = self.ctx.step_titles()
        labels, history = {}, []
        for number, found in sorted(self._step_corrections(self.bundle).items()):
            key = STEP_ORDER[number - 1]
            for correction in found:
                labels[correction.record_id] = titles.get(key, key.value)
                history.append(correction)
        history.sort(key=lambda c: c.id)
        dialog = CorrectionsDialog(self, "Corrections of step answers", history, labels,
                                   self.ctx.us)
        self.history_dialog = dialog
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()

    def _items(self) -> dict[tuple[str, str], str]:
        """Who or what a per-person / per-account answer is about, in words."""
        assert self.bundle is not None
        items = {("person", str(p.id)): p.name for p in self.bundle.people}
        items.update({("account", str(a.id)): f"{a.platform} {a.handle}"
                      for a in self.bundle.accounts})
        return items

    def clear(self) -> None:
        super().clear()
        self.table.setRowCount(0)
        self.progress.set_steps((), {})

    def correct_answers(self) -> None:
        """Correct what a step's page recorded (the once-per-case answers); originals kept."""
        number = selected_id(self.table)
        if number is None or self.bundle is None:
            return
        key = STEP_ORDER[number - 1]
        guidance = self.ctx.guidance(key)
        data = self.bundle.case.step(key).data
        agencies = {a.id: a.name for a in self.ctx.setup.profile.agencies}
        fixes, current = answer_fixes(guidance, data, self._items(), agencies)
        if not fixes:
            self.banner.show_info("This step has no answers to correct.")
            return
        cases, tracker, case_id = (self.ctx.casebook.cases, self.ctx.casebook.tracker,
                                   self.ctx.case_id)
        logged = dict(data.get(LOGGED) or {})

        def job(changes: dict[str, object], reason: str) -> Callable[[], object]:
            answers = answers_from(changes, data)

            def correct() -> object:
                case = cases.correct_step(case_id, key, reason, answers)
                # The tracker's copy of a referral takes a corrected reference, as the wizard
                # keeps it in step when the page is saved.
                for agency, entry in (answers.get(REFERRALS) or {}).items():
                    report_id = logged.get(f"referral:{agency}")
                    if report_id is not None and "reference" in entry:
                        with suppress(NotFoundError):
                            tracker.update(int(report_id),
                                           reference=str(entry.get("reference") or ""))
                return case

            return correct

        self.open_correction(
            CorrectionDialog(self, f"Correct the answers to “{guidance.title}”", fixes,
                             current, job, self.ctx.worker, us=self.ctx.us, fill=self.ctx.fill),
            "Corrected. The original answers are kept in the case's corrections.",
            draft=f"correct:step:{key.value}")
