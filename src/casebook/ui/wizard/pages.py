"""One wizard page per response step: plain guidance, what "done" means, the step's fields, and
the parts of the case the step works on (evidence, accounts, people, decisions, actions)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import PersonRole, Step, StepKey, StepStatus
from casebook.profiles import StepGuidance
from casebook.ui import prompts
from casebook.ui.cases.accounts_tab import AccountsTab
from casebook.ui.cases.actions_tab import ActionsTab
from casebook.ui.cases.decisions_tab import DecisionsTab
from casebook.ui.cases.people_tab import PeopleTab
from casebook.ui.evidence.evidence_widget import EvidenceWidget
from casebook.ui.kit.ops import Op
from casebook.ui.widgets.common import (
    Banner,
    bullet_text,
    fmt_date,
    fmt_datetime,
    heading,
)
from casebook.ui.widgets.context import CaseBundle, CaseContext
from casebook.ui.widgets.date_field import DateField
from casebook.ui.widgets.labels import PERSON_KINDS, label
from casebook.ui.widgets.panel import CasePanel
from casebook.ui.widgets.step_progress import STATUS_WORDS
from casebook.ui.wizard import records
from casebook.ui.wizard.fields import FieldForm

PANEL_MIN_HEIGHT = 360


def _group(title: str, widget: QWidget, parent: QWidget) -> QGroupBox:
    box = QGroupBox(title, parent)
    box.setAccessibleName(title)
    layout = QVBoxLayout(box)
    layout.addWidget(widget)
    return box


class QuickNote(QGroupBox):
    """"Add to the chronology" on every page, so the record is written as the DSL goes."""

    added = Signal()

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__("Add to the chronology", parent)
        self.ctx = ctx
        self.banner = Banner(self)
        self.op_epoch = 0  # moves on when cleared, so answers on their way are dropped
        layout = QHBoxLayout(self)
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setAccessibleName("Chronology entry")
        self.text_edit.setPlaceholderText("Something that happened or was said, for the record")
        self.text_edit.setMaximumHeight(self.text_edit.fontMetrics().height() * 3 + 16)
        layout.addWidget(self.text_edit, 1)
        column = QVBoxLayout()
        self.button = QPushButton("Add to c&hronology", self)
        self.button.clicked.connect(self.add)
        column.addWidget(self.button)
        column.addWidget(self.banner)
        column.addStretch(1)
        layout.addLayout(column)

    def add(self) -> None:
        text = self.text_edit.toPlainText().strip()
        if not text:
            self.banner.show_error("Write the entry first.")
            return
        cases, case_id = self.ctx.casebook.cases, self.ctx.case_id

        def done(_entry: object) -> None:
            self.text_edit.clear()
            self.banner.show_info("Added.")
            self.added.emit()

        Op(self, lambda: cases.add_entry(case_id, text), worker=self.ctx.worker).success(
            done).messages(self.banner).run()


class StepPage(QWidget):
    """A response step. Subclasses add the parts of the case the step works on."""

    #: Something on the case changed through a panel on this page (reload the bundle).
    panel_changed = Signal()
    #: An answer was edited (the wizard autosaves).
    edited = Signal()

    def __init__(self, ctx: CaseContext, guidance: StepGuidance, number: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.guidance = guidance
        self.key = guidance.key
        self.number = number
        self.step = Step(self.key)
        self.saved_data: dict[str, Any] = {}
        self.logged: dict[str, Any] = {}
        self.derive_pending = False
        self.panels: list[CasePanel] = []
        self.setAccessibleName(f"Step {number}: {guidance.title}")

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take focus instead
        outer.addWidget(self.scroll)
        self.content = QWidget(self.scroll)
        self.scroll.setWidget(self.content)
        self.body = QVBoxLayout(self.content)
        self.banner = Banner(self.content)  # placed at the end; subclasses may use it early

        self.title = heading(f"Step {number} of 5: {guidance.title}", self.content, level=1)
        self.body.addWidget(self.title)
        self.status_label = QLabel(self.content)
        self.status_label.setWordWrap(True)
        self.body.addWidget(self.status_label)

        what = QGroupBox("What to do", self.content)
        what_layout = QVBoxLayout(what)
        self.points = QLabel(bullet_text(guidance.points), what)
        self.points.setWordWrap(True)
        self.points.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        what_layout.addWidget(self.points)
        self.done_means = QLabel(guidance.done_means, what)
        self.done_means.setWordWrap(True)
        font = self.done_means.font()
        font.setBold(True)
        self.done_means.setFont(font)
        what_layout.addWidget(self.done_means)
        self.body.addWidget(what)

        # The step's own answers (required ones first) come before the parts of the case it
        # works on, which share one set of tabs so a page is not several panels tall.
        self.form = FieldForm(self.fields(), ctx.us, self.content,
                              empty_items_text=self.empty_items_text())
        self.form.changed.connect(self.edited)
        self.form.toggled.connect(self.on_toggled)
        self.answers = _group("Record for this step", self.form, self.content)
        self.body.addWidget(self.answers)
        self.parts: QTabWidget | None = None
        self.build_before()
        self.build_after()
        self.quick = QuickNote(ctx, self.content)
        self.quick.added.connect(self.panel_changed)
        self.body.addWidget(self.quick)
        self.body.addWidget(self.banner)
        self.body.addStretch(1)

    # ----- hooks --------------------------------------------------------------------------
    def fields(self) -> tuple[Any, ...]:
        return self.guidance.fields

    def empty_items_text(self) -> str:
        return ""

    def build_before(self) -> None:
        """Add widgets above the step's fields."""

    def build_after(self) -> None:
        """Add widgets below the step's fields."""

    def add_panel(self, title: str, panel: CasePanel) -> None:
        if self.parts is None:
            self.parts = QTabWidget(self.content)
            self.parts.setAccessibleName("Parts of the case for this step")
            self.body.addWidget(self.parts)
        panel.setMinimumHeight(PANEL_MIN_HEIGHT)
        panel.changed.connect(self.panel_changed)
        self.panels.append(panel)
        self.parts.addTab(panel, title)

    def on_toggled(self, field_id: str, checked: bool) -> None:
        """A checkbox answer was changed by the user."""

    # ----- data ---------------------------------------------------------------------------
    def load_step(self, step: Step) -> None:
        """Show the stored answers (on first load only; later saves keep what is on screen)."""
        self.set_step(step)
        data = dict(step.data)
        self.logged = dict(data.get(records.LOGGED) or {})
        self.load_extra(data)
        self.form.set_values(data)
        self.saved_data = self.collect()

    def set_step(self, step: Step) -> None:
        self.step = step
        self.logged = dict(step.data.get(records.LOGGED) or self.logged)
        us = self.ctx.us
        text = STATUS_WORDS[step.status]
        if step.status in (StepStatus.DONE, StepStatus.NOT_NEEDED) and step.completed_at:
            text += f" on {fmt_datetime(step.completed_at, us)} by {step.completed_by}"
        self.status_label.setText(f"Status: {text}.")
        self.status_label.setAccessibleName(f"Status: {text}")

    def load_extra(self, data: dict[str, Any]) -> None:
        """Subclasses: show answers kept outside the generic fields."""

    def collect(self) -> dict[str, Any]:
        return self.form.values()

    def is_dirty(self) -> bool:
        return self.collect() != self.saved_data

    def mark_saved(self, result: records.SaveResult, sent: dict[str, Any]) -> None:
        self.saved_data = copy.deepcopy(sent)
        self.logged = dict(result.data.get(records.LOGGED) or {})
        self.set_step(result.case.step(self.key))

    def set_bundle(self, bundle: CaseBundle) -> None:
        for panel in self.panels:
            panel.set_data(bundle)

    def problems(self) -> list[str]:
        """Why the step cannot be marked done yet (empty when it can)."""
        out = []
        missing = self.form.missing_required()
        if missing:
            out.append("Please fill in: " + "; ".join(missing) + ".")
        bad = self.form.invalid_dates()
        if bad:
            out.extend(bad)
        return out

    def clear(self) -> None:
        for panel in self.panels:
            panel.clear()
        self.quick.op_epoch += 1
        self.form.set_values({})


