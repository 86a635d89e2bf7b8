"""Task pages: my work, the list, a task's detail, drafting and every action on a task.

Routes parse the form, call one service and render or redirect; the rules live in
services.py and permissions.py.
"""

from __future__ import annotations

from functools import partial

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from tracker.calendar.services import load_calendar
from tracker.clock import local_date, utcnow
from tracker.errors import ConflictError, IncompleteTaskError, ValidationError
from tracker.extensions import db
from tracker.org.models import CARRIER_ROLES, Role
from tracker.org.services import carriers_of
from tracker.tasks import comments, queries, services
from tracker.tasks import forms as f
from tracker.tasks.clarity import CLARITY_KEYS, CLARITY_LABELS, missing_clarity
from tracker.tasks.classification import (
    CATEGORY_LABELS,
    STAGE_LABELS,
    as_of,
    category_of,
    is_due_soon,
)
from tracker.tasks.documents import services as documents
from tracker.tasks.downloads import send_evidence
from tracker.tasks.models import EvidenceFile, ExtensionStatus, Task, TaskGroup, stage_of
from tracker.tasks.pending import NEEDED_LABELS, pending_for
from tracker.tasks.permissions import (
    Action,
    allowed_actions,
    get_extension_request,
    get_task,
    group_parent,
    require_can_create,
)
from tracker.tasks.process_templates import services as templates
from tracker.tasks.queries import OPEN_STAGE
from tracker.tasks.timeline import task_timeline
from tracker.web.forms import form_status, refusal_shown_on, show_form_errors
from tracker.web.transactions import keep_changes

bp = Blueprint("tasks", __name__)


# Where a person lands who carries no tasks and gives none out: the page of their own work.
ROLE_HOMES = (
    (Role.LEADER, "oversight.briefing"),  # their fields' briefing
    (Role.INSPECTOR, "oversight.dashboard"),  # Sở Nội vụ: Giám sát
    (Role.ADMIN, "system.index"),  # Quản trị
)


@bp.route("/")
@login_required
def home():
    """Land each person where their day starts: those who carry or give out tasks on their
    own work, a leader on the briefing, an inspector on the oversight dashboard, an admin
    on the system's state. "Việc của tôi" stays in everyone's menu."""
    if not current_user.has_role(*CARRIER_ROLES, Role.ASSIGNER):
        for role, endpoint in ROLE_HOMES:
            if current_user.has_role(role):
                return redirect(url_for(endpoint))
    return my_work()


@bp.route("/my-work")
@login_required
def my_work():
    """Show what waits for the person and what it needs, then their own tasks: overdue and
    due soon first."""
    day = as_of()
    return render_template(
        "tasks/my_work.html",
        work=queries.my_work(current_user, day),
        pending=pending_for(current_user, day, now=utcnow()),
        needed_labels=NEEDED_LABELS,
        labels=CATEGORY_LABELS,
    )


@bp.route("/tasks")
@login_required
def task_list():
    """List the tasks the person may see, with filters, counts and pages; without filters,
    the open ones, soonest due first."""
    query = request.args or MultiDict({"stage": OPEN_STAGE})
    form = f.FilterForm(query)
    form.load_choices()
    if not form.validate():
        flash(_("Một số điều kiện lọc không hợp lệ và đã được bỏ qua."), "warning")
        for field in form:
            if field.errors:
                field.data = None
                field.errors = []
    page = request.args.get("page", 1, type=int)
    result = queries.search_tasks(current_user, form.to_filters(), as_of(), page=page, per_page=25)
    args = {k: v for k, v in query.items() if k != "page" and v}
    return render_template(
        "tasks/list.html", form=form, result=result, labels=CATEGORY_LABELS, args=args
    )


@bp.app_template_global("task_stage")
def task_stage(task: Task) -> tuple[str, str]:
    """Where a task is in its life, for the badge beside its category: (code, label)."""
    stage = stage_of(task)
    return stage.value, _(STAGE_LABELS[stage])


# ------------------------------------------------------------------ drafting


def _task_form(task: Task | None = None) -> f.TaskForm:
    form = f.TaskForm()
    if task is not None and request.method == "GET":
        form.fill_from(task)
    form.add_blank_rows()
    form.load_choices()
    return form


def _show_errors(form: f.TaskForm, error: ValidationError) -> None:
    if isinstance(error, IncompleteTaskError):
        # Each missing "rõ" is shown next to its first field, and all of them in the flash.
        for key, message in error.fields.items():
            getattr(form, f.CLARITY_FIELDS[key]).errors.append(message)
        flash(error.message, "danger")
        return
    show_form_errors(form, error)


