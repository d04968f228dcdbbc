"""The platform report tracker: every report made about an account, from every case.

What to chase or escalate comes first (reports waiting for more than 48 hours, platforms that
refused or never answered); then all reports, a form to add or update one (with quick actions
for the common answers) and, per platform or body, how it has responded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import PlatformReport, SocialAccount
from casebook.errors import ValidationError
from casebook.services.escalation import Ladder, RungState
from casebook.services.tracker import (
    BODIES,
    BODY_LABELS,
    CHASE_AFTER,
    REFERRAL_BODIES,
    REQUEST_LABELS,
    REQUESTS,
    STATUS_LABELS,
    STATUSES,
    RecipientFigures,
    Reminder,
    TrackerService,
)
from casebook.ui.kit import Banner, LiveView, Op, field, fmt_date, fmt_datetime, named
from casebook.ui.kit.forms import EditGuard, button, hbox
from casebook.ui.kit.palette import colour
from casebook.ui.kit.tables import ROLE, read_only_table
from casebook.ui.kit.tables import cell as _cell
from casebook.ui.widgets.date_field import DateTimeField
from casebook.ui.widgets.drafts import FormDraft, ask_to_discard, put_back_pending
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.services import Casebook
    from casebook.services.cases import CaseService

__all__ = ["TrackerView", "TrackerBundle"]

#: Short status words for the table (the form shows the full ones).
#: What a report at each escalation step usually asks for (the form's "Asked for").
RUNG_REQUESTS = {"helpline": "advice", "report-harmful-content": "removal",
                 "police": "referral", "ceop": "referral", "ofcom": "other"}
SHORT_STATUS = {"waiting": "Waiting", "removed": "Removed", "refused": "Refused",
                "no-response": "No response", "escalated": "Escalated", "closed": "Closed"}


@dataclass(frozen=True)
class CaseChoice:
    id: int
    reference: str
    title: str


@dataclass(frozen=True)
class TrackerBundle:
    reports: tuple[PlatformReport, ...]  # every report (escalations and referrals too)
    reminders: tuple[Reminder, ...]
    figures: tuple[RecipientFigures, ...]
    cases: tuple[CaseChoice, ...]
    case_refs: dict[int, str]
    suggestions: dict[str, tuple[str, ...]]  # body -> recipient names
    now: datetime
    #: Platform report id -> where it stands on the escalation ladder.
    ladders: dict[int, Ladder] = dataclasses.field(default_factory=dict)
    #: Escalation step id -> who a report at it goes to.
    rung_recipients: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def platform_reports(self) -> tuple[PlatformReport, ...]:
        """What "Reports to platforms" lists: the platform reports, not referrals."""
        return tuple(r for r in self.reports if r.body == "platform")


def load_bundle(tracker: TrackerService, cases: CaseService) -> TrackerBundle:
    """Worker job: what the tracker shows when it opens (bench/run.py times this)."""
    choices = tuple(CaseChoice(c.id, c.reference, c.title) for c in cases.list_page(limit=1000))
    try:
        ladders = tracker.ladders()
        recipients = {r.id: tracker.rung_recipient(r) for r in tracker.rungs()}
    except ValidationError:  # a damaged ladder file loses the ladder, not the list
        ladders, recipients = {}, {}
    return TrackerBundle(
        reports=tuple(tracker.all()), reminders=tuple(tracker.reminders()),
        figures=tuple(tracker.figures()), cases=choices,
        case_refs=tracker.case_references(), suggestions=tracker.suggestions(),
        now=tracker.store.now(), ladders=ladders, rung_recipients=recipients,
    )


def _share(count: int, total: int) -> str:
    return f"{count} ({round(100 * count / total)}%)" if total else "0"


def _days(delta_seconds: float) -> str:
    days = delta_seconds / 86400
    if days < 1:
        return f"{int(delta_seconds // 3600)} h"
    return f"{days:.1f} days" if days < 10 else f"{days:.0f} days"


class TrackerView(LiveView):
    """Reports to platforms and bodies, from every case; current after any change."""

    watches = frozenset({"case", "tracker"})
    loaded = Signal(object)  # TrackerBundle
    report_saved = Signal(int)  # report id

    def __init__(self, worker: DbWorker, casebook: Casebook,
                 tracker: TrackerService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(worker, parent)
        named(self, "trackerView", "Platform report tracker")
        self._casebook = casebook
        self._tracker = tracker or casebook.tracker
        self._bundle: TrackerBundle | None = None
        self._selected: int | None = None
        self._form_report: int | None = None  # the report the form was last filled with
        self._wanted_account: int | None = None
        self._accounts_case: int | None = None

        outer = QVBoxLayout(self)
        outer.addWidget(self._build_reminders())
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>Reports to platforms</b>"))
        self.reports_table = read_only_table(
            ["Made", "Case", "To", "Reference", "Asked for", "Status", "Answered", "Took",
             "Where it stands"], "reportsTable", "Reports to platforms", stretch=8)
        self.reports_table.itemSelectionChanged.connect(self._report_chosen)
        left_layout.addWidget(self.reports_table, 3)
        self.figures_table = read_only_table(
            ["Platform or body", "Reports", "Removed", "Refused", "No answer",
             "Median days to an answer"], "figuresTable", "Figures per platform or body",
            stretch=0)
        self.lower_tabs = named(QTabWidget(), "trackerLowerTabs")
        self.lower_tabs.addTab(self._build_ladder(), "Escalation of the selected report")
        self.lower_tabs.addTab(self.figures_table, "How each platform or body has responded")
        left_layout.addWidget(self.lower_tabs, 2)
        split.addWidget(left)
        self.report_form = self._build_form()
        split.addWidget(self.report_form)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([860, 400])
        outer.addWidget(split, 1)
        self.message = named(Banner(self), "trackerMessage", "Tracker messages")
        outer.addWidget(self.message)
        # What is typed in the report form survives a lock, a closed window or a crash.
        self.draft = FormDraft(self.report_form, worker, casebook.settings,
                               f"user{casebook.user.id}:ui.tracker-form",
                               record=lambda: self._form_report,
                               dirty=lambda: self._edits.dirty)
        self._edits.on_reset.append(self.draft.mark_filled)
        self.draft.loaded.connect(self._put_back_draft)
        self.draft.load()

    def _build_ladder(self) -> QWidget:
        box = named(QWidget(), "ladderBox", "Escalation of the selected report")
        layout = QHBoxLayout(box)
        self.ladder_list = named(QTreeWidget(), "ladderList", "Escalation steps")
        self.ladder_list.setColumnCount(2)
        self.ladder_list.setHeaderLabels(["Step", "Where it stands"])
        self.ladder_list.setRootIsDecorated(False)
        self.ladder_list.header().setStretchLastSection(True)
        self.ladder_list.itemSelectionChanged.connect(self._rung_chosen)
        layout.addWidget(self.ladder_list)
        self.ready_text = named(QLabel("Choose a report to a platform to see its next steps."),
                                "readyText", "What to have ready")
        self.ready_text.setWordWrap(True)
        self.ready_text.setTextFormat(Qt.TextFormat.PlainText)
        self.record_rung_button = button("Record this step…", "recordRungButton",
                                         self.record_rung,
                                         help="Fill in the report form for this step; add "
                                              "its date and outcome there")
        self.record_rung_button.setEnabled(False)
        side = QVBoxLayout()
        side.addWidget(self.ready_text, 1)
        side.addLayout(hbox(None, self.record_rung_button))
        layout.addWidget(self.ladder_list, 1)
        layout.addLayout(side, 1)
        return box

    def _build_reminders(self) -> QGroupBox:
        box = named(QGroupBox("What to do next"), "remindersBox")
        layout = QVBoxLayout(box)
        self.reminder_list = named(QListWidget(), "reminderList",
                                   "Reminders: reports to chase or escalate")
        self.reminder_list.setWordWrap(True)
        self.reminder_list.setMaximumHeight(120)
        self.reminder_list.itemActivated.connect(self._reminder_activated)
        self.reminder_list.itemClicked.connect(self._reminder_activated)
        layout.addWidget(self.reminder_list)
        return box

    def _build_form(self) -> QGroupBox:
        box = named(QGroupBox("Report"), "reportForm")
        layout = QVBoxLayout(box)
        self.form_title = named(QLabel("New report"), "formTitle")
        font = self.form_title.font()
        font.setBold(True)
        self.form_title.setFont(font)
        layout.addWidget(self.form_title)
        form = QFormLayout()
        self.case_edit = field(form, "Cas&e:", QComboBox(), name="caseEdit")
        self.case_edit.currentIndexChanged.connect(self._case_changed)
        self.account_edit = field(form, "Acco&unt reported:", QComboBox(), name="accountEdit")
        self.account_edit.addItem("No particular account", None)
        self.body_edit = field(form, "Reported &to:", QComboBox(), name="bodyEdit")
        for body in BODIES:
            if body not in REFERRAL_BODIES:  # referrals are recorded in the case's steps
                self.body_edit.addItem(BODY_LABELS[body], body)
        self.body_edit.currentIndexChanged.connect(self._body_changed)
        self.recipient_edit = QComboBox()
        self.recipient_edit.setEditable(True)
        self.recipient_edit.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        field(form, "&Name:", self.recipient_edit, name="recipientEdit",
              help="The name of the platform or body")
        self.channel_edit = field(form, "H&ow:", QLineEdit(), name="channelEdit",
                                  help="How it was reported")
        self.channel_edit.setPlaceholderText("In-app report, web form, email, phone call…")
        self.made_edit = DateTimeField()
        field(form, "&When:", self.made_edit, name="madeEdit",
              help="When the report was made")
        self.reference_edit = field(form, "&Reference:", QLineEdit(), name="referenceEdit")
        self.reference_edit.setPlaceholderText("The platform's ticket or reference number")
        self.request_edit = field(form, "As&ked for:", QComboBox(), name="requestEdit")
        for request in REQUESTS:
            self.request_edit.addItem(REQUEST_LABELS[request], request)
        self.status_edit = field(form, "&Status:", QComboBox(), name="statusEdit")
        for status in STATUSES:
            self.status_edit.addItem(STATUS_LABELS[status], status)
        self.response_edit = QPlainTextEdit()
        self.response_edit.setTabChangesFocus(True)
        self.response_edit.setPlaceholderText("Paste or summarise their reply")
        self.response_edit.setFixedHeight(70)
        field(form, "Res&ponse:", self.response_edit, name="responseEdit",
              help="Their response")
        layout.addLayout(form)

        self.refusal_button = button(
            "Record refusa&l", "refusalButton", lambda: self._quick("refused"),
            help="The platform said the account or post does not break its rules")
        self.removed_button = button("Mark re&moved", "removedButton",
                                     lambda: self._quick("removed"))
        layout.addLayout(hbox(self.refusal_button, self.removed_button, None))
        self.new_button = button("New report", "newReportButton", self.new_report)
        self.add_button = button("&Add report", "addReportButton", self._add)
        self.save_button = button("Save chan&ges", "saveReportButton", self._save)
        layout.addLayout(hbox(self.new_button, None, self.add_button, self.save_button))
        self.form_message = named(Banner(box), "formMessage", "Report form message")
        layout.addWidget(self.form_message)
        layout.addStretch(1)
        self._edits = EditGuard(self.body_edit, self.recipient_edit, self.channel_edit,
                                self.made_edit, self.reference_edit, self.request_edit,
                                self.status_edit, self.response_edit)
        self._set_mode_new()
        return box

    # ----- loading ------------------------------------------------------------------------
    @property
    def bundle(self) -> TrackerBundle | None:
        return self._bundle

    def reload(self) -> int:
        tracker, cases = self._tracker, self._casebook.cases

        def job() -> TrackerBundle:
            return load_bundle(tracker, cases)

        return Op(self, job, doing="reading the reports", worker=self.worker) \
            .success(self._show).failure(self._load_failed).run()

    def _load_failed(self, message: str) -> None:
        self.message.show_error(message)
        self.failed.emit(message)

    def _show(self, bundle: TrackerBundle) -> None:
        first = self._bundle is None
        self._bundle = bundle
        chosen_case = self.case_edit.currentData()
        self.case_edit.blockSignals(True)
        self.case_edit.clear()
        for case in bundle.cases:
            self.case_edit.addItem(f"{case.reference} – {case.title}", case.id)
        index = self.case_edit.findData(chosen_case) if chosen_case is not None else 0
        self.case_edit.setCurrentIndex(max(0, index))
        self.case_edit.blockSignals(False)
        if first:
            self._body_changed()
            self._reset_made()
            self._case_changed()
            self._edits.reset()  # filled by the screen, not typed
        self._fill_reminders()
        self._fill_reports()
        self._fill_figures()
        if first:
            self._put_back_draft()
        self.loaded.emit(bundle)

    # ----- drafts -------------------------------------------------------------------------
    def save_drafts(self) -> None:
        """Keep what is typed in the report form (before a lock or when Casebook closes)."""
        self.draft.save()

    def _put_back_draft(self) -> None:
        """The report form as it was left before a lock, a closed window or a crash."""
        if self._bundle is not None:
            put_back_pending(self.draft, self._show_drafted, self.form_message.show_info,
                             "Save it, or choose New report to start again.")

    def _show_drafted(self, record: object) -> bool:
        if isinstance(record, int) and self._report(record) is not None:
            self.select_report(record)
        return True  # a report no longer listed: the text goes into a new report

    def _fill_reminders(self) -> None:
        assert self._bundle is not None
        self.reminder_list.clear()
        for reminder in self._bundle.reminders:
            case = self._bundle.case_refs.get(reminder.case_id, "")
            prefix = "Escalate" if reminder.kind == "escalate" else "Chase"
            entry = QListWidgetItem(f"{prefix} ({case}): {reminder.text}")
            entry.setData(ROLE, reminder.report_id)
            entry.setForeground(QBrush(colour("warning" if reminder.kind == "escalate"
                                              else "attention", self)))
            self.reminder_list.addItem(entry)
        if not self._bundle.reminders:
            entry = QListWidgetItem("Nothing to chase or escalate.")
            entry.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.reminder_list.addItem(entry)

    def reminder_texts(self) -> list[str]:
        return [self.reminder_list.item(i).text() for i in range(self.reminder_list.count())
                if self.reminder_list.item(i).data(ROLE) is not None]

    def _fill_reports(self) -> None:
        assert self._bundle is not None
        bundle = self._bundle
        reports = bundle.platform_reports
        self.reports_table.setRowCount(len(reports))
        select_row = -1
        for row, r in enumerate(reports):
            status = SHORT_STATUS.get(r.status, r.status)
            late = r.status == "waiting" and bundle.now - r.made_at > CHASE_AFTER
            if r.outcome_at is not None:
                took = _days((r.outcome_at - r.made_at).total_seconds())
            elif r.status in ("waiting", "no-response"):
                took = "waiting " + _days((bundle.now - r.made_at).total_seconds())
            else:
                took = "–"
            cells = [_cell(fmt_datetime(r.made_at), r.id),
                     _cell(bundle.case_refs.get(r.case_id, "")),
                     _cell(self._to_text(r)),
                     _cell(r.reference or "–"), _cell(REQUEST_LABELS.get(r.request, r.request)),
                     _cell(status), _cell(fmt_datetime(r.outcome_at, empty="–")), _cell(took)]
            ladder = bundle.ladders.get(r.id)
            where = ladder.where() if ladder is not None else ""
            cells.append(_cell(where, tip=where))
            if late:
                for cell in cells:
                    cell.setBackground(QBrush(colour("tint-attention", self)))
                cells[5].setText("Waiting: chase")
            elif r.status == "refused":
                cells[5].setForeground(QBrush(colour("warning", self)))
            for column, cell in enumerate(cells):
                self.reports_table.setItem(row, column, cell)
            if r.id == self._selected:
                select_row = row
        if select_row >= 0:
            self.reports_table.selectRow(select_row)
        self._show_ladder()

    @staticmethod
    def _to_text(report: PlatformReport) -> str:
        kind = BODY_LABELS.get(report.body, report.body)
        if report.body == "platform" or kind.casefold() == report.recipient.casefold():
            return report.recipient
        return f"{report.recipient} ({kind.lower()})"

    def _fill_figures(self) -> None:
        assert self._bundle is not None
        figures = self._bundle.figures
        self.figures_table.setRowCount(len(figures))
        for row, f in enumerate(figures):
            median = "–" if f.median_days is None else f"{f.median_days:g}"
            cells = [_cell(f.recipient, f.recipient), _cell(str(f.total)),
                     _cell(_share(f.removed, f.total)), _cell(_share(f.refused, f.total)),
                     _cell(_share(f.unanswered, f.total)), _cell(median)]
            for column, cell in enumerate(cells):
                self.figures_table.setItem(row, column, cell)

    def figures_row(self, recipient: str) -> list[str]:
        """The figures shown for one platform or body (for tests and screen readers)."""
        for row in range(self.figures_table.rowCount()):
            if self.figures_table.item(row, 0).text() == recipient:
                return [self.figures_table.item(row, c).text()
                        for c in range(self.figures_table.columnCount())]
        return []

    # ----- form ---------------------------------------------------------------------------
    def _reset_made(self) -> None:
        now = self._bundle.now if self._bundle is not None else datetime.now()
        self.made_edit.setDateTime(QDateTime(QDate(now.year, now.month, now.day),
                                             QTime(now.hour, now.minute)))

    def _body_changed(self, *_args: object) -> None:
        body = self.body_edit.currentData()
        names = self._bundle.suggestions.get(body, ()) if self._bundle is not None else ()
        text = self.recipient_edit.currentText()
        self.recipient_edit.clear()
        self.recipient_edit.addItems(list(names))
        self.recipient_edit.setEditText(text if text and self._selected else
                                        (names[0] if names else ""))

    def _case_changed(self, *_args: object) -> None:
        case_id = self.case_edit.currentData()
        cases = self._casebook.cases
        if case_id is None or case_id == self._accounts_case:
            return
        self._accounts_case = case_id
        Op(self, lambda: (case_id, cases.accounts(case_id)), doing="reading accounts",
           worker=self.worker).success(self._show_accounts).failure(self._load_failed).run()

    def _show_accounts(self, result: tuple[int, list[SocialAccount]]) -> None:
        case_id, accounts = result
        if case_id != self.case_edit.currentData():
            return
        wanted = self._wanted_account
        if self._selected is not None and self._bundle is not None:
            report = self._report(self._selected)
            wanted = report.account_id if report is not None else None
        self.account_edit.clear()
        self.account_edit.addItem("No particular account", None)
        for account in accounts:
            self.account_edit.addItem(f"{account.platform}: {account.handle}", account.id)
        self.account_edit.setCurrentIndex(max(0, self.account_edit.findData(wanted)))

    def _set_mode_new(self) -> None:
        self.form_title.setText("New report")
        self.add_button.setEnabled(True)
        self.save_button.setEnabled(False)
        self.refusal_button.setEnabled(False)
        self.removed_button.setEnabled(False)
        self.case_edit.setEnabled(True)
        self.account_edit.setEnabled(True)

    def new_report(self) -> bool:
        """Clear the form for a new report (asking first if it holds unsaved changes)."""
        if not ask_to_discard(self, self._edits.dirty, self.draft):
            return False
        self._selected = None
        self._form_report = None
        self._wanted_account = None
        self.reports_table.clearSelection()
        self._set_mode_new()
        self.reference_edit.clear()
        self.channel_edit.clear()
        self.response_edit.clear()
        self.status_edit.setCurrentIndex(0)
        self.request_edit.setCurrentIndex(0)
        self._reset_made()
        self._body_changed()
        self.form_message.clear()
        self._edits.reset()
        self.draft.clear()
        return True

    def select_report(self, report_id: int) -> None:
        for row in range(self.reports_table.rowCount()):
            if self.reports_table.item(row, 0).data(ROLE) == report_id:
                self.reports_table.selectRow(row)
                return
        # An escalation or referral is not listed: show it in the form all the same.
        report = self._report(report_id)
        if report is not None:
            self.reports_table.clearSelection()
            self._choose(report)

    def _report(self, report_id: int | None) -> PlatformReport | None:
        if self._bundle is None or report_id is None:
            return None
        return next((r for r in self._bundle.reports if r.id == report_id), None)

    def _reminder_activated(self, entry: QListWidgetItem) -> None:
        report_id = entry.data(ROLE)
        if report_id is not None:
            self.select_report(report_id)

    def _report_chosen(self) -> None:
        rows = self.reports_table.selectionModel().selectedRows()
        if not rows or self._bundle is None:
            return
        report = self._report(self.reports_table.item(rows[0].row(), 0).data(ROLE))
        if report is not None:
            self._choose(report)

    def _choose(self, report: PlatformReport) -> None:
        assert self._bundle is not None
        if report.id == self._form_report and self._edits.dirty:
            self._selected = report.id
            self._show_ladder()
            return  # a reload while the user edits this report keeps what they typed
        if not ask_to_discard(self, self._edits.dirty, self.draft):
            self._reselect_form_report()
            return
        self._form_report = report.id
        self._selected = report.id
        self.form_title.setText(f"Report to {report.recipient}, "
                                f"{self._bundle.case_refs.get(report.case_id, '')}")
        self.case_edit.setCurrentIndex(max(0, self.case_edit.findData(report.case_id)))
        self.case_edit.setEnabled(False)
        self.account_edit.setEnabled(False)
        self.body_edit.setCurrentIndex(max(0, self.body_edit.findData(report.body)))
        self.recipient_edit.setEditText(report.recipient)
        self.channel_edit.setText(report.channel)
        made = report.made_at
        self.made_edit.setDateTime(QDateTime(QDate(made.year, made.month, made.day),
                                             QTime(made.hour, made.minute)))
        self.reference_edit.setText(report.reference)
        self.request_edit.setCurrentIndex(max(0, self.request_edit.findData(report.request)))
        self.status_edit.setCurrentIndex(max(0, self.status_edit.findData(report.status)))
        self.response_edit.setPlainText(report.response)
        self.add_button.setEnabled(False)
        self.save_button.setEnabled(True)
        self.refusal_button.setEnabled(report.status != "refused")
        self.removed_button.setEnabled(report.status != "removed")
        self.form_message.clear()
        self._edits.reset()
        self._show_ladder()

    def _reselect_form_report(self) -> None:
        """Keep editing: the list shows the report the form holds again."""
        self._selected = self._form_report
        self.reports_table.blockSignals(True)
        try:
            self.reports_table.clearSelection()
            for row in range(self.reports_table.rowCount()):
                if self.reports_table.item(row, 0).data(ROLE) == self._form_report:
                    self.reports_table.selectRow(row)
        finally:
            self.reports_table.blockSignals(False)
        self._show_ladder()

    # ----- the escalation ladder ----------------------------------------------------------
    def _show_ladder(self) -> None:
        """The steps after the selected platform report, each with where it stands."""
        self.ladder_list.clear()
        ladder = self._bundle.ladders.get(self._selected or -1) if self._bundle else None
        if ladder is None:
            self.ready_text.setText("Choose a report to a platform to see its next steps.")
            self.record_rung_button.setEnabled(False)
            return
        for state in ladder.rungs:
            item = QTreeWidgetItem([state.rung.title, self._rung_text(state)])
            item.setData(0, ROLE, state.rung.id)
            item.setToolTip(1, state.why or state.rung.note)
            if state.state == "open":
                item.setForeground(1, QBrush(colour("attention", self)))
                font = item.font(0)
                font.setBold(True)
                item.setFont(0, font)
            elif state.state == "done":
                item.setForeground(1, QBrush(colour("done", self)))
            self.ladder_list.addTopLevelItem(item)
        step = ladder.next_step
        chosen = step.rung.id if step is not None else ladder.rungs[0].rung.id
        for i in range(self.ladder_list.topLevelItemCount()):
            if self.ladder_list.topLevelItem(i).data(0, ROLE) == chosen:
                self.ladder_list.setCurrentItem(self.ladder_list.topLevelItem(i))
        self.ladder_list.resizeColumnToContents(0)

    @staticmethod
    def _rung_text(state: RungState) -> str:
        latest = state.latest
        if state.state == "done" and latest is not None:
            when = fmt_date(latest.made_at)
            answer = SHORT_STATUS.get(latest.status, latest.status).lower()
            outcome = f", {answer} {fmt_date(latest.outcome_at)}" if latest.outcome_at else \
                f", {answer}"
            return f"Done {when}{outcome}"
        if state.state == "later" and state.opens_on is not None:
            return f"From {fmt_date(state.opens_on)}"
        return {"open": "Open now", "later": "Not yet", "optional": "If it applies",
                "not-for-case": "Not for this kind of case",
                "not-needed": "Not needed"}.get(state.state, state.state)

    def ladder_rows(self) -> list[tuple[str, str]]:
        """The ladder as shown: (step, where it stands), for tests and screen readers."""
        return [(self.ladder_list.topLevelItem(i).text(0),
                 self.ladder_list.topLevelItem(i).text(1))
                for i in range(self.ladder_list.topLevelItemCount())]

    def _chosen_rung(self) -> RungState | None:
        ladder = self._bundle.ladders.get(self._selected or -1) if self._bundle else None
        item = self.ladder_list.currentItem()
        if ladder is None or item is None:
            return None
        return ladder.rung(item.data(0, ROLE))

    def select_rung(self, rung_id: str) -> None:
        for i in range(self.ladder_list.topLevelItemCount()):
            if self.ladder_list.topLevelItem(i).data(0, ROLE) == rung_id:
                self.ladder_list.setCurrentItem(self.ladder_list.topLevelItem(i))

    def _rung_chosen(self) -> None:
        state = self._chosen_rung()
        if state is None:
            self.record_rung_button.setEnabled(False)
            return
        lines = [state.rung.title]
        if state.why and state.why != state.rung.note:
            lines.append(state.why)
        lines.append("Have ready:")
        lines += [f"•  {item}" for item in state.rung.ready]
        if state.rung.note:
            lines.append(state.rung.note)
        self.ready_text.setText("\n".join(lines))
        self.record_rung_button.setEnabled(
            state.rung.opens != "first" and state.state in ("open", "optional", "done"))

    def record_rung(self) -> None:
        """Fill the form for the chosen step: same case and account, its body and recipient."""
        state = self._chosen_rung()
        report = self._report(self._selected)
        if state is None or report is None or self._bundle is None:
            return
        if not self.new_report():
            return
        self.case_edit.setCurrentIndex(max(0, self.case_edit.findData(report.case_id)))
        self._wanted_account = report.account_id
        self.account_edit.setCurrentIndex(max(0, self.account_edit.findData(report.account_id)))
        self.body_edit.setCurrentIndex(max(0, self.body_edit.findData(state.rung.body)))
        self.recipient_edit.setEditText(self._bundle.rung_recipients.get(state.rung.id,
                                                                         state.rung.title))
        request = RUNG_REQUESTS.get(state.rung.body, "other")
        self.request_edit.setCurrentIndex(max(0, self.request_edit.findData(request)))
        self.form_title.setText(f"New report: {state.rung.title}")
        self.form_message.show_info("Check the date, add the reference and any answer, then "
                                    "Add report. Keep the platform's reply as evidence.")
        self._edits.reset()  # filled in for the user: nothing typed yet
        self.channel_edit.setFocus()

    def _made_at(self) -> datetime:
        value = self.made_edit.dateTime()
        d, t = value.date(), value.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())

    def _run(self, job: Callable[[], PlatformReport], saving: str) -> None:
        self.form_message.show_info(saving)
        selected = self._selected

        def done(report: PlatformReport) -> None:
            self._selected = report.id
            self._edits.reset()  # saved: the reload may refill the form
            self.draft.clear()
            self.form_message.show_done("Saved.")
            self.message.show_done(f"Saved the report to {report.recipient}.")
            self.report_saved.emit(report.id)
            # The worker's change notice reloads this screen (and the dashboard).

        def failed(message: str) -> None:
            self.form_message.show_error(message)
            if selected is None:
                self._set_mode_new()
            self.failed.emit(message)

        buttons = [self.add_button] if selected is None else [
            self.save_button, self.refusal_button, self.removed_button]
        Op(self, job, doing="saving a report", worker=self.worker) \
            .success(done).failure(failed).busy(*buttons).run()

    def _add(self) -> None:
        case_id = self.case_edit.currentData()
        if case_id is None:
            self.form_message.show_message(
                "wrong", "Open a case first: every report belongs to a case.")
            return
        tracker = self._tracker
        values = dict(body=self.body_edit.currentData(),
                      recipient=self.recipient_edit.currentText(),
                      made_at=self._made_at(), account_id=self.account_edit.currentData(),
                      channel=self.channel_edit.text(), reference=self.reference_edit.text(),
                      request=self.request_edit.currentData(),
                      status=self.status_edit.currentData(),
                      response=self.response_edit.toPlainText())
        self._run(lambda: tracker.add(case_id, **values), "Adding the report…")

    def _save(self) -> None:
        report_id = self._selected
        if report_id is None:
            return
        tracker = self._tracker
        values = dict(status=self.status_edit.currentData(), reference=self.reference_edit.text(),
                      response=self.response_edit.toPlainText(), channel=self.channel_edit.text(),
                      request=self.request_edit.currentData(),
                      recipient=self.recipient_edit.currentText(), made_at=self._made_at())
        self._run(lambda: tracker.update(report_id, **values), "Saving…")

    def _quick(self, status: str) -> None:
        """One click for the common answers; the response box is saved with it."""
        report_id = self._selected
        if report_id is None:
            return
        tracker = self._tracker
        response = self.response_edit.toPlainText()
        if status == "refused":
            self._run(lambda: tracker.record_refusal(report_id, response), "Recording…")
        else:
            self._run(lambda: tracker.update(report_id, status=status,
                                             response=response or None), "Recording…")