# --------------------------------------------------------------------------- 1 evidence


class GatherEvidencePage(StepPage):
    def build_before(self) -> None:
        self.evidence = EvidenceWidget(self.ctx, self.content)
        self.evidence.set_compact(True)
        self.add_panel("Evidence", self.evidence)
        self.accounts = AccountsTab(self.ctx, self.content)
        self.add_panel("Accounts involved", self.accounts)


# --------------------------------------------------------------------------- 2 investigation


@dataclass(frozen=True)
class Trigger:
    agency_id: str
    title: str
    question: str
    what: str
    why: str
    reason_field: str


def investigation_triggers(ctx: CaseContext) -> dict[str, Trigger]:
    """Checkbox id -> the referral decision it prompts for."""
    def agency_advice(agency_id: str) -> str:
        try:
            return ctx.profile.agency(agency_id).when_to_use
        except Exception:
            return ""

    police = ctx.term("police")
    short = ctx.term("allegations_short")
    return {
        "staff_allegation": Trigger(
            "allegations", "Allegation against a member of staff",
            "You have recorded that the content makes an allegation against a member of "
            f"staff. {agency_advice('allegations')}\n\nRecord a decision to refer it to "
            f"{short} now?",
            f"Refer to {short}: the content makes an allegation against a member of staff",
            "The content alleges that a member of staff has harmed a child or may be unsafe "
            f"to work with children; such allegations go to {ctx.term('allegations_route')}.",
            "allegations_decision"),
        "possibly_criminal": Trigger(
            "police", "Content that may be criminal",
            f"You have recorded that some of the content may be a crime. "
            f"{agency_advice('police')}\n\nRecord a decision to report it to {police} now?",
            f"Report to {police}: the content may be criminal",
            "The content may include threats, hate, harassment or indecent images of children.",
            "police_decision"),
        "child_at_risk": Trigger(
            "social-care", "A child may be at risk",
            f"You have recorded that a child may be at risk of significant harm. "
            f"{agency_advice('social-care')}\n\nRecord a decision to refer to "
            f"{ctx.term('social_care')} now?",
            f"Refer to {ctx.term('social_care')}: a child may be at risk of significant harm",
            "What was found suggests a child may be at risk of significant harm.",
            "social_care_decision"),
    }