def _render_task_form(form, task, status=200, checklist=None, conflict=None, parent=None):
    if checklist is None:
        checklist = missing_clarity(task) if task is not None else None
    return render_template(
        "tasks/form.html",
        form=form,
        task=task,
        parent=parent,
        checklist=checklist,
        conflict=conflict,
        clarity_keys=CLARITY_KEYS,
        clarity_labels=CLARITY_LABELS,
    ), status


def _missing(form) -> dict | None:
    """The missing "rõ" of the refusal the form shows, if it was the gate's."""
    refusal = getattr(form, "refusal", None)
    return refusal.fields if isinstance(refusal, IncompleteTaskError) else None


def _save(form: f.TaskForm, task: Task | None):
    """Save the form as a draft (and issue it if asked); re-show it on any refusal."""
    now = utcnow()
    data = form.to_input()

    def refused_page():
        stored = db.session.get(Task, task.id) if task is not None and task.id else None
        return _render_task_form(form, stored, checklist=_missing(form))

    def draft_kept_page():
        # "Lưu và giao" refused: the draft is saved all the same, and the form comes back
        # as the draft's edit form, with what stops it from being issued.
        keep_changes()
        stored = db.session.get(Task, task.id)
        form.version.data = str(stored.version)
        flash(_("Đã lưu dự thảo nhưng chưa giao được; hãy bổ sung rồi giao lại."), "warning")
        return _render_task_form(form, stored, checklist=_missing(form))

    try:
        with refusal_shown_on(form, refused_page, show=_show_errors):
            task = _save_draft(form, task, data, now)
        if form.issue.data:
            with refusal_shown_on(form, draft_kept_page, show=_show_errors):
                services.issue_task(task, actor=current_user, now=now)
    except ConflictError as error:
        stored = db.session.get(Task, task.id)
        form.version.data = str(stored.version)
        return _render_task_form(form, stored, 409, conflict=error.message)
    if form.issue.data:
        flash(_("Đã giao nhiệm vụ cho %(unit)s.", unit=task.lead_unit.name), "success")
    else:
        flash(_("Đã lưu dự thảo."), "success")
    return redirect(url_for("tasks.detail", task_id=task.id))


def _save_draft(form: f.TaskForm, task: Task | None, data, now) -> Task:
    """Create or update the draft from the form (registering a new document if typed)."""
    if form.wants_new_document():
        document = documents.register_document(
            number=form.new_document_number.data,
            kind=form.new_document_kind.data,
            issuer=form.new_document_issuer.data,
            issued_on=form.new_document_date.data,
            summary=form.new_document_summary.data,
            actor=current_user,
            now=now,
        )
        data.document_id = document.id
    if task is None:
        return services.create_draft(data, actor=current_user, now=now)
    # A version that is no number (a tampered form) is as stale as an old one.
    raw = str(form.version.data or "")
    version = int(raw) if raw.isascii() and raw.isdigit() else 0
    services.update_task(task, data, expected_version=version, actor=current_user, now=now)
    return task


def _apply_template(form: f.TaskForm, task: Task | None, parent: Task | None = None):
    """Fill the form from the chosen template, counted from its start date; save nothing."""
    if form.template_id.data is None:
        form.template_id.errors = [_("Hãy chọn một quy trình mẫu.")]
    elif form.start_date.data is None:
        form.start_date.errors = [_("Cần ngày bắt đầu để tính các mốc theo quy trình mẫu.")]
    else:
        try:
            plan = templates.plan(
                templates.get_template(form.template_id.data),
                form.start_date.data,
                load_calendar(),
                local_date(utcnow()),
            )
        except ValidationError as error:
            show_form_errors(form, error)
        else:
            form.fill_plan(plan)
            flash(_("Đã điền các bước và đề xuất mốc tiến độ; hãy xem lại rồi lưu."), "info")
            return _render_task_form(form, task, parent=parent)
    return _render_task_form(form, task, 422, parent=parent)


@bp.route("/tasks/new", methods=["GET", "POST"])
@login_required
def new_task():
    """Draft a new task (the office)."""
    require_can_create(current_user)
    form = _task_form()
    if request.method == "GET":
        form.start_date.data = local_date(utcnow())  # a new task starts today unless changed
        if request.args.get("document_id", type=int):
            form.document_id.data = request.args.get("document_id", type=int)
    if form.validate_on_submit():
        if form.apply_template.data:
            return _apply_template(form, None)
        return _save(form, None)
    return _render_task_form(form, None, 422 if request.method == "POST" else 200)


