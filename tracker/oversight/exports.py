"""The oversight reports as Excel sheets: the same figures as the pages, a sheet per section."""

from __future__ import annotations

from datetime import date

from tracker.oversight.reports import BriefingRow, Dashboard, Figures, Score
from tracker.tasks.classification import CATEGORY_LABELS, Category
from tracker.web.xlsx import Sheet

FIGURE_HEADERS = [
    "Đang thực hiện trong hạn",
    "Đang thực hiện quá hạn",
    "Hoàn thành đúng hạn",
    "Hoàn thành quá hạn",
    "Đã thu hồi",
    "Sắp đến hạn",
    "Không cập nhật",
    "Tỷ lệ đúng hạn (%)",
]


def _rate(rate: float | None):
    return round(rate * 100, 1) if rate is not None else None


def _figures(f: Figures) -> list:
    return [
        f.on_track,
        f.overdue,
        f.done_on_time,
        f.done_late,
        f.withdrawn,
        f.due_soon,
        f.stale,
        _rate(f.on_time_rate),
    ]


def dashboard_sheets(report: Dashboard) -> list[Sheet]:
    """Return the dashboard as sheets: totals, per unit, per field, per document, weekly."""
    day = report.day
    return [
        Sheet(
            "Toàn thành phố", ["Ngày số liệu", *FIGURE_HEADERS], [[day, *_figures(report.total)]]
        ),
        Sheet(
            "Theo đơn vị",
            ["Ngày số liệu", "Mã đơn vị", "Đơn vị", *FIGURE_HEADERS],
            [[day, u.code, u.name, *_figures(f)] for u, f in report.by_unit],
        ),
        Sheet(
            "Theo lĩnh vực",
            ["Ngày số liệu", "Lĩnh vực", *FIGURE_HEADERS],
            [[day, x.name, *_figures(f)] for x, f in report.by_field],
        ),
        Sheet(
            "Theo văn bản",
            ["Ngày số liệu", "Văn bản", "Ngày ban hành", *FIGURE_HEADERS],
            [
                [day, f"{d.kind} {d.number}", d.issued_on, *_figures(f)]
                for d, f in report.by_document
            ],
        ),
        Sheet("Quá hạn theo tuần", ["Ngày", "Số nhiệm vụ quá hạn"], report.weekly_overdue),
    ]


SCORE_HEADERS = [
    "Nhận trong kỳ",
    "Hoàn thành đúng hạn",
    "Hoàn thành quá hạn",
    "Đang trong hạn",
    "Đang quá hạn",
    "Tỷ lệ đúng hạn (%)",
    "Số ngày chậm trung bình",
    "Chậm nhiều nhất (ngày)",
    "Đề nghị gia hạn",
    "Được gia hạn",
    "Nhắc hạn",
    "Cảnh báo",
    "Đôn đốc",
    "Hồ sơ chuyển Sở Nội vụ",
    "Kết luận",
]


def score_cells(s: Score, outcomes: dict) -> list:
    """Return one scorecard as cells, in the order of SCORE_HEADERS."""
    f = s.figures
    average = round(s.average_days_late, 1) if s.average_days_late is not None else None
    concluded = "; ".join(f"{outcomes.get(k, k)}: {n}" for k, n in sorted(s.conclusions.items()))
    return [
        s.received,
        f.done_on_time,
        f.done_late,
        f.on_track,
        f.overdue,
        _rate(f.on_time_rate),
        average,
        s.worst_days_late,
        s.extensions_asked,
        s.extensions_granted,
        s.reminders,
        s.warnings,
        s.urgings,
        s.escalations,
        concluded,
    ]


def ranking_sheets(rows, start: date, end: date, outcomes: dict) -> list[Sheet]:
    """Return the ranking of units as a sheet."""
    return [
        Sheet(
            "Xếp hạng đơn vị",
            ["Hạng", "Từ ngày", "Đến ngày", "Mã đơn vị", "Đơn vị", *SCORE_HEADERS],
            [
                [rank, start, end, u.code, u.name, *score_cells(s, outcomes)]
                for rank, (u, s) in enumerate(rows, start=1)
            ],
        )
    ]


def briefing_sheets(groups: list, day: date) -> list[Sheet]:
    """Return the weekly briefing list as a sheet, one row per task, by leader."""

    def row(leader, r: BriefingRow):
        t = r.task
        state = CATEGORY_LABELS[Category(r.category)]
        return [
            leader.full_name if leader else "",
            t.title,
            t.lead_unit.name if t.lead_unit else "",
            t.accountable_user.full_name if t.accountable_user else "",
            t.due_date,
            state,
            r.days_overdue,
            r.last_report,
            "Có" if r.stale else "",
        ]

    return [
        Sheet(
            "Giao ban tuần",
            [
                "Lãnh đạo phụ trách",
                "Nhiệm vụ",
                "Đơn vị chủ trì",
                "Người chịu trách nhiệm",
                "Hạn hoàn thành",
                "Tình trạng",
                "Số ngày làm việc quá hạn",
                "Báo cáo gần nhất",
                "Không cập nhật",
            ],
            [row(group.leader, r) for group in groups for r in group.rows],
        )
    ]


def task_sheets(rows, day: date) -> list[Sheet]:
    """Return a task search as a sheet."""
    return [
        Sheet(
            "Nhiệm vụ",
            [
                "Mã",
                "Nhiệm vụ",
                "Văn bản",
                "Đơn vị chủ trì",
                "Người chịu trách nhiệm",
                "Ngày bắt đầu",
                "Hạn hoàn thành",
                "Hạn ban đầu",
                "Tình trạng",
                "Sắp đến hạn",
                "Tiến độ (%)",
                "Ngày số liệu",
            ],
            [
                [
                    r.task.id,
                    r.task.title,
                    f"{r.task.document.kind} {r.task.document.number}" if r.task.document else "",
                    r.task.lead_unit.name if r.task.lead_unit else "",
                    r.task.accountable_user.full_name if r.task.accountable_user else "",
                    r.task.start_date,
                    r.task.due_date,
                    r.task.original_due_date,
                    CATEGORY_LABELS[r.category],
                    "Có" if r.due_soon else "",
                    r.task.progress_percent,
                    day,
                ]
                for r in rows
            ],
        )
    ]
