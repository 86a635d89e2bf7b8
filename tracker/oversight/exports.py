"""The oversight reports as Excel sheets: the same figures as the pages, a sheet per section."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from tracker.oversight.notice_log import LOG_KINDS, LogRow
from tracker.oversight.reports import BriefingRow, Dashboard, Figures, Score
from tracker.tasks.classification import CATEGORY_LABELS, Category
from tracker.text import N_
from tracker.web.xlsx import Sheet

# The columns of a set of figures: the categories under their one label, then the rest.
FIGURE_HEADERS = [
    CATEGORY_LABELS[Category.ON_TRACK],
    CATEGORY_LABELS[Category.OVERDUE],
    CATEGORY_LABELS[Category.DONE_ON_TIME],
    CATEGORY_LABELS[Category.DONE_LATE],
    CATEGORY_LABELS[Category.WITHDRAWN],
    N_("Sắp đến hạn"),
    N_("Không cập nhật"),
    N_("Tỷ lệ đúng hạn (%)"),
]


def headers(*names: str) -> list[str]:
    """Return column headers in the reader's language (the sheets follow the page's)."""
    return [_(name) for name in names]


def _yes(flag: bool) -> str:
    return _("Có") if flag else ""


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
            _("Toàn thành phố"),
            headers(N_("Ngày số liệu"), *FIGURE_HEADERS),
            [[day, *_figures(report.total)]],
        ),
        Sheet(
            _("Theo đơn vị"),
            headers(N_("Ngày số liệu"), N_("Mã đơn vị"), N_("Đơn vị"), *FIGURE_HEADERS),
            [[day, u.code, u.name, *_figures(f)] for u, f in report.by_unit],
        ),
        Sheet(
            _("Theo lĩnh vực"),
            headers(N_("Ngày số liệu"), N_("Lĩnh vực"), *FIGURE_HEADERS),
            [[day, x.name, *_figures(f)] for x, f in report.by_field],
        ),
        Sheet(
            _("Theo văn bản"),
            headers(N_("Ngày số liệu"), N_("Văn bản"), N_("Ngày ban hành"), *FIGURE_HEADERS),
            [
                [day, f"{d.kind} {d.number}", d.issued_on, *_figures(f)]
                for d, f in report.by_document
            ],
        ),
        Sheet(
            _("Quá hạn theo tuần"),
            headers(N_("Ngày"), N_("Số nhiệm vụ quá hạn")),
            report.weekly_overdue,
        ),
    ]


SCORE_HEADERS = [
    N_("Nhận trong kỳ"),
    CATEGORY_LABELS[Category.DONE_ON_TIME],
    CATEGORY_LABELS[Category.DONE_LATE],
    N_("Đang trong hạn"),
    N_("Đang quá hạn"),
    N_("Tỷ lệ đúng hạn (%)"),
    N_("Số ngày chậm trung bình"),
    N_("Chậm nhiều nhất (ngày)"),
    N_("Đề nghị gia hạn"),
    N_("Được gia hạn"),
    N_("Nhắc hạn"),
    N_("Cảnh báo"),
    N_("Đôn đốc"),
    N_("Hồ sơ chuyển Sở Nội vụ"),
    N_("Kết luận"),
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
            _("Xếp hạng đơn vị"),
            headers(
                N_("Hạng"),
                N_("Từ ngày"),
                N_("Đến ngày"),
                N_("Mã đơn vị"),
                N_("Đơn vị"),
                *SCORE_HEADERS,
            ),
            [
                [rank, start, end, u.code, u.name, *score_cells(s, outcomes)]
                for rank, (u, s) in enumerate(rows, start=1)
            ],
        )
    ]


def unit_sheets(unit, score: Score | None, people, start: date, end: date, outcomes: dict):
    """Return a unit's scorecard for a period, then that of each official who answers for
    its tasks, as two sheets."""
    sheets = ranking_sheets([(unit, score)] if score else [], start, end, outcomes)
    sheets[0].title = _("Đơn vị")
    sheets.append(
        Sheet(
            _("Cá nhân"),
            headers(N_("Họ và tên"), N_("Chức vụ"), *SCORE_HEADERS),
            [[p.full_name, p.position or "", *score_cells(s, outcomes)] for p, s in people],
        )
    )
    return sheets


def person_sheets(person, score: Score | None, start: date, end: date, outcomes: dict):
    """Return one official's scorecard for a period as a sheet."""
    cells = [person.full_name, person.position or "", person.unit.name, start, end]
    return [
        Sheet(
            _("Cá nhân"),
            headers(
                N_("Họ và tên"),
                N_("Chức vụ"),
                N_("Đơn vị"),
                N_("Từ ngày"),
                N_("Đến ngày"),
                *SCORE_HEADERS,
            ),
            [[*cells, *score_cells(score, outcomes)]] if score else [],
        )
    ]