@bp.route("/tasks/carriers")
@login_required
def carriers():
    """The people a task led by ``unit_id`` may name as accountable or carrier, as JSON
    for the task form's pickers (static/pickers.js)."""
    unit_id = request.args.get("unit_id", type=int)
    return jsonify([{"id": u.id, "label": f.person_label(u)} for u in carriers_of(unit_id)])


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
def edit_task(task_id: int):
    """Edit a task; a draft may be saved incomplete, an issued task must stay clear."""
    task = get_task(task_id, current_user, Action.EDIT)
    form = _task_form(task)
    if form.validate_on_submit():
        if form.apply_template.data:
            return _apply_template(form, task)
        return _save(form, task)
    return _render_task_form(form, task, 422 if request.method == "POST" else 200)


@bp.route("/tasks/<int:task_id>/subtasks/new", methods=["GET", "POST"])
@login_required
def new_subtask(task_id: int):
    """Give part of an accepted task to a unit below the lead unit (its head does)."""
    parent = get_task(task_id, current_user, Action.SPLIT)
    form = f.SubtaskForm()
    form.add_blank_rows()
    form.load_choices()
    form.limit_to(parent)
    if request.method == "GET":
        form.start_from(parent, local_date(utcnow()))
    if not form.validate_on_submit():
        return _render_task_form(form, None, form_status(), parent=parent)
    if form.apply_template.data:
        return _apply_template(form, None, parent)
    now = utcnow()

    def refused_page():
        return _render_task_form(form, None, checklist=_missing(form), parent=parent)

    with refusal_shown_on(form, refused_page, show=_show_errors):
        task = services.create_subtask(
            parent, form.to_input(), weight=form.weight.data or 1, actor=current_user, now=now
        )
        if form.issue.data:
            services.issue_task(task, actor=current_user, now=now)
    if form.issue.data:
        flash(_("Đã giao nhiệm vụ con cho %(unit)s.", unit=task.lead_unit.name), "success")
    else:
        flash(_("Đã lưu dự thảo nhiệm vụ con."), "success")
    return redirect(url_for("tasks.detail", task_id=task.id))


@bp.route("/task-groups/new", methods=["GET", "POST"])
@login_required
def new_group():
    """Issue one task to many units at once (the office; a unit head for units below)."""
    parent = group_parent(request.args.get("parent", type=int), current_user)
    form = f.BulkTaskForm()
    form.add_blank_rows()
    form.load_choices()
    form.offer_units(parent)
    if request.method == "GET" and parent is not None:
        form.start_from(parent, local_date(utcnow()))
    if not form.validate_on_submit():
        return _render_bulk(form, parent, form_status())
    with refusal_shown_on(form, partial(_render_bulk, form, parent, 422), show=_show_errors):
        group = services.issue_to_units(
            form.to_input(), form.chosen_units(), actor=current_user, now=utcnow(), parent=parent
        )
    flash(_("Đã giao nhiệm vụ cho %(n)s đơn vị.", n=len(group.tasks)), "success")
    return redirect(url_for("tasks.group_detail", group_id=group.id))


def _render_bulk(form, parent, status):
    return render_template(
        "tasks/form.html",
        form=form,
        task=None,
        parent=parent,
        bulk=True,
        checklist=None,
        clarity_keys=CLARITY_KEYS,
        clarity_labels=CLARITY_LABELS,
    ), status


@bp.route("/task-groups/<int:group_id>")
@login_required
def group_detail(group_id: int):
    """Follow a task issued to many units: who received, accepted, finished, is late."""
    group = db.session.get(TaskGroup, group_id)
    summary = queries.group_summary(group_id, current_user, as_of()) if group else None
    if group is None or not summary.rows:
        abort(404)
    return render_template("tasks/group.html", group=group, summary=summary, labels=CATEGORY_LABELS)


# ------------------------------------------------------------------ detail and actions


def _action_forms(task: Task, allowed: frozenset[Action], bound: dict | None = None) -> dict:
    """Return an unbound form for each action the person may take, or the bound one."""
    bound = bound or {}
    staff = f.unit_staff_choices(task) if {Action.ACCEPT, Action.ASSIGN} & allowed else []
    forms = {}
    makers = {
        Action.ISSUE: f.IssueForm,
        Action.ACCEPT: f.AcceptForm,
        Action.ASSIGN: f.AssignForm,
        Action.REPORT_PROGRESS: f.ProgressForm,
        Action.REQUEST_EXTENSION: f.ExtensionRequestForm,
        Action.DECIDE_EXTENSION: f.DecisionForm,
        Action.SUBMIT: f.SubmitResultForm,
        Action.REVIEW: f.ReviewForm,
        Action.WITHDRAW: f.WithdrawForm,
    }
    for action, maker in makers.items():
        if action in allowed:
            forms[action.value] = bound.get(action.value) or maker(formdata=None)
    for name in ("accept", "assign"):
        if name in forms:
            forms[name].assignee_user_id.choices = staff
    if "report_progress" in forms and forms["report_progress"].percent.data is None:
        forms["report_progress"].percent.data = task.progress_percent
    return forms


