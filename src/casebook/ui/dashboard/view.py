"""The dashboard: the first screen after unlocking.

Every number is a button; pressing it emits ``open_list(kind, ids)`` with the ids behind it,
so the main window can open the matching list. Kinds (see ``casebook.services.dashboard``):

- ``open-cases`` (case ids; also for one risk level), ``steps-waiting`` (case ids),
  ``cases-month`` (case ids opened in a month, from the chart);
- ``overdue-actions`` (action ids);
- ``reports-waiting`` and ``platform-reports`` (platform-report ids);
- ``checklist-due`` (checklist item ids, text);
- ``official-checks-due`` (official-account ids);
- ``backup`` (no ids: open the backup screen).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casebook.services.dashboard import OUTCOME_GROUPS, RISK_ORDER, Dashboard, DashboardService
from casebook.ui.kit import LiveView, Op, fmt_date, named
from casebook.ui.kit.charts import NumberTile, Segment, StackedBarChart
from casebook.ui.kit.palette import SERIES, hex_colour
from casebook.ui.models.labels import wording
from casebook.ui.worker import DbWorker

if TYPE_CHECKING:
    from casebook.services import Casebook

__all__ = ["DashboardView", "CASE_TYPE_LABELS", "OUTCOME_LABELS"]

#: Chart legend words per case type; {learners} comes from the school's profile (students in
#: the US), see :func:`case_type_labels`.
CASE_TYPE_LABELS = {
    "impersonation": "Fake or impersonating account",
    "baiting": "Baiting account",
    "harassment": "Harassment of {learners}",
    "staff-allegation": "Staff harassed or accused",
    "video": "Fight or other video",
    "other": "Other concern",
}


def case_type_labels(terms: Mapping[str, str]) -> dict[str, str]:
    learners = terms.get("learners", "learners")
    return {k: v.replace("{learners}", learners) for k, v in CASE_TYPE_LABELS.items()}
OUTCOME_LABELS = {
    "removed": "Removed",
    "refused": "Refused",
    "unanswered": "No answer",
    "other": "Escalated or closed",
}
RISK_LABELS = {"critical": "Critical risk", "high": "High risk", "medium": "Medium risk",
               "low": "Low risk"}
BACKUP_WARN_DAYS = 7


class DashboardView(LiveView):
    """Counts and charts; ``open_list(kind, ids)`` when a number or a bar is chosen.

    Current after any change anywhere: it listens to the worker's change notice.
    """

    watches = frozenset({"case", "evidence", "tracker", "checklist", "official-account",
                         "backup"})
    open_list = Signal(str, list)
    #: Emitted with the :class:`Dashboard` snapshot each time the screen has been filled.
    loaded = Signal(object)

    def __init__(self, worker: DbWorker, casebook: Casebook,
                 service: DashboardService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(worker, parent)
        named(self, "dashboardView", "Dashboard")
        self._service = service or casebook.dashboard
        self._casebook = casebook
        self._type_labels = case_type_labels(wording(None))
        self._snapshot: Dashboard | None = None
        self._tiles: dict[str, NumberTile] = {}

        outer = QVBoxLayout(self)
        header = QHBoxLayout()
        self.title = QLabel("Overview")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        header.addWidget(self.title)
        header.addStretch(1)
        self.status = named(QLabel(""), "", "Dashboard status")
        header.addWidget(self.status)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setToolTip("Read the numbers again (F5)")
        self.refresh_button.setShortcut("F5")
        self.refresh_button.clicked.connect(self.refresh)
        header.addWidget(self.refresh_button)
        outer.addLayout(header)

        rows: list[list[tuple[str, str, str]]] = [
            [("open-cases", "Open cases", "accent")]
            + [(f"open-cases:{r.value}", RISK_LABELS[r.value], f"risk-{r.value}")
               for r in RISK_ORDER],
            [("overdue-actions", "Overdue actions", "warning"),
             ("steps-waiting", "Cases with steps to do", "info"),
             ("reports-waiting", "Reports waiting for an answer", "attention")],
            [("checklist-due", "Checklist items due for review", "done"),
             ("official-checks-due", "Official accounts to check", "accent"),
             ("backup", "Days since the last backup", "accent")],
        ]
        tiles = QVBoxLayout()
        tiles.setSpacing(10)
        for row in rows:
            line = QHBoxLayout()
            line.setSpacing(10)
            for key, caption, role in row:
                tile = NumberTile(caption, hex_colour(role, self))
                tile.setObjectName(f"tile-{key.replace(':', '-')}")
                tile.clicked.connect(lambda _=False, k=key: self._open(k))
                self._tiles[key] = tile
                line.addWidget(tile, 1)
            tiles.addLayout(line)
        outer.addLayout(tiles)

        charts = QHBoxLayout()
        self.months_chart = StackedBarChart("Cases opened per month, by type")
        self.months_chart.setObjectName("chartCasesPerMonth")
        self.months_chart.bar_clicked.connect(self._month_clicked)
        self.outcomes_chart = StackedBarChart("What platforms did with our reports",
                                              horizontal=True)
        self.outcomes_chart.setObjectName("chartPlatformOutcomes")
        self.outcomes_chart.bar_clicked.connect(self._platform_clicked)
        charts.addWidget(self.months_chart, 3)
        charts.addWidget(self.outcomes_chart, 2)
        outer.addLayout(charts, 1)

    # ----- data ---------------------------------------------------------------------------
    def tile(self, key: str) -> NumberTile:
        """The tile for a list key (``open-cases``, ``open-cases:high``, ``backup``...)."""
        return self._tiles[key]

    @property
    def snapshot(self) -> Dashboard | None:
        return self._snapshot

    def reload(self) -> int:
        self.status.setText("Reading…")
        service, casebook = self._service, self._casebook

        def job() -> tuple[Dashboard, dict[str, str]]:
            return service.snapshot(), case_type_labels(wording(casebook.school().jurisdiction))

        return Op(self, job, doing="reading the dashboard", worker=self.worker) \
            .success(self._loaded).failure(self._failed).run()

    def _loaded(self, result: tuple[Dashboard, dict[str, str]]) -> None:
        snap, self._type_labels = result
        self._show(snap)

    def _failed(self, message: str) -> None:
        self.status.setText(message)
        self.failed.emit(message)

    def _show(self, snap: Dashboard) -> None:
        self._snapshot = snap
        self.title.setText(f"Overview for {fmt_date(snap.today)}")
        self.status.setText("")
        self._tiles["open-cases"].set_value(snap.open_cases)
        for risk in RISK_ORDER:
            self._tiles[f"open-cases:{risk.value}"].set_value(snap.open_cases_by_risk[risk.value])
        self._tiles["overdue-actions"].set_value(snap.overdue_actions)
        self._tiles["steps-waiting"].set_value(snap.steps_waiting)
        self._tiles["reports-waiting"].set_value(snap.reports_waiting)
        self._tiles["checklist-due"].set_value(snap.checklist_due)
        self._tiles["official-checks-due"].set_value(snap.official_checks_due)
        backup = self._tiles["backup"]
        if snap.days_since_backup is None:
            backup.set_value("Never", "no backup has been made",
                             accent=hex_colour("warning", self))
        else:
            late = snap.days_since_backup > BACKUP_WARN_DAYS
            note = f"last on {fmt_date(snap.last_backup_at)}"
            backup.set_value(snap.days_since_backup, note,
                             accent=hex_colour("warning" if late else "done", self))

        types = list(CASE_TYPE_LABELS)
        segments = [Segment(k, self._type_labels[k], SERIES[i % len(SERIES)])
                    for i, k in enumerate(types)]
        months = [m for m, _ in snap.cases_per_month]
        labels = [self._month_label(m) for m in months]
        self.months_chart.set_data(labels, segments, [counts for _m, counts in snap.cases_per_month],
                                   empty_text="No cases opened in the last 12 months.")
        names = [name for name, _ in snap.platform_outcomes]
        self.outcomes_chart.set_data(
            names, [Segment(g, OUTCOME_LABELS[g], hex_colour(f"outcome-{g}", self))
                    for g in OUTCOME_GROUPS],
            [counts for _n, counts in snap.platform_outcomes],
            empty_text="No reports to platforms yet.")
        self.loaded.emit(snap)

    @staticmethod
    def _month_label(key: str) -> str:
        months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                  "Dec")
        year, month = key.split("-")
        return f"{months[int(month) - 1]} {year[2:]}"

    # ----- opening lists ------------------------------------------------------------------
    def _open(self, key: str) -> None:
        self._open_ids(key.split(":", 1)[0], key)

    def _open_ids(self, kind: str, key: str) -> None:
        """Read the ids behind a number (on the worker), then say which list to open."""
        if self._snapshot is None:
            return
        service, today = self._service, self._snapshot.today
        Op(self, lambda: service.list_for(key, today), doing="reading the list",
           worker=self.worker).success(lambda ids: self.open_list.emit(kind, ids)) \
            .failure(self._failed).run()

    def _month_clicked(self, index: int, segment: str) -> None:
        if self._snapshot is None:
            return
        month = self._snapshot.cases_per_month[index][0]
        self._open_ids("cases-month", f"cases-month:{month}" + (f":{segment}" if segment else ""))

    def _platform_clicked(self, index: int, _segment: str) -> None:
        if self._snapshot is None:
            return
        name = self._snapshot.platform_outcomes[index][0]
        self._open_ids("platform-reports", f"platform-reports:{name}")