class InvestigationPage(StepPage):
    def build_after(self) -> None:
        self.triggers = investigation_triggers(self.ctx)
        self.people = PeopleTab(self.ctx, self.content)
        self.add_panel("People involved", self.people)
        self.decisions = DecisionsTab(self.ctx, self.content)
        self.add_panel("Decisions", self.decisions)
        self.op_epoch = 0  # moves on when cleared, so a decision on its way is dropped

    def on_toggled(self, field_id: str, checked: bool) -> None:
        trigger = self.triggers.get(field_id)
        marker = f"decision:{field_id}"
        if trigger is None or not checked or marker in self.logged:
            return
        if not prompts.ask(self, trigger.title, trigger.question, yes="Record the decision",
                           no="Not now", default_yes=True):
            self.banner.show_info("No decision was recorded. When you have decided, write the "
                                  "decision and the reason in the box for it on this page.")
            return
        reason = self.form.values().get(trigger.reason_field) or trigger.why
        cb, case_id, key = self.ctx.casebook, self.ctx.case_id, self.key
        self.logged[marker] = -1  # asked: do not ask again while the decision is saved

        def done(case: Any) -> None:
            self.set_step(case.step(key))
            self.banner.show_info(f"Decision recorded: {trigger.what}.")
            self.panel_changed.emit()

        def failed(message: str) -> None:
            self.logged.pop(marker, None)
            self.banner.show_error(message)

        Op(self, lambda: records.record_decision(cb, case_id, key, marker, trigger.what, reason),
           worker=self.ctx.worker).success(done).failure(failed).run()

    def clear(self) -> None:
        super().clear()
        self.op_epoch += 1