def _detail(task: Task, bound: dict | None = None, status: int = 200):
    report_day = as_of()
    allowed = allowed_actions(current_user, task)
    pending = [r for r in task.extension_requests if r.status == ExtensionStatus.PENDING]
    bound = bound or {}
    return render_template(
        "tasks/detail.html",
        task=task,
        category=category_of(task, report_day),
        due_soon=is_due_soon(task, report_day),
        labels=CATEGORY_LABELS,
        missing=missing_clarity(task),
        clarity_keys=CLARITY_KEYS,
        clarity_labels=CLARITY_LABELS,
        allowed=allowed,
        forms=_action_forms(task, allowed, bound),
        pending_extension=pending[0] if pending else None,
        timeline=task_timeline(task),
        reports=queries.progress_reports(task),
        deadlines=services.deadline_history(task),
        subtasks=queries.subtasks_of(task, report_day),
        comments=comments.comments_of(task),
        # Anyone who sees the task may take part in its discussion.
        comment_form=bound.get("comment") or f.CommentForm(formdata=None),
    ), status


@bp.route("/tasks/<int:task_id>")
@login_required
def detail(task_id: int):
    """Show a task: its 5 rõ, its timeline and the actions the person may take."""
    return _detail(get_task(task_id, current_user))


def _act(task: Task, action: Action, form, run, done_message: str):
    """Validate an action's form and run it; re-show the page with the input on refusal."""
    if not form.validate_on_submit():
        return _detail(task, {action.value: form}, 422)

    def refused_page():
        return _detail(db.session.get(Task, task.id), {action.value: form})

    with refusal_shown_on(form, refused_page):
        run(utcnow())
    flash(done_message, "success")
    return redirect(url_for("tasks.detail", task_id=task.id))


@bp.route("/tasks/<int:task_id>/comments", methods=["POST"])
@login_required
def comment(task_id: int):
    """Add a comment, with files, to the task's discussion."""
    task = get_task(task_id, current_user)
    form = f.CommentForm()
    if not form.validate_on_submit():
        return _detail(task, {"comment": form}, 422)
    with refusal_shown_on(form, lambda: _detail(db.session.get(Task, task.id), {"comment": form})):
        comments.add_comment(
            task,
            actor=current_user,
            now=utcnow(),
            body=form.body.data,
            files=f.uploads_of(form.files),
        )
    flash(_("Đã gửi ý kiến."), "success")
    return redirect(url_for("tasks.detail", task_id=task.id, _anchor="comments"))


@bp.route("/tasks/<int:task_id>/issue", methods=["POST"])
@login_required
def issue(task_id: int):
    """Issue a draft to its lead unit."""
    task = get_task(task_id, current_user, Action.ISSUE)
    return _act(
        task,
        Action.ISSUE,
        f.IssueForm(),
        lambda now: services.issue_task(task, actor=current_user, now=now),
        _("Đã giao nhiệm vụ."),
    )


@bp.route("/tasks/<int:task_id>/accept", methods=["POST"])
@login_required
def accept(task_id: int):
    """Accept the task for the lead unit."""
    task = get_task(task_id, current_user, Action.ACCEPT)
    form = f.AcceptForm()
    form.assignee_user_id.choices = f.unit_staff_choices(task)
    return _act(
        task,
        Action.ACCEPT,
        form,
        lambda now: services.accept_task(
            task, actor=current_user, now=now, assignee_id=form.assignee_user_id.data
        ),
        _("Đã tiếp nhận nhiệm vụ."),
    )


@bp.route("/tasks/<int:task_id>/assign", methods=["POST"])
@login_required
def assign(task_id: int):
    """Name the official who carries the task."""
    task = get_task(task_id, current_user, Action.ASSIGN)
    form = f.AssignForm()
    form.assignee_user_id.choices = f.unit_staff_choices(task)
    return _act(
        task,
        Action.ASSIGN,
        form,
        lambda now: services.assign_task(
            task, assignee_id=form.assignee_user_id.data, actor=current_user, now=now
        ),
        _("Đã phân công người thực hiện."),
    )


