"""Recurring reports: monthly from departments, quarterly from districts."""

from __future__ import annotations

import json
from datetime import date, timedelta
from types import SimpleNamespace
from typing import NamedTuple

from tracker.calendar.services import load_calendar
from tracker.demo import vocabulary as words
from tracker.demo.benchdata.documents import Documents
from tracker.demo.benchdata.organisation import OrgUnit
from tracker.demo.benchdata.state import LoadState
from tracker.tasks.series.services import occurrences


class Series(NamedTuple):
    """One planned series: its ``task_series`` row (dates not yet converted for the
    database), its lead unit and the content its occurrences copy."""

    row: tuple
    lead: OrgUnit
    content: dict


class RecurringReports:
    """Plan the series and their occurrences up to today, and write the series' rows."""

    def __init__(self, state: LoadState, documents: Documents) -> None:
        self.state = state
        self.documents = documents

    def plan(self) -> list[tuple[Series, list]]:
        """Return each series with its occurrences (``tracker.tasks.series.services``' own)."""
        calendar = load_calendar()
        count = max(2, self.state.scale.tasks // 25_000)
        return [self._plan_one(k, calendar) for k in range(count)]

    def write(self, planned: dict[int, Series]) -> None:
        """Queue the series' rows, in the order given."""
        w = self.state.writer
        for series in planned.values():
            converted = list(series.row)
            converted[9] = w.day(series.row[9])  # starts_on
            converted[14] = w.timestamp(series.row[14])  # created_at
            self.state.rows["task_series"].append(tuple(converted))

    def _plan_one(self, k: int, calendar) -> tuple[Series, list]:
        s = self.state
        org, starts_on = s.org, s.ref.first_day
        monthly = k % 2 == 0
        pool = org.departments if monthly else org.districts
        lead = pool[k // 2 % len(pool)]
        field_id, leader_id = org.fields[k % len(org.fields)]
        title = (
            f"Báo cáo tháng về công tác cải cách hành chính – {lead.name}"
            if monthly
            else f"Báo cáo quý về kết quả thực hiện nhiệm vụ được giao – {lead.name}"
        )
        rule = _rule(monthly, starts_on)
        series_id = s.ids("task_series")
        creator = org.assigners[0]
        content = self._content(lead, title, field_id, leader_id, starts_on)
        created = s.days.at(starts_on - timedelta(days=45), 9 * 60)
        row = (
            series_id, title, json.dumps(content, ensure_ascii=False, sort_keys=True),
            rule.frequency, None, rule.due_rule, rule.due_day, rule.due_next_month,
            rule.create_days_ahead, starts_on, None, False, None, creator.id, created, None,
        )  # fmt: skip
        s.chain.add(
            created, creator.id, "task_series.created", "TaskSeries", series_id,
            after={"title": title, "frequency": rule.frequency, "starts_on": starts_on},
        )  # fmt: skip
        found = list(occurrences(rule, calendar, s.ref.today))
        s.rng.random()  # a draw nothing uses any more, kept so a seed gives the same rows
        return Series(row, lead, content), found

    def _content(
        self, lead: OrgUnit, title: str, field_id: int, leader_id: int, starts_on: date
    ) -> dict:
        """What every occurrence copies: the series' 5 rõ."""
        return {
            "title": title,
            "description": f"{lead.name} báo cáo định kỳ gửi UBND thành phố.",
            "document_id": self.documents.for_day(starts_on),
            "field_id": field_id,
            "lead_unit_id": lead.id,
            "accountable_user_id": lead.head.id,
            "assignee_user_id": None,
            "supervisor_id": leader_id,
            "expected_outcome": "Báo cáo định kỳ đúng mẫu",
            "target": "Gửi đúng hạn, số liệu đầy đủ",
            "priority": "normal",
            "process_steps": list(words.STEPS[:3]),
            "coordinating": [],
        }


def _rule(monthly: bool, starts_on: date) -> SimpleNamespace:
    """The recurrence, shaped like a ``TaskSeries`` for ``occurrences``: a monthly report due
    on the 20th (or the working day after), a quarterly one on the 5th working day of the
    month after the quarter."""
    return SimpleNamespace(
        frequency="monthly" if monthly else "quarterly",
        due_rule="calendar_day" if monthly else "working_day",
        due_day=20 if monthly else 5,
        due_next_month=not monthly,
        every_working_days=None,
        create_days_ahead=7,
        starts_on=starts_on,
        ends_on=None,
    )