# --------------------------------------------------------------------------- 3 sanctions


class SanctionsPage(StepPage):
    def build_after(self) -> None:
        self.actions = ActionsTab(self.ctx, self.content)
        self.add_panel("Actions", self.actions)


# --------------------------------------------------------------------------- 4 support


class SupportPage(StepPage):
    def empty_items_text(self) -> str:
        return ("No one is recorded as harmed yet. Add the people affected on the "
                "“Initial investigation” page (or the People tab of the case), with their part "
                "in the case set to “Harmed or targeted”, and a section for each will appear "
                "here.")

    def build_after(self) -> None:
        self.actions = ActionsTab(self.ctx, self.content)
        self.add_panel("Follow-ups and other actions", self.actions)

    def set_bundle(self, bundle: CaseBundle) -> None:
        super().set_bundle(bundle)
        harmed = [p for p in bundle.people if p.role == PersonRole.HARMED]
        self.form.set_items([(str(p.id), f"{p.name} ({label(PERSON_KINDS, p.kind, self.ctx.fill)})")
                             for p in harmed])


# --------------------------------------------------------------------------- 5 report


class ReferralsBox(QGroupBox):
    """One line per body a case can be referred to: referred?, date, reference."""

    changed = Signal()

    def __init__(self, ctx: CaseContext, rows: list[records.Referral],
                 parent: QWidget | None = None) -> None:
        super().__init__("Referrals", parent)
        self.ctx = ctx
        self.rows = rows
        self.widgets: dict[str, tuple[QCheckBox, DateField, QLineEdit]] = {}
        grid = QGridLayout(self)
        intro = QLabel("Tick each one you have contacted, with the date and any reference "
                       "they gave you.", self)
        intro.setWordWrap(True)
        grid.addWidget(intro, 0, 0, 1, 3)
        for column, text in enumerate(("Referred to", "Date", "Their reference")):
            header = QLabel(text, self)
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            grid.addWidget(header, 1, column)
        for r, row in enumerate(rows, start=2):
            made = QCheckBox(row.name, self)
            made.setAccessibleName(f"Referred to {row.name}")
            day = DateField(self, us=ctx.us, what=f"The date referred to {row.name}",
                            past_only=True)
            day.setAccessibleName(f"Date referred to {row.name}")
            day.edit.setAccessibleName(f"Date referred to {row.name}")
            reference = QLineEdit(self)
            reference.setAccessibleName(f"Reference from {row.name}")
            grid.addWidget(made, r, 0)
            grid.addWidget(day, r, 1)
            grid.addWidget(reference, r, 2)
            made.toggled.connect(lambda checked, d=day: self._made(checked, d))
            day.changed.connect(self.changed)
            reference.textChanged.connect(self.changed)
            self.widgets[row.agency_id] = (made, day, reference)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(2, 2)
        self._loading = False

    def _made(self, checked: bool, day: DateField) -> None:
        if checked and not self._loading and day.value() is None:
            day.set_value(self.ctx.today())
        if not self._loading:
            self.changed.emit()

    def values(self) -> dict[str, dict[str, Any]]:
        return {aid: {"made": made.isChecked(), "date": day.iso(),
                      "reference": reference.text().strip()}
                for aid, (made, day, reference) in self.widgets.items()}

    def set_values(self, values: dict[str, dict[str, Any]]) -> None:
        self._loading = True
        try:
            for aid, (made, day, reference) in self.widgets.items():
                answer = values.get(aid) or {}
                made.setChecked(bool(answer.get("made")))
                day.set_value(answer.get("date"))
                reference.setText(answer.get("reference") or "")
        finally:
            self._loading = False


