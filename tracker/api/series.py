"""Recurring tasks: a series, its next occurrences, and pausing, ending or changing it."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.api.access import caller, checked_first, require_token
from tracker.api.pagination import page
from tracker.api.parsing import Blueprint
from tracker.api.schemas.common import PageArgs, page_of
from tracker.api.schemas.series import EndIn, SeriesChangeIn, SeriesIn, SeriesOut
from tracker.api.tasks import _api_field_names, _task_input
from tracker.clock import local_date, utcnow
from tracker.extensions import db
from tracker.tasks.models import TaskSeries
from tracker.tasks.permissions import require_can_create
from tracker.tasks.series import services as recurring

blp = Blueprint("Recurring tasks", __name__, description="Nhiệm vụ định kỳ")
blp.before_request(require_token)


class SeriesView:
    """A series with its next occurrences and the tasks made so far."""

    def __init__(self, series: TaskSeries):
        self._series = series
        self.upcoming = recurring.upcoming(series, local_date(utcnow()))
        self.task_ids = [task.id for task in recurring.occurrences_of(series)]

    def __getattr__(self, name: str):
        return getattr(self._series, name)


def _view(series: TaskSeries) -> SeriesView:
    db.session.flush()  # the answer shows what was written; the request commits at its end
    return SeriesView(series)


@blp.route("/task-series")
@checked_first(lambda: require_can_create(caller()))
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(SeriesOut, "SeriesPage"))
def series_list(args: dict):
    """Các nhiệm vụ định kỳ (Văn phòng)."""
    result = page(sa.select(TaskSeries).order_by(TaskSeries.id.desc()), args)
    result["items"] = [SeriesView(s) for s in result["items"]]
    return result


@blp.route("/task-series", methods=["POST"])
@checked_first(lambda: require_can_create(caller()))
@blp.arguments(SeriesIn)
@blp.response(201, SeriesOut)
def create_series(data: dict):
    """Tạo nhiệm vụ định kỳ; nội dung phải đủ “5 rõ” (thử với kỳ đầu tiên)."""
    rule = recurring.Rule(**data.pop("rule"))
    starts_on, ends_on = data.pop("starts_on"), data.pop("ends_on")
    with _api_field_names():
        made = recurring.create_series(
            _task_input(data),
            rule,
            starts_on=starts_on,
            ends_on=ends_on,
            actor=caller(),
            now=utcnow(),
        )
    return _view(made)


@blp.route("/task-series/<int:series_id>")
@blp.response(200, SeriesOut)
def series_detail(series_id: int):
    """Một nhiệm vụ định kỳ, các kỳ sắp tới và các nhiệm vụ đã tạo."""
    return SeriesView(recurring.get_series(series_id, caller()))


def _paused(series_id: int, paused: bool) -> SeriesView:
    found = recurring.get_series(series_id, caller())
    recurring.set_paused(found, paused, actor=caller(), now=utcnow())
    return _view(found)


@blp.route("/task-series/<int:series_id>/pause", methods=["POST"])
@blp.response(200, SeriesOut)
def pause(series_id: int):
    """Tạm dừng: không tạo kỳ mới."""
    return _paused(series_id, True)


@blp.route("/task-series/<int:series_id>/resume", methods=["POST"])
@blp.response(200, SeriesOut)
def resume(series_id: int):
    """Tiếp tục: kỳ nào đến lượt (chưa quá hạn) sẽ được tạo ở lần chạy sau."""
    return _paused(series_id, False)


@blp.route("/task-series/<int:series_id>/end", methods=["POST"])
@checked_first(lambda series_id: recurring.get_series(series_id, caller()))
@blp.arguments(EndIn)
@blp.response(200, SeriesOut)
def end(data: dict, series_id: int):
    """Kết thúc sau một ngày; các nhiệm vụ đã tạo giữ nguyên."""
    found = recurring.get_series(series_id, caller())
    recurring.end_series(found, data["ends_on"], actor=caller(), now=utcnow())
    return _view(found)


@blp.route("/task-series/<int:series_id>/change", methods=["POST"])
@checked_first(lambda series_id: recurring.get_series(series_id, caller()))
@blp.arguments(SeriesChangeIn)
@blp.response(201, SeriesOut)
def change(data: dict, series_id: int):
    """Thay đổi từ một ngày: chuỗi cũ kết thúc hôm trước, chuỗi mới tiếp nối (lịch sử giữ)."""
    found = recurring.get_series(series_id, caller())
    rule = recurring.Rule(**data.pop("rule"))
    effective_from = data.pop("effective_from")
    with _api_field_names():
        new = recurring.change_series(
            found,
            _task_input(data),
            rule,
            effective_from=effective_from,
            actor=caller(),
            now=utcnow(),
        )
    return _view(new)