def briefing_sheets(groups: list, day: date) -> list[Sheet]:
    """Return the weekly briefing list as a sheet, one row per task, by leader."""

    def row(leader, r: BriefingRow):
        t = r.task
        state = _(CATEGORY_LABELS[Category(r.category)])
        return [
            leader.full_name if leader else "",
            t.title,
            t.lead_unit.name if t.lead_unit else "",
            t.accountable_user.full_name if t.accountable_user else "",
            t.due_date,
            state,
            r.days_overdue,
            r.last_report,
            _yes(r.stale),
        ]

    return [
        Sheet(
            _("Giao ban tuần"),
            headers(
                N_("Lãnh đạo phụ trách"),
                N_("Nhiệm vụ"),
                N_("Đơn vị chủ trì"),
                N_("Người chịu trách nhiệm"),
                N_("Hạn hoàn thành"),
                N_("Tình trạng"),
                N_("Số ngày làm việc quá hạn"),
                N_("Báo cáo gần nhất"),
                N_("Không cập nhật"),
            ),
            [row(group.leader, r) for group in groups for r in group.rows],
        )
    ]


def task_sheets(rows, day: date) -> list[Sheet]:
    """Return a task search as a sheet."""
    return [
        Sheet(
            _("Nhiệm vụ"),
            headers(
                N_("Mã"),
                N_("Nhiệm vụ"),
                N_("Văn bản"),
                N_("Đơn vị chủ trì"),
                N_("Người chịu trách nhiệm"),
                N_("Ngày bắt đầu"),
                N_("Hạn hoàn thành"),
                N_("Hạn ban đầu"),
                N_("Tình trạng"),
                N_("Sắp đến hạn"),
                N_("Tiến độ (%)"),
                N_("Ngày số liệu"),
            ),
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
                    _(CATEGORY_LABELS[r.category]),
                    _yes(r.due_soon),
                    r.task.progress_percent,
                    day,
                ]
                for r in rows
            ],
        )
    ]


def notice_log_sheets(rows) -> list[Sheet]:
    """Return the log of reminders, warnings, urgings and escalations sent, one row per
    notice and recipient."""

    def row(r: LogRow):
        return [
            r.sent_at,
            str(LOG_KINDS.get(r.kind, r.kind)),
            r.task_id,
            r.task_title,
            r.unit,
            r.recipient,
            r.rule,
            r.email or _("không nhận thư"),
            r.read_at,
        ]

    return [
        Sheet(
            _("Nhật ký nhắc hạn – cảnh báo"),
            headers(
                N_("Thời điểm gửi"),
                N_("Loại thông báo"),
                N_("Số nhiệm vụ"),
                N_("Nhiệm vụ"),
                N_("Đơn vị chủ trì"),
                N_("Người nhận"),
                N_("Quy tắc"),
                N_("Thư điện tử"),
                N_("Đã đọc lúc"),
            ),
            (row(r) for r in rows),
        )
    ]
