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

from PySide6.QtCore import (
    QAbstractListModel,
    QDate,
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTime,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
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
from casebook.services.cases import CaseFilter
from casebook.services.escalation import Ladder, Rung, RungState
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
from casebook.ui.kit.tables import ROLE, filling, read_only_table
from casebook.ui.kit.tables import cell as _cell
from casebook.ui.kit.turns import next_turn
from casebook.ui.widgets.date_field import DateTimeField
from casebook.ui.widgets.drafts import (
    NOT_DRAFTED,
    FormDraft,
    ask_to_discard,
    put_back_pending,
)
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.services import Casebook
    from casebook.services.cases import CaseService

__all__ = ["TrackerView", "TrackerBundle", "ReportPage", "load_bundle", "load_page",
           "PAGE_SIZE"]

#: Reports listed at a time ("Show more" adds the next page): tens of thousands in a busy
#: casebook would take seconds to read and freeze the window while the table filled.
PAGE_SIZE = 100
#: Cases the form's case picker offers: the most recently changed, or those found by search.
CASE_CHOICES = 30
#: "Reports to platforms" lists these; the others are steps on their ladders or referrals.
LISTED = ("platform",)
#: Reminders read when the screen opens, oldest first ("Show all" reads the rest).
REMINDERS_FIRST = 50
#: How long the case picker waits after the last key before it searches.
SEARCH_PAUSE_MS = 250

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
class ReportPage:
    """Some reports, where each stands on its ladder, and their cases' references."""

    reports: tuple[PlatformReport, ...]
    ladders: dict[int, Ladder]  # platform report id -> where it stands
    case_refs: dict[int, str]


@dataclass(frozen=True)
class TrackerBundle:
    reports: tuple[PlatformReport, ...]  # the first page of reports to platforms, newest first
    reminders: tuple[Reminder, ...]
    cases: tuple[CaseChoice, ...]  # the most recently changed cases, for the form
    case_refs: dict[int, str]  # for the reports and reminders shown
    suggestions: dict[str, tuple[str, ...]]  # body -> recipient names
    now: datetime
    #: Platform report id -> where it stands on the escalation ladder (the reports shown).
    ladders: dict[int, Ladder] = dataclasses.field(default_factory=dict)
    #: Escalation step id -> who a report at it goes to.
    rung_recipients: dict[str, str] = dataclasses.field(default_factory=dict)
    total: int = 0  # how many reports to platforms there are in all
    reminder_total: int = 0  # how many reminders there are (``reminders`` may be the first)

    @property
    def platform_reports(self) -> tuple[PlatformReport, ...]:
        """What "Reports to platforms" lists first: the platform reports, not referrals."""
        return tuple(r for r in self.reports if r.body == "platform")


def _ladders(tracker: TrackerService, reports: list[PlatformReport],
             rungs: tuple[Rung, ...] | None = None) -> dict[int, Ladder]:
    try:
        return tracker.ladders(report_ids=[r.id for r in reports], rungs=rungs)
    except ValidationError:  # a damaged ladder file loses the ladder, not the list
        return {}


def load_page(tracker: TrackerService, offset: int, limit: int = PAGE_SIZE,
              rungs: tuple[Rung, ...] | None = None) -> ReportPage:
    """Worker job: one page of "Reports to platforms", newest first ("Show more")."""
    reports = tracker.page(offset, limit, bodies=LISTED)
    return ReportPage(tuple(reports), _ladders(tracker, reports, rungs),
                      tracker.case_references(r.case_id for r in reports))


def load_report(tracker: TrackerService, report_id: int) -> ReportPage:
    """Worker job: one report not on the pages shown (a reminder's, or an escalation)."""
    report = tracker.get(report_id)
    ladders = _ladders(tracker, [report]) if report.body == "platform" else {}
    return ReportPage((report,), ladders, tracker.case_references([report.case_id]))


def load_bundle(tracker: TrackerService, cases: CaseService,
                limit: int = PAGE_SIZE) -> TrackerBundle:
    """Worker job: what the tracker shows when it opens (bench/run.py times this): the newest
    ``limit`` reports and how many there are, the oldest reminders and how many there are.
    The figures per platform follow in a job of their own (``TrackerService.figures``)."""
    choices = tuple(CaseChoice(c.id, c.reference, c.title) for c in cases.list_page(
        CaseFilter(sort="updated", descending=True), limit=CASE_CHOICES))
    try:
        rungs: tuple[Rung, ...] | None = tracker.rungs()
    except ValidationError:  # a damaged ladder file loses the ladder, not the list
        rungs = None
    page = load_page(tracker, 0, limit, rungs)
    recipients = tracker.rung_recipients(rungs) if rungs is not None else {}
    reminders = tuple(tracker.reminders(limit=REMINDERS_FIRST))
    reminder_total = tracker.reminder_count() if len(reminders) >= REMINDERS_FIRST \
        else len(reminders)
    refs = dict(page.case_refs)
    refs.update(tracker.case_references({r.case_id for r in reminders} - set(refs)))
    return TrackerBundle(
        reports=page.reports, reminders=reminders,
        cases=choices, case_refs=refs, suggestions=tracker.suggestions(),
        now=tracker.store.now(), ladders=page.ladders, rung_recipients=recipients,
        total=tracker.count(bodies=LISTED), reminder_total=reminder_total,
    )


def load_reminders(tracker: TrackerService) -> tuple[tuple[Reminder, ...], dict[int, str]]:
    """Worker job: every reminder ("Show all"), and the references of their cases."""
    reminders = tuple(tracker.reminders())
    return reminders, tracker.case_references({r.case_id for r in reminders})


def search_cases(cases: CaseService, text: str) -> list[CaseChoice]:
    """Worker job: the case picker's search (the case list's own search, newest change
    first)."""
    found = cases.list_page(CaseFilter(text=text, sort="updated", descending=True),
                            limit=CASE_CHOICES)
    return [CaseChoice(c.id, c.reference, c.title) for c in found]


_ROOT = QModelIndex()  # the (invalid) root index, as a shared default argument


class ReminderModel(QAbstractListModel):
    """The reminders as a model: thousands of them at 50,000 cases, drawn only as they scroll
    into view (a list widget built one item per reminder froze the window)."""

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self._owner = owner
        self._rows: list[tuple[str, int | None, str]] = []  # text, report id, colour role

    def set_rows(self, rows: list[tuple[str, int | None, str]]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        text, report_id, tone = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return text
        if role == ROLE:
            return report_id
        if role == Qt.ItemDataRole.ForegroundRole and tone:
            return QBrush(colour(tone, self._owner))
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if index.isValid() and self._rows[index.row()][1] is None:
            return Qt.ItemFlag.ItemIsEnabled
        return super().flags(index)


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
    page_size = PAGE_SIZE  # reports listed at a time
    loaded = Signal(object)  # TrackerBundle
    figures_loaded = Signal()  # the figures per platform follow the bundle
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
        self._shown: list[PlatformReport] = []  # the rows of "Reports to platforms"
        self._known: dict[int, PlatformReport] = {}  # every report read (pages, reminders)
        self._ladders: dict[int, Ladder] = {}
        self._case_refs: dict[int, str] = {}
        self._draft_gone: int | None = None  # a drafted report that no longer exists
        self._fill_round = 0  # a newer fill of the table stops an older one
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self._search_cases)

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
        self.shown_text = named(QLabel(""), "reportsShown", "How many reports are shown")
        self.more_button = button("Show ol&der reports", "moreReportsButton", self.show_more,
                                  help="List the next reports, older ones")
        self.more_button.setEnabled(False)
        left_layout.addLayout(hbox(self.shown_text, None, self.more_button))
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
        self.reminder_list = named(QListView(), "reminderList",
                                   "Reminders: reports to chase or escalate")
        self.reminder_model = ReminderModel(self)
        self.reminder_list.setModel(self.reminder_model)
        self.reminder_list.setUniformItemSizes(True)  # no measuring thousands of lines
        self.reminder_list.setMaximumHeight(120)
        self.reminder_list.activated.connect(self._reminder_activated)
        self.reminder_list.clicked.connect(self._reminder_activated)
        layout.addWidget(self.reminder_list)
        self.all_reminders_button = button("Show all reminders", "allRemindersButton",
                                           self.show_all_reminders)
        self.all_reminders_button.hide()
        layout.addLayout(hbox(None, self.all_reminders_button))
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
        self.case_search = field(form, "F&ind a case:", QLineEdit(), name="caseSearch",
                                 help="Type a reference, a name or words from the case")
        self.case_search.setPlaceholderText("Reference, name or words from the case…")
        self.case_search.setClearButtonEnabled(True)
        self.case_search.setProperty(NOT_DRAFTED, True)  # a search, not a report's text
        self.case_search.textEdited.connect(lambda _text: self._search_timer.start())
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
        # A reload after a change keeps the pages the user asked for (up to a few).
        limit = min(max(self.page_size, len(self._shown)), 5 * self.page_size)

        def job() -> TrackerBundle:
            return load_bundle(tracker, cases, limit)

        return Op(self, job, doing="reading the reports", worker=self.worker) \
            .success(self._show).failure(self._load_failed).run()

    def _load_failed(self, message: str) -> None:
        self.message.show_error(message)
        self.failed.emit(message)

    def _show(self, bundle: TrackerBundle) -> None:
        first = self._bundle is None
        self._bundle = bundle
        self._known = {r.id: r for r in bundle.reports}
        self._ladders = dict(bundle.ladders)
        self._case_refs = dict(bundle.case_refs)
        if first or not self.case_search.text().strip():
            self._fill_cases(bundle.cases)
        if first:
            self._body_changed()
            self._reset_made()
            self._case_changed()
            self._edits.reset()  # filled by the screen, not typed
        self._fill_reminders()
        self._shown = []
        self.reports_table.setRowCount(0)
        self._add_reports(list(bundle.platform_reports))
        if first:
            self._put_back_draft()
        self.loaded.emit(bundle)
        tracker = self._tracker
        Op(self, lambda: tuple(tracker.figures()), doing="reading the figures",
           worker=self.worker).success(self._fill_figures).failure(self._load_failed).run()

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
        if not isinstance(record, int) or record == self._draft_gone:
            return True  # a report no longer there: the text goes into a new report
        if self._report(record) is not None:
            self.select_report(record)
            return True
        # Further down the list than the page shown: read it, then put the text back.
        tracker = self._tracker

        def gone(_message: str) -> None:
            self._draft_gone = record
            self._put_back_draft()

        Op(self, lambda: load_report(tracker, record), doing="reading the report",
           worker=self.worker).success(lambda page: (self._remember(page),
                                                     self._put_back_draft())) \
            .failure(gone).run()
        return False  # the draft waits until the report has been read

    def _remember(self, page: ReportPage) -> None:
        """Keep reports read beyond the first page, their ladders and case references."""
        self._known.update((r.id, r) for r in page.reports)
        self._ladders.update(page.ladders)
        self._case_refs.update(page.case_refs)

    # ----- the case picker ----------------------------------------------------------------
    def _fill_cases(self, choices: tuple[CaseChoice, ...] | list[CaseChoice]) -> None:
        """Offer ``choices``, keeping the case chosen now (a search may not find it)."""
        chosen = self.case_edit.currentData()
        chosen_text = self.case_edit.currentText()
        self.case_edit.blockSignals(True)
        self.case_edit.clear()
        for case in choices:
            self.case_edit.addItem(f"{case.reference} – {case.title}", case.id)
        if chosen is not None and self.case_edit.findData(chosen) < 0 and \
                not self.case_search.text().strip():
            self.case_edit.insertItem(0, chosen_text, chosen)
        index = self.case_edit.findData(chosen) if chosen is not None else 0
        self.case_edit.setCurrentIndex(max(0, index))
        self.case_edit.blockSignals(False)
        if self.case_edit.currentData() != chosen:
            self._case_changed()

    def _search_cases(self) -> None:
        text = self.case_search.text().strip()
        cases = self._casebook.cases
        if not text:
            if self._bundle is not None:
                self._fill_cases(self._bundle.cases)
            return

        def found(choices: list[CaseChoice]) -> None:
            if self.case_search.text().strip() != text:
                return  # the user typed on: a newer search is coming
            self._fill_cases(choices)
            if not choices:
                self.form_message.show_info("No case matches that search.")
            else:
                self.form_message.clear()

        Op(self, lambda: search_cases(cases, text), doing="finding cases",
           worker=self.worker).success(found).failure(self._load_failed).run()

    def _ensure_case(self, case_id: int) -> None:
        """Put a report's case in the picker (a search may have left it out) and choose it."""
        if self.case_edit.findData(case_id) < 0:
            self.case_edit.blockSignals(True)
            self.case_edit.insertItem(0, self._case_refs.get(case_id, f"Case {case_id}"),
                                      case_id)
            self.case_edit.blockSignals(False)
        self.case_edit.setCurrentIndex(max(0, self.case_edit.findData(case_id)))

    # ----- reminders and reports --------------------------------------------------------
    def _fill_reminders(self, reminders: tuple[Reminder, ...] | None = None) -> None:
        assert self._bundle is not None
        reminders = self._bundle.reminders if reminders is None else reminders
        rows: list[tuple[str, int | None, str]] = []
        for reminder in reminders:
            case = self._case_refs.get(reminder.case_id, "")
            prefix = "Escalate" if reminder.kind == "escalate" else "Chase"
            rows.append((f"{prefix} ({case}): {reminder.text}", reminder.report_id,
                         "warning" if reminder.kind == "escalate" else "attention"))
        if not rows:
            rows.append(("Nothing to chase or escalate.", None, ""))
        self.reminder_model.set_rows(rows)
        hidden = self._bundle.reminder_total - len(reminders)
        self.all_reminders_button.setText(f"Show all {self._bundle.reminder_total:,} reminders")
        self.all_reminders_button.setVisible(hidden > 0)

    def show_all_reminders(self) -> None:
        """List every reminder (the first few are listed when the screen opens)."""
        tracker, bundle = self._tracker, self._bundle

        def show(result: tuple[tuple[Reminder, ...], dict[int, str]]) -> None:
            if self._bundle is not bundle:
                return  # reloaded meanwhile
            self._case_refs.update(result[1])
            self._fill_reminders(result[0])

        Op(self, lambda: load_reminders(tracker), doing="reading the reminders",
           worker=self.worker).success(show).failure(self._load_failed) \
            .busy(self.all_reminders_button).run()

    def reminder_texts(self) -> list[str]:
        model = self.reminder_model
        return [model.data(model.index(i)) for i in range(model.rowCount())
                if model.data(model.index(i), ROLE) is not None]

    def show_more(self) -> None:
        """List the next page of reports."""
        tracker, offset, limit = self._tracker, len(self._shown), self.page_size

        def more(page: ReportPage) -> None:
            if len(self._shown) != offset:
                return  # a reload started the list again
            self._remember(page)
            self._add_reports(list(page.reports))

        Op(self, lambda: load_page(tracker, offset, limit), doing="reading more reports",
           worker=self.worker).success(more).failure(self._load_failed) \
            .busy(self.more_button).run()

    def _add_reports(self, reports: list[PlatformReport]) -> None:
        """Add rows to the table a page at a time, letting the window breathe in between."""
        self._fill_round += 1
        round_ = self._fill_round
        start = len(self._shown)
        self._shown.extend(reports)
        self._show_count()

        def fill(begin: int) -> None:
            if round_ != self._fill_round:
                return
            end = min(begin + self.page_size, start + len(reports))
            self._fill_rows(begin, end)
            if end < start + len(reports):
                next_turn(self, lambda: fill(end))
            else:
                self._show_ladder()

        fill(start)

    def _show_count(self) -> None:
        total = self._bundle.total if self._bundle is not None else 0
        total = max(total, len(self._shown))
        self.shown_text.setText(f"Showing the newest {len(self._shown):,} of {total:,} reports"
                                if len(self._shown) < total else
                                f"{total:,} report{'' if total == 1 else 's'}")
        self.more_button.setEnabled(len(self._shown) < total)

    def _fill_rows(self, begin: int, end: int) -> None:
        assert self._bundle is not None
        bundle = self._bundle
        with filling(self.reports_table):
            self.reports_table.setRowCount(end)
            select_row = -1
            for row in range(begin, end):
                r = self._shown[row]
                status = SHORT_STATUS.get(r.status, r.status)
                late = r.status == "waiting" and bundle.now - r.made_at > CHASE_AFTER
                if r.outcome_at is not None:
                    took = _days((r.outcome_at - r.made_at).total_seconds())
                elif r.status in ("waiting", "no-response"):
                    took = "waiting " + _days((bundle.now - r.made_at).total_seconds())
                else:
                    took = "–"
                cells = [_cell(fmt_datetime(r.made_at), r.id),
                         _cell(self._case_refs.get(r.case_id, "")),
                         _cell(self._to_text(r)),
                         _cell(r.reference or "–"), _cell(REQUEST_LABELS.get(r.request, r.request)),
                         _cell(status), _cell(fmt_datetime(r.outcome_at, empty="–")), _cell(took)]
                ladder = self._ladders.get(r.id)
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

    @staticmethod
    def _to_text(report: PlatformReport) -> str:
        kind = BODY_LABELS.get(report.body, report.body)
        if report.body == "platform" or kind.casefold() == report.recipient.casefold():
            return report.recipient
        return f"{report.recipient} ({kind.lower()})"

    def _fill_figures(self, figures: tuple[RecipientFigures, ...]) -> None:
        with filling(self.figures_table):
            self.figures_table.setRowCount(len(figures))
            for row, f in enumerate(figures):
                median = "–" if f.median_days is None else f"{f.median_days:g}"
                cells = [_cell(f.recipient, f.recipient), _cell(str(f.total)),
                         _cell(_share(f.removed, f.total)), _cell(_share(f.refused, f.total)),
                         _cell(_share(f.unanswered, f.total)), _cell(median)]
                for column, cell in enumerate(cells):
                    self.figures_table.setItem(row, column, cell)
        self.figures_loaded.emit()

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
        self.case_search.setEnabled(True)
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
        """Show a report in the form (and select its row when it is listed); one not read
        yet (further down the list, or an escalation) is read first."""
        for row in range(self.reports_table.rowCount()):
            item = self.reports_table.item(row, 0)
            if item is not None and item.data(ROLE) == report_id:
                self.reports_table.selectRow(row)
                return
        report = self._report(report_id)
        if report is not None:
            self.reports_table.clearSelection()
            self._choose(report)
            return
        tracker = self._tracker

        def read(page: ReportPage) -> None:
            self._remember(page)
            self.reports_table.clearSelection()
            self._choose(page.reports[0])

        Op(self, lambda: load_report(tracker, report_id), doing="reading the report",
           worker=self.worker).success(read).failure(self._load_failed).run()

    def _report(self, report_id: int | None) -> PlatformReport | None:
        if self._bundle is None or report_id is None:
            return None
        return self._known.get(report_id)

    def _reminder_activated(self, index: QModelIndex) -> None:
        report_id = index.data(ROLE)
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
                                f"{self._case_refs.get(report.case_id, '')}")
        self._ensure_case(report.case_id)
        self.case_edit.setEnabled(False)
        self.case_search.setEnabled(False)
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
        ladder = self._ladders.get(self._selected or -1) if self._bundle else None
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
        ladder = self._ladders.get(self._selected or -1) if self._bundle else None
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
        self._ensure_case(report.case_id)
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