class ReportPage(StepPage):
    def fields(self) -> tuple[Any, ...]:
        self.referrals = records.referral_rows(self.ctx.setup)
        covered = {r.made_key for r in self.referrals} | {r.reference_key for r in self.referrals}
        return tuple(f for f in self.guidance.fields if f.id not in covered)

    def empty_items_text(self) -> str:
        return ("No accounts are recorded on this case yet. Add them on the “Gather evidence” "
                "page (or the Accounts tab of the case) and a row for each will appear here.")

    def build_before(self) -> None:
        self._auto_follow: dict[str, date] = {}
        intro = QLabel("Platform reports: one row per account. When you give the date you "
                       "reported it, Casebook records the report, and adds a follow-up action "
                       "for 48 hours later.", self.content)
        intro.setWordWrap(True)
        self.body.addWidget(intro)

    def build_after(self) -> None:
        self.referral_box = ReferralsBox(self.ctx, self.referrals, self.content)
        self.referral_box.changed.connect(self.edited)
        # Answers per account come first, then the referrals, then the other answers.
        form_layout = self.form.layout()
        assert isinstance(form_layout, QVBoxLayout)
        form_layout.insertWidget(form_layout.indexOf(self.form.single_area), self.referral_box)
        self.form.changed.connect(self._update_reminders)
        # Tab order to match: (rows per account), the referrals, then the other answers.
        chain: list[QWidget] = [self.form.no_items]
        for made, day, reference in self.referral_box.widgets.values():
            chain += [made, day.edit, reference]
        chain += [w.focusProxy() or w for (_id, item), w in self.form.widgets.items()
                  if item is None]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def set_bundle(self, bundle: CaseBundle) -> None:
        super().set_bundle(bundle)
        self.form.set_items([(str(a.id), f"{a.platform}: {a.handle}") for a in bundle.accounts])
        self._update_reminders()

    def load_extra(self, data: dict[str, Any]) -> None:
        rows = dict(data.get(records.REFERRALS) or {})
        for referral in self.referrals:  # answers given before the referrals table existed
            answer = rows.setdefault(referral.agency_id, {})
            if referral.made_key and data.get(referral.made_key):
                answer.setdefault("made", True)
            if referral.reference_key and data.get(referral.reference_key):
                answer.setdefault("reference", data[referral.reference_key])
                answer.setdefault("made", True)
        self.referral_box.set_values(rows)

    def collect(self) -> dict[str, Any]:
        data = self.form.values()
        rows = self.referral_box.values()
        data[records.REFERRALS] = rows
        for referral in self.referrals:
            answer = rows.get(referral.agency_id, {})
            if referral.made_key:
                data[referral.made_key] = bool(answer.get("made"))
            if referral.reference_key:
                data[referral.reference_key] = answer.get("reference", "")
        return data

    def _update_reminders(self) -> None:
        """Fill "follow up on" 48 hours after the report date and say so under the row.

        A date Casebook filled in follows the report date as it is typed or changed; a date
        the DSL chose is left alone.
        """
        for key, note in self.form.item_notes.items():
            try:
                reported = self.form.widget("reported_on", key)
                follow = self.form.widget("follow_up_on", key)
            except KeyError:
                continue
            assert isinstance(reported, DateField) and isinstance(follow, DateField)
            day = reported.value()
            if day is None:
                note.hide()
                continue
            chosen = follow.value()
            if follow.is_valid() and (chosen is None or chosen == self._auto_follow.get(key)):
                chosen = records.follow_up_date(day)
                self._auto_follow[key] = chosen
                if follow.value() != chosen:
                    follow.set_value(chosen)
            due = chosen or records.follow_up_date(day)
            note.setText(f"Reminder: follow up on {fmt_date(due, self.ctx.us)} if the platform "
                         "has not replied by then (48 hours after reporting).")
            note.setAccessibleName(note.text())
            note.show()

    def reminders(self) -> list[str]:
        return [n.text() for n in self.form.item_notes.values() if not n.isHidden()]


PAGE_TYPES: dict[StepKey, type[StepPage]] = {
    StepKey.GATHER_EVIDENCE: GatherEvidencePage,
    StepKey.INVESTIGATION: InvestigationPage,
    StepKey.SANCTIONS: SanctionsPage,
    StepKey.SUPPORT: SupportPage,
    StepKey.REPORT: ReportPage,
}

