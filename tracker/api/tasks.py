"""Directive documents and tasks: drafting, the 5 rõ gate, every transition, history.

Each endpoint loads what the caller may see (another unit's task is a 404), calls one
service — the same as the web page's — commits, and answers with the task as it now is.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from tracker.api.access import caller, checked_first, require_token, saved
from tracker.api.pagination import page
from tracker.api.parsing import Blueprint
from tracker.api.schemas.common import PageArgs, page_of
from tracker.api.schemas.tasks import (
    AcceptIn,
    CommentIn,
    CommentList,
    CommentOut,
    DecisionIn,
    DocumentIn,
    DocumentOut,
    ExtensionDecided,
    ExtensionIn,
    HistoryEventOut,
    ProgressIn,
    ReviewIn,
    SubmitIn,
    SubtaskIn,
    TaskArgs,
    TaskGroupIn,
    TaskGroupOut,
    TaskIn,
    TaskOut,
    TaskPatch,
    WithdrawIn,
)
from tracker.audit.models import AuditEvent
from tracker.clock import utcnow
from tracker.errors import NotFound, ValidationError
from tracker.extensions import db
from tracker.org.models import User
from tracker.tasks import comments, queries, services
from tracker.tasks.clarity import missing_clarity
from tracker.tasks.classification import AsOf, Category, as_of, category_of, is_due_soon
from tracker.tasks.documents import services as document_services
from tracker.tasks.evidence import Upload
from tracker.tasks.models import SourceDocument, Task, TaskGroup, TaskState, stage_of
from tracker.tasks.permissions import (
    Action,
    allowed_actions,
    get_extension_request,
    get_task,
    group_parent,
    require_can_create,
    require_can_give_out,
)

blp = Blueprint("Tasks", __name__, description="Văn bản chỉ đạo và nhiệm vụ")
blp.before_request(require_token)

# API names of fields the services call otherwise.
_API_NAMES = {"supervisor_id": "supervisor_user_id", "coordinating": "coordinating_units"}
# What a task's JSON reads, loaded with the page rather than row by row.
TASK_LOAD = (
    selectinload(Task.coordinations),
    selectinload(Task.milestones),
    selectinload(Task.process_steps),
    selectinload(Task.extension_requests),
    selectinload(Task.assignee_user),
    selectinload(Task.supervisor).selectinload(User.role_rows),
    selectinload(Task.subtasks),
    selectinload(Task.parent),  # a sub-task's assigner is its parent's lead unit head
)


class TaskView:
    """A task with what the caller sees of it today: category, due soon, actions, gaps."""

    def __init__(self, task: Task, user: User, as_of: AsOf, category=None, due_soon=None):
        self._task = task
        self.category = str(category or category_of(task, as_of))
        self.due_soon = bool(is_due_soon(task, as_of) if due_soon is None else due_soon)
        self.stage = stage_of(task).value
        # Late at some point: late now, done late, or extended on a request made too late.
        self.was_overdue = task.late_extension or self.category in (
            Category.OVERDUE,
            Category.DONE_LATE,
        )
        self.allowed_actions = sorted(a.value for a in allowed_actions(user, task))
        self.missing = (
            list(missing_clarity(task, as_of.day)) if task.state == TaskState.DRAFT else []
        )

    def __getattr__(self, name: str):
        return getattr(self._task, name)


def _view(task: Task) -> TaskView:
    db.session.refresh(task)  # what was committed: versions, dates moved by the calendar
    return TaskView(task, caller(), as_of())


@contextmanager
def _api_field_names():
    """Name fields in refusals as the API does (``supervisor_user_id``, not the column)."""
    try:
        yield
    except ValidationError as error:
        error.fields = {_API_NAMES.get(k, k): v for k, v in error.fields.items()}
        raise


def _task_input(data: dict, base: services.TaskInput | None = None) -> services.TaskInput:
    """Build the services' input from API fields; fields left out keep ``base``'s values."""
    values = dict(base.__dict__) if base else {}
    names = {"supervisor_user_id": "supervisor_id", "coordinating_units": "coordinating"}
    for key, value in data.items():
        if key == "version":
            continue
        if key == "coordinating_units":
            value = [services.CoordinationInput(c["unit_id"], c["responsibility"]) for c in value]
        elif key == "milestones":
            value = [services.MilestoneInput(m["title"], m["due_date"]) for m in value]
        values[names.get(key, key)] = value
    return services.TaskInput(**values)


# ------------------------------------------------------------------ documents


@blp.route("/documents")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(DocumentOut, "DocumentPage"))
def documents(args: dict):
    """Văn bản chỉ đạo, mới nhất trước."""
    query = sa.select(SourceDocument).order_by(
        SourceDocument.issued_on.desc(), SourceDocument.id.desc()
    )
    return page(query, args)


@blp.route("/documents", methods=["POST"])
@checked_first(lambda: require_can_create(caller()))
@blp.arguments(DocumentIn)
@blp.response(201, DocumentOut)
def register_document(data: dict):
    """Đăng ký văn bản chỉ đạo (Văn phòng UBND)."""
    return saved(document_services.register_document(**data, actor=caller(), now=utcnow()))


@blp.route("/documents/<int:document_id>")
@blp.response(200, DocumentOut)
def document(document_id: int):
    """Một văn bản chỉ đạo."""
    found = db.session.get(SourceDocument, document_id)
    if found is None:
        raise NotFound(_("Không tìm thấy văn bản."))
    return found


# ------------------------------------------------------------------ tasks


@blp.route("/tasks")
@blp.arguments(TaskArgs, location="query")
@blp.response(200, page_of(TaskOut, "TaskPage"))
def task_list(args: dict):
    """Nhiệm vụ người gọi được xem, lọc theo nhóm, đơn vị, lĩnh vực, văn bản, hạn, từ khoá.

    ``as_of`` xếp nhóm theo ngày đã qua (mặc định hôm nay); ``due_after``/``due_before``
    là các mốc tính cả ngày đó."""
    report_day = as_of(args.get("as_of"))
    filters = queries.TaskFilters(
        category=args.get("category"),
        unit_id=args.get("lead_unit_id"),
        field_id=args.get("field_id"),
        document_id=args.get("document_id"),
        due_from=args.get("due_after"),
        due_to=args.get("due_before"),
        q=args["q"],
        stage=args.get("stage"),
    )
    result = queries.search_tasks(
        caller(), filters, report_day, page=args["page"], per_page=args["per_page"], load=TASK_LOAD
    )
    items = [TaskView(r.task, caller(), report_day, r.category, r.due_soon) for r in result.rows]
    return {
        "items": items,
        "total": result.total,
        "page": result.page,
        "per_page": args["per_page"],
    }


@blp.route("/tasks", methods=["POST"])
@checked_first(lambda: require_can_create(caller()))
@blp.arguments(TaskIn)
@blp.response(201, TaskOut)
def create_task(data: dict):
    """Soạn dự thảo nhiệm vụ; dự thảo có thể chưa đủ “5 rõ” (xem ``missing``)."""
    with _api_field_names():
        task = services.create_draft(_task_input(data), actor=caller(), now=utcnow())
    db.session.flush()  # the answer shows what was written; the request commits at its end
    return _view(task)


@blp.route("/tasks/<int:task_id>")
@blp.response(200, TaskOut)
def task_detail(task_id: int):
    """Một nhiệm vụ."""
    return TaskView(get_task(task_id, caller()), caller(), as_of())


@blp.route("/tasks/<int:task_id>", methods=["PATCH"])
@checked_first(lambda task_id: get_task(task_id, caller(), Action.EDIT))
@blp.arguments(TaskPatch(partial=tuple(TaskIn().fields)))
@blp.response(200, TaskOut)
def edit_task(data: dict, task_id: int):
    """Sửa nhiệm vụ; gửi kèm ``version`` đã đọc (đã cũ: 409, không lưu gì)."""
    task = get_task(task_id, caller())
    with _api_field_names():
        services.update_task(
            task,
            _task_input(data, base=services.task_input_from(task)),
            expected_version=data["version"],
            actor=caller(),
            now=utcnow(),
        )
    db.session.flush()  # the answer shows what was written; the request commits at its end
    return _view(task)


@blp.route("/tasks/<int:task_id>/subtasks", methods=["POST"])
@checked_first(lambda task_id: get_task(task_id, caller(), Action.SPLIT))
@blp.arguments(SubtaskIn)
@blp.response(201, TaskOut)
def create_subtask(data: dict, task_id: int):
    """Giao nhiệm vụ con (dự thảo) cho đơn vị trực thuộc đơn vị chủ trì; hạn không sau hạn
    của nhiệm vụ cha. Lãnh đạo đơn vị chủ trì ban hành bằng ``/issue`` như mọi nhiệm vụ."""
    parent = get_task(task_id, caller())
    weight = data.pop("weight")
    with _api_field_names():
        task = services.create_subtask(
            parent, _task_input(data), weight=weight, actor=caller(), now=utcnow()
        )
    db.session.flush()  # the answer shows what was written; the request commits at its end
    return _view(task)


def _group_out(group_id: int) -> dict:
    group = db.session.get(TaskGroup, group_id)
    summary = queries.group_summary(group_id, caller(), as_of()) if group else None
    if group is None or not summary.rows:
        raise NotFound(_("Không tìm thấy nhóm nhiệm vụ."))
    return {
        "id": group.id,
        "title": group.title,
        "created_at": group.created_at,
        "received": summary.received,
        "accepted": summary.accepted,
        "done": summary.done,
        "done_on_time": summary.count(Category.DONE_ON_TIME),
        "overdue": summary.count(Category.OVERDUE),
        "task_ids": [row.task.id for row in summary.rows],
    }


@blp.route("/task-groups", methods=["POST"])
@checked_first(lambda: require_can_give_out(caller()))
@blp.arguments(TaskGroupIn)
@blp.response(201, TaskGroupOut)
def issue_to_units(data: dict):
    """Giao một nhiệm vụ cho nhiều đơn vị cùng lúc: mỗi đơn vị một nhiệm vụ, thủ trưởng đơn
    vị chịu trách nhiệm chính; giao được cho tất cả hoặc không giao cho đơn vị nào."""
    parent_id, unit_ids = data.pop("parent_task_id"), data.pop("unit_ids")
    parent = group_parent(parent_id, caller())
    with _api_field_names():
        group = services.issue_to_units(
            _task_input(data), unit_ids, actor=caller(), now=utcnow(), parent=parent
        )
    db.session.flush()  # the answer shows what was written; the request commits at its end
    return _group_out(group.id)


@blp.route("/task-groups/<int:group_id>")
@blp.response(200, TaskGroupOut)
def task_group(group_id: int):
    """Tình hình chung của nhiệm vụ đã giao cho nhiều đơn vị."""
    return _group_out(group_id)


def _transition(task_id: int, run) -> TaskView:
    task = get_task(task_id, caller())
    run(task, caller(), utcnow())
    db.session.flush()  # the answer shows what was written; the request commits at its end
    return _view(task)


@blp.route("/tasks/<int:task_id>/issue", methods=["POST"])
@blp.response(200, TaskOut)
def issue(task_id: int):
    """Giao nhiệm vụ; thiếu “rõ” nào thì 422 với ``missing``."""
    return _transition(task_id, lambda t, u, now: services.issue_task(t, actor=u, now=now))


@blp.route("/tasks/<int:task_id>/accept", methods=["POST"])
@checked_first(lambda task_id: get_task(task_id, caller(), Action.ACCEPT))
@blp.arguments(AcceptIn)
@blp.response(200, TaskOut)
def accept(data: dict, task_id: int):
    """Thủ trưởng đơn vị chủ trì tiếp nhận, có thể giao người thực hiện."""
    return _transition(
        task_id,
        lambda t, u, now: services.accept_task(
            t, actor=u, now=now, assignee_id=data["assignee_user_id"]
        ),
    )


@blp.route("/tasks/<int:task_id>/withdraw", methods=["POST"])
@checked_first(lambda task_id: get_task(task_id, caller(), Action.WITHDRAW))
@blp.arguments(WithdrawIn)
@blp.response(200, TaskOut)
def withdraw(data: dict, task_id: int):
    """Thu hồi nhiệm vụ đã giao, nêu lý do."""
    return _transition(
        task_id,
        lambda t, u, now: services.withdraw_task(t, actor=u, now=now, reason=data["reason"]),
    )


@blp.route("/tasks/<int:task_id>/progress", methods=["POST"])
@checked_first(lambda task_id: get_task(task_id, caller(), Action.REPORT_PROGRESS))
@blp.arguments(ProgressIn)
@blp.response(200, TaskOut)
def progress(data: dict, task_id: int):
    """Báo cáo tiến độ (tỷ lệ, kết quả đạt được, khó khăn, đề xuất)."""
    return _transition(
        task_id,
        lambda t, u, now: services.report_progress(
            t,
            actor=u,
            now=now,
            percent=data["percent"],
            narrative=data["note"],
            difficulties=data["difficulties"],
            proposals=data["proposals"],
        ),
    )


@blp.route("/tasks/<int:task_id>/submit", methods=["POST"])
@checked_first(lambda task_id: get_task(task_id, caller(), Action.SUBMIT))
@blp.arguments(SubmitIn)
@blp.response(200, TaskOut)
def submit(data: dict, task_id: int):
    """Báo cáo kết quả hoàn thành để người giao việc đánh giá."""
    return _transition(
        task_id,
        lambda t, u, now: services.submit_result(t, actor=u, now=now, result=data["result"]),
    )


@blp.route("/tasks/<int:task_id>/review", methods=["POST"])
@checked_first(lambda task_id: get_task(task_id, caller(), Action.REVIEW))
@blp.arguments(ReviewIn)
@blp.response(200, TaskOut)
def review(data: dict, task_id: int):
    """Đánh giá kết quả: công nhận hoàn thành, hoặc trả lại kèm yêu cầu."""
    return _transition(
        task_id,
        lambda t, u, now: services.review_result(
            t, actor=u, now=now, accept=data["accept"], note=data["note"]
        ),
    )


@blp.route("/tasks/<int:task_id>/extension-requests", methods=["POST"])
@checked_first(lambda task_id: get_task(task_id, caller(), Action.REQUEST_EXTENSION))
@blp.arguments(ExtensionIn)
@blp.response(201, ExtensionDecided)
def request_extension(data: dict, task_id: int):
    """Đề nghị gia hạn, nêu hạn mới và lý do."""
    task = get_task(task_id, caller())
    request = services.request_extension(
        task, actor=caller(), now=utcnow(), new_due_date=data["new_due_date"], reason=data["reason"]
    )
    db.session.flush()  # the answer shows what was written; the request commits at its end
    return _extension_out(request)


@blp.route("/extension-requests/<int:request_id>/decision", methods=["POST"])
@checked_first(
    lambda request_id: get_extension_request(request_id, caller(), Action.DECIDE_EXTENSION)
)
@blp.arguments(DecisionIn)
@blp.response(200, ExtensionDecided)
def decide_extension(data: dict, request_id: int):
    """Đồng ý (hạn mới có hiệu lực, hạn cũ vẫn lưu) hoặc không đồng ý gia hạn."""
    request = get_extension_request(request_id, caller(), Action.DECIDE_EXTENSION)
    services.decide_extension(
        request, actor=caller(), now=utcnow(), approve=data["approve"], note=data["note"]
    )
    db.session.flush()  # the answer shows what was written; the request commits at its end
    return _extension_out(request)


def _extension_out(request):
    db.session.refresh(request)
    out = {column: getattr(request, column) for column in ExtensionDecided().fields}
    out["status"] = request.status.value
    out["task"] = _view(request.task)
    return out


@blp.route("/tasks/<int:task_id>/comments")
@blp.response(200, CommentList)
def comment_list(task_id: int):
    """Ý kiến trao đổi về nhiệm vụ (cũ trước), kèm tệp đính kèm."""
    return {"items": comments.comments_of(get_task(task_id, caller()))}


@blp.route("/tasks/<int:task_id>/comments", methods=["POST"])
@checked_first(lambda task_id: get_task(task_id, caller()))
@blp.arguments(CommentIn, location="json_or_form")
@blp.response(201, CommentOut)
def add_comment(data: dict, task_id: int):
    """Thêm ý kiến (JSON ``{"body"}``, hoặc multipart với ``body`` và các tệp ``files``)."""
    uploads = [
        Upload(file.filename, file.read())
        for file in request.files.getlist("files")
        if file and file.filename
    ]
    comment = comments.add_comment(
        get_task(task_id, caller()), actor=caller(), now=utcnow(), body=data["body"], files=uploads
    )
    db.session.flush()  # the answer shows what was written; the request commits at its end
    return comment


@blp.route("/tasks/<int:task_id>/history")
@checked_first(lambda task_id: get_task(task_id, caller()))
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(HistoryEventOut, "HistoryPage"))
def history(args: dict, task_id: int):
    """Nhật ký của nhiệm vụ (cũ trước), đúng như lưu trong chuỗi kiểm toán."""
    task = get_task(task_id, caller())
    query = (
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == "Task", AuditEvent.object_id == task.id)
        .order_by(AuditEvent.seq)
    )
    result = page(query, args)
    result["items"] = [_event(e) for e in result["items"]]
    return result


def _event(event: AuditEvent) -> dict:
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "before": json.loads(event.before) if event.before else None,
        "after": json.loads(event.after) if event.after else None,
    }