@bp.route("/tasks/<int:task_id>/progress", methods=["POST"])
@login_required
def progress(task_id: int):
    """Report progress with evidence."""
    task = get_task(task_id, current_user, Action.REPORT_PROGRESS)
    form = f.ProgressForm()
    return _act(
        task,
        Action.REPORT_PROGRESS,
        form,
        lambda now: services.report_progress(
            task,
            actor=current_user,
            now=now,
            percent=form.percent.data,
            narrative=form.narrative.data,
            difficulties=form.difficulties.data,
            proposals=form.proposals.data,
            evidence=form.uploads(),
        ),
        _("Đã gửi báo cáo tiến độ."),
    )


@bp.route("/tasks/<int:task_id>/milestones/<int:milestone_id>/complete", methods=["POST"])
@login_required
def complete_milestone(task_id: int, milestone_id: int):
    """Mark a milestone reached."""
    task = get_task(task_id, current_user, Action.REPORT_PROGRESS)
    return _act(
        task,
        Action.REPORT_PROGRESS,
        f.IssueForm(),
        lambda now: services.complete_milestone(task, milestone_id, actor=current_user, now=now),
        _("Đã đánh dấu hoàn thành mốc tiến độ."),
    )


@bp.route("/tasks/<int:task_id>/extension", methods=["POST"])
@login_required
def request_extension(task_id: int):
    """Ask for a later due date."""
    task = get_task(task_id, current_user, Action.REQUEST_EXTENSION)
    form = f.ExtensionRequestForm()
    return _act(
        task,
        Action.REQUEST_EXTENSION,
        form,
        lambda now: services.request_extension(
            task,
            actor=current_user,
            now=now,
            new_due_date=form.new_due_date.data,
            reason=form.reason.data,
            files=f.uploads_of(form.files),
        ),
        _("Đã gửi đề nghị gia hạn."),
    )


@bp.route("/extensions/<int:request_id>/decide", methods=["POST"])
@login_required
def decide_extension(request_id: int):
    """Approve or reject an extension request."""
    extension = get_extension_request(request_id, current_user, Action.DECIDE_EXTENSION)
    task = extension.task
    form = f.DecisionForm()
    approve = bool(form.approve.data)
    return _act(
        task,
        Action.DECIDE_EXTENSION,
        form,
        lambda now: services.decide_extension(
            extension, actor=current_user, now=now, approve=approve, note=form.note.data
        ),
        _("Đã đồng ý gia hạn.") if approve else _("Đã từ chối gia hạn."),
    )


@bp.route("/tasks/<int:task_id>/submit", methods=["POST"])
@login_required
def submit(task_id: int):
    """Report the result for review."""
    task = get_task(task_id, current_user, Action.SUBMIT)
    form = f.SubmitResultForm()
    return _act(
        task,
        Action.SUBMIT,
        form,
        lambda now: services.submit_result(
            task,
            actor=current_user,
            now=now,
            result=form.result.data,
            files=f.uploads_of(form.files),
        ),
        _("Đã báo cáo kết quả; chờ Văn phòng đánh giá."),
    )


@bp.route("/tasks/<int:task_id>/review", methods=["POST"])
@login_required
def review(task_id: int):
    """Accept the result or return it for more work."""
    task = get_task(task_id, current_user, Action.REVIEW)
    form = f.ReviewForm()
    accepted = bool(form.accept.data)
    return _act(
        task,
        Action.REVIEW,
        form,
        lambda now: services.review_result(
            task, actor=current_user, now=now, accept=accepted, note=form.note.data
        ),
        _("Đã công nhận hoàn thành.") if accepted else _("Đã trả lại kết quả."),
    )


@bp.route("/tasks/<int:task_id>/withdraw", methods=["POST"])
@login_required
def withdraw(task_id: int):
    """Withdraw the task, with the reason."""
    task = get_task(task_id, current_user, Action.WITHDRAW)
    form = f.WithdrawForm()
    return _act(
        task,
        Action.WITHDRAW,
        form,
        lambda now: services.withdraw_task(
            task, actor=current_user, now=now, reason=form.reason.data
        ),
        _("Đã thu hồi nhiệm vụ."),
    )


@bp.route("/tasks/<int:task_id>/evidence/<int:file_id>")
@login_required
def evidence(task_id: int, file_id: int):
    """Download an evidence file of a task the person may see."""
    task = get_task(task_id, current_user)
    record = db.session.get(EvidenceFile, file_id)
    if record is None or record.task_id != task.id:
        abort(404)
    return send_evidence(record)
