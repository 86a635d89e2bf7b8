"""Forms of the task pages, and their translation into service input."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, DateInput, HiddenInput, ListWidget

from tracker.calendar.services import supported_dates
from tracker.clock import local_date, utcnow
from tracker.extensions import db
from tracker.org.models import Field, Role, Unit, UnitKind, User, UserRole
from tracker.org.services import carriers_of
from tracker.tasks.classification import CATEGORY_LABELS, STAGE_LABELS
from tracker.tasks.evidence import Upload
from tracker.tasks.models import Priority, SourceDocument, Task
from tracker.tasks.process_templates.services import Plan, active_templates
from tracker.tasks.queries import OPEN_STAGE, TaskFilters
from tracker.tasks.services import CoordinationInput, MilestoneInput, TaskInput

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_HINT = _l("dd/mm/yyyy")
BLANK_ROWS = 2

PRIORITY_LABELS = {
    Priority.LOW: _l("Thấp"),
    Priority.NORMAL: _l("Bình thường"),
    Priority.HIGH: _l("Cao"),
    Priority.URGENT: _l("Khẩn"),
}


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class VnDateField(DateField):
    """A date picked in the browser's own date picker (``type=date``), which shows it the
    way the person's system writes dates (dd/mm/yyyy on a Vietnamese one) and sends it as
    yyyy-mm-dd; dd/mm/yyyy typed by a program or an old browser is accepted too."""

    widget = DateInput()

    def __init__(self, label=None, validators=None, *, any_year: bool = False, **kwargs):
        kwargs.setdefault("format", DATE_FORMATS)
        # Deadlines and report dates must fall in the years the working-day calendar
        # covers; a document's date of issue may be older.
        self.any_year = any_year
        super().__init__(label, validators, **kwargs)

    def _value(self):
        # The date input reads and writes ISO dates only; a refused typed value comes back.
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.isoformat() if self.data else ""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy.")) from exc
        if self.data is not None and not self.any_year:
            first, last = supported_dates(local_date(utcnow()))
            if not first <= self.data <= last:
                self.data = None
                raise ValueError(
                    _l(
                        "Ngày phải trong khoảng %(first)s – %(last)s.",
                        first=f"{first:%d/%m/%Y}",
                        last=f"{last:%d/%m/%Y}",
                    )
                )


class CoordinationForm(Form):
    unit_id = SelectField(_l("Đơn vị phối hợp"), coerce=_optional_int, validators=[Optional()])
    responsibility = StringField(_l("Trách nhiệm của đơn vị"), validators=[Length(max=2000)])


class MilestoneForm(Form):
    title = StringField(_l("Mốc tiến độ"), validators=[Length(max=500)])
    due_date = VnDateField(_l("Hạn của mốc"), validators=[Optional()])


class TaskForm(FlaskForm):
    """Every element of the 5 rõ, as the office drafts or edits a task."""

    version = HiddenField()
    title = StringField(_l("Tên nhiệm vụ"), validators=[Length(max=500)])
    description = TextAreaField(_l("Nội dung cụ thể"), validators=[Length(max=20000)])
    document_id = SelectField(_l("Văn bản chỉ đạo"), coerce=_optional_int)
    new_document_number = StringField(_l("Số, ký hiệu văn bản mới"), validators=[Length(max=80)])
    new_document_kind = StringField(_l("Loại văn bản"), validators=[Length(max=80)])
    new_document_issuer = StringField(_l("Cơ quan ban hành"), validators=[Length(max=255)])
    new_document_date = VnDateField(_l("Ngày ban hành"), validators=[Optional()])
    new_document_summary = TextAreaField(_l("Trích yếu"), validators=[Length(max=5000)])
    field_id = SelectField(_l("Lĩnh vực"), coerce=_optional_int)
    lead_unit_id = SelectField(_l("Đơn vị chủ trì"), coerce=_optional_int)
    accountable_user_id = SelectField(_l("Cá nhân chịu trách nhiệm chính"), coerce=_optional_int)
    assignee_user_id = SelectField(_l("Người trực tiếp thực hiện"), coerce=_optional_int)
    supervisor_id = SelectField(_l("Lãnh đạo phụ trách"), coerce=_optional_int)
    start_date = VnDateField(_l("Ngày bắt đầu"), validators=[Optional()])
    due_date = VnDateField(_l("Hạn hoàn thành"), validators=[Optional()])
    due_in_working_days = IntegerField(
        _l("hoặc số ngày làm việc kể từ ngày bắt đầu"),
        validators=[Optional(), NumberRange(min=1, max=3650)],
    )
    expected_outcome = TextAreaField(_l("Sản phẩm đầu ra"), validators=[Length(max=20000)])
    target = TextAreaField(_l("Chỉ tiêu, tiêu chí nghiệm thu"), validators=[Length(max=20000)])
    priority = SelectField(_l("Mức độ ưu tiên"), default=Priority.NORMAL.value)
    process_steps = TextAreaField(
        _l("Các bước thực hiện (mỗi dòng một bước, theo thứ tự)"),
        validators=[Length(max=20000)],
    )
    coordinating = FieldList(FormField(CoordinationForm), min_entries=BLANK_ROWS)
    milestones = FieldList(FormField(MilestoneForm), min_entries=BLANK_ROWS)
    template_id = SelectField(_l("Quy trình mẫu"), coerce=_optional_int)
    apply_template = SubmitField(_l("Áp dụng quy trình mẫu"))
    save = SubmitField(_l("Lưu dự thảo"))
    issue = SubmitField(_l("Lưu và giao nhiệm vụ"))

    def load_choices(self) -> None:
        """Fill the drop-down lists from the organisation (one query each)."""
        none = [(None, "—")]
        units = [(u.id, u.name) for u in _active(Unit, Unit.name)]
        documents = db.session.scalars(
            sa.select(SourceDocument).order_by(SourceDocument.issued_on.desc())
        )
        self.document_id.choices = none + [(d.id, f"{d.kind} {d.number}") for d in documents]
        self.field_id.choices = none + [
            (f.id, f.name) for f in db.session.scalars(sa.select(Field).order_by(Field.name))
        ]
        self.lead_unit_id.choices = none + units
        # Only the lead unit's leaders and officers are offered (the page reloads the list
        # when the unit changes, static/pickers.js); anyone else sent is refused by the
        # gate, which names why, rather than by the drop-down's "not a valid choice".
        offered = carrier_choices(self.lead_unit_id.data)
        self.accountable_user_id.choices = offered
        self.assignee_user_id.choices = offered
        self.accountable_user_id.validate_choice = False
        self.assignee_user_id.validate_choice = False
        self.supervisor_id.choices = none + _leader_choices()
        self.priority.choices = [(p.value, label) for p, label in PRIORITY_LABELS.items()]
        self.template_id.choices = none + [
            (t.id, f"{t.name} ({t.total_working_days} ngày làm việc)") for t in active_templates()
        ]
        for row in self.coordinating:
            row.form.unit_id.choices = none + units

    def fill_from(self, task: Task) -> None:
        """Show a saved task in the form, with blank rows to add more."""
        for name in (
            "title",
            "description",
            "document_id",
            "field_id",
            "lead_unit_id",
            "accountable_user_id",
            "assignee_user_id",
            "supervisor_id",
            "start_date",
            "due_date",
            "due_in_working_days",
            "expected_outcome",
            "target",
        ):
            getattr(self, name).data = getattr(task, name)
        self.priority.data = task.priority.value
        self.version.data = str(task.version)
        self.process_steps.data = "\n".join(s.description for s in task.process_steps)
        _fill_rows(
            self.coordinating,
            [
                {"unit_id": c.unit_id, "responsibility": c.responsibility}
                for c in task.coordinations
            ],
        )
        _fill_rows(
            self.milestones, [{"title": m.title, "due_date": m.due_date} for m in task.milestones]
        )

    def fill_plan(self, plan: Plan) -> None:
        """Put a template's steps, milestones and due date into the form."""
        self.process_steps.data = "\n".join(plan.process_steps)
        self.due_date.data, self.due_in_working_days.data = plan.due_date, None
        _fill_rows(
            self.milestones, [{"title": m.title, "due_date": m.due_date} for m in plan.milestones]
        )

    def start_from(self, parent: Task, today) -> None:
        """Propose the parent's document, field, leader and deadline for a new sub-task."""
        self.document_id.data, self.field_id.data = parent.document_id, parent.field_id
        self.supervisor_id.data = parent.supervisor_id
        self.start_date.data, self.due_date.data = today, parent.due_date
        self.expected_outcome.data = parent.expected_outcome

    def add_blank_rows(self) -> None:
        """Keep a couple of empty rows at the end of each list to type into."""
        for rows in (self.coordinating, self.milestones):
            while sum(1 for r in rows if not _row_filled(r)) < BLANK_ROWS:
                rows.append_entry()

    def to_input(self) -> TaskInput:
        """Return what the person typed as service input."""
        return task_input_of(self)

    def wants_new_document(self) -> bool:
        return bool((self.new_document_number.data or "").strip())

    def validate_milestones(self, field) -> None:
        for row in field:
            if _row_filled(row) and not (row.form.title.data and row.form.due_date.data):
                row.form.due_date.errors.append(_l("Mỗi mốc cần có tên và hạn."))


class SubtaskForm(TaskForm):
    """A part of an accepted task, given by its lead unit to a unit below it."""

    weight = IntegerField(
        _l("Tỷ trọng trong tiến độ của nhiệm vụ cha"),
        default=1,
        validators=[Optional(), NumberRange(min=1, max=100)],
        description=_l("Mặc định các nhiệm vụ con có tỷ trọng bằng nhau (1)."),
    )

    def limit_to(self, parent: Task) -> None:
        """Offer only the units directly below the parent's lead unit."""
        below = db.session.scalars(
            sa.select(Unit)
            .where(Unit.parent_id == parent.lead_unit_id, Unit.active)
            .order_by(Unit.name)
        )
        self.lead_unit_id.choices = [(None, "—")] + [(u.id, u.name) for u in below]


GROUP_KINDS = {
    UnitKind.DISTRICT: _l("Tất cả quận, huyện, thị xã"),
    UnitKind.DEPARTMENT: _l("Tất cả sở, ban, ngành"),
    UnitKind.COMMUNE: _l("Tất cả xã, phường, thị trấn"),
}


class BulkTaskForm(TaskForm):
    """One task for many units: the content once, the units ticked or taken by kind."""

    unit_ids = SelectMultipleField(
        _l("Giao cho các đơn vị"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,
    )
    all_listed = BooleanField(_l("Giao cho tất cả các đơn vị trong danh sách"))
    group_kind = SelectField(_l("hoặc chọn cả nhóm"), default="")

    def offer_units(self, parent: Task | None) -> None:
        """The units below the parent's lead unit, or every active unit for the office."""
        query = sa.select(Unit).where(Unit.active).order_by(Unit.kind, Unit.name)
        if parent is not None:
            query = query.where(Unit.parent_id == parent.lead_unit_id)
            self.group_kind.choices = [("", "—")]
        else:
            self.group_kind.choices = [("", "—")] + [(k.value, v) for k, v in GROUP_KINDS.items()]
        self._offered = list(db.session.scalars(query))
        self.unit_ids.choices = [(u.id, u.name) for u in self._offered]

    def chosen_units(self) -> list[int]:
        if self.all_listed.data:
            return [u.id for u in self._offered]
        if self.group_kind.data:
            return [u.id for u in self._offered if u.kind == self.group_kind.data]
        return list(self.unit_ids.data or [])


def task_input_of(form) -> TaskInput:
    """Return a task-shaped form's content as service input: the one mapping of form fields
    to a task that every such form uses (the task form, the follow-up of an inspection's
    finding…); a field a form has not got keeps TaskInput's default."""

    def typed(name: str):
        field = getattr(form, name, None)
        return None if field is None else field.data

    rows = getattr(form, "coordinating", ())
    milestones = getattr(form, "milestones", ())
    return TaskInput(
        title=typed("title") or "",
        description=typed("description") or "",
        document_id=typed("document_id"),
        field_id=typed("field_id"),
        lead_unit_id=typed("lead_unit_id"),
        accountable_user_id=typed("accountable_user_id"),
        assignee_user_id=typed("assignee_user_id"),
        supervisor_id=typed("supervisor_id"),
        start_date=typed("start_date"),
        due_date=typed("due_date"),
        due_in_working_days=typed("due_in_working_days"),
        expected_outcome=typed("expected_outcome") or "",
        target=typed("target") or "",
        priority=Priority(typed("priority") or Priority.NORMAL.value),
        coordinating=[
            CoordinationInput(r.form.unit_id.data, r.form.responsibility.data or "")
            for r in rows
            if r.form.unit_id.data
        ],
        milestones=[
            MilestoneInput(r.form.title.data or "", r.form.due_date.data)
            for r in milestones
            if _row_filled(r)
        ],
        process_steps=(typed("process_steps") or "").splitlines(),
    )


def _row_filled(row) -> bool:
    return any(sub.data not in (None, "") for sub in row.form)


def _fill_rows(rows: FieldList, values: list[dict]) -> None:
    while len(rows):
        rows.pop_entry()
    for value in values:
        rows.append_entry(value)
    for _ in range(BLANK_ROWS):
        rows.append_entry()


def _leader_choices() -> list[tuple[int, str]]:
    leaders = db.session.execute(
        sa.select(User.id, User.full_name, User.position)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.LEADER, User.active)
        .order_by(User.full_name)
    )
    return [(i, f"{n} — {p}" if p else n) for i, n, p in leaders]


def _active(model, order):
    return db.session.scalars(sa.select(model).where(model.active).order_by(order))


# The carrier pickers offer only the unit's leaders and officers; someone else sent anyway
# is refused by the service, which names why, not by "not a valid choice".
class AcceptForm(FlaskForm):
    assignee_user_id = SelectField(
        _l("Giao cho cán bộ thực hiện"),
        coerce=_optional_int,
        validators=[Optional()],
        validate_choice=False,
    )
    submit = SubmitField(_l("Tiếp nhận nhiệm vụ"))


class AssignForm(FlaskForm):
    assignee_user_id = SelectField(
        _l("Cán bộ thực hiện"),
        coerce=_optional_int,
        validators=[InputRequired()],
        validate_choice=False,
    )
    submit = SubmitField(_l("Phân công"))


def person_label(user: User) -> str:
    """How a person is named in a picker: name and post."""
    return f"{user.full_name} ({user.position or user.username})"


def carrier_choices(unit_id: int | None) -> list[tuple[int | None, str]]:
    """The people a task led by the unit may name as accountable or carrier (carriers_of)."""
    return [(None, "—")] + [(u.id, person_label(u)) for u in carriers_of(unit_id)]


def unit_staff_choices(task: Task) -> list[tuple[int | None, str]]:
    """Return who may carry the task: the active leaders and officers of its lead unit."""
    return carrier_choices(task.lead_unit_id)


class ProgressForm(FlaskForm):
    percent = IntegerField(
        _l("Tỷ lệ hoàn thành (%)"), validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    narrative = TextAreaField(
        _l("Kết quả đã đạt được"), validators=[DataRequired(), Length(max=20000)]
    )
    difficulties = TextAreaField(_l("Khó khăn, vướng mắc"), validators=[Length(max=20000)])
    proposals = TextAreaField(_l("Đề xuất, kiến nghị"), validators=[Length(max=20000)])
    evidence = MultipleFileField(_l("Tệp minh chứng"))
    submit = SubmitField(_l("Gửi báo cáo tiến độ"))

    def uploads(self) -> list[Upload]:
        """Return the files sent with the report (empty file inputs are ignored)."""
        return uploads_of(self.evidence)


def uploads_of(field: MultipleFileField) -> list[Upload]:
    """Return the files a file field brought (empty file inputs are ignored); the services
    check each (size, type, content) before anything is stored."""
    return [
        Upload(file.filename, file.read()) for file in field.data or [] if file and file.filename
    ]


class ExtensionRequestForm(FlaskForm):
    new_due_date = VnDateField(_l("Hạn mới đề nghị"), validators=[InputRequired()])
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(), Length(max=20000)])
    files = MultipleFileField(_l("Tệp kèm theo (văn bản đề nghị, giải trình)"))
    submit = SubmitField(_l("Gửi đề nghị gia hạn"))


class DecisionForm(FlaskForm):
    note = TextAreaField(_l("Ý kiến"), validators=[Length(max=20000)])
    approve = SubmitField(_l("Đồng ý"))
    reject = SubmitField(_l("Không đồng ý"))


class SubmitResultForm(FlaskForm):
    result = TextAreaField(_l("Kết quả thực hiện"), validators=[DataRequired(), Length(max=20000)])
    files = MultipleFileField(_l("Tệp kết quả (báo cáo, sản phẩm)"))
    submit = SubmitField(_l("Báo cáo kết quả"))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Ý kiến"), validators=[DataRequired(), Length(max=10000)])
    files = MultipleFileField(_l("Tệp đính kèm"))
    submit = SubmitField(_l("Gửi ý kiến"))


class ReviewForm(FlaskForm):
    note = TextAreaField(_l("Nhận xét"), validators=[Length(max=20000)])
    accept = SubmitField(_l("Công nhận hoàn thành"))
    send_back = SubmitField(_l("Trả lại, yêu cầu bổ sung"))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Lý do thu hồi"), validators=[DataRequired(), Length(max=20000)])
    submit = SubmitField(_l("Thu hồi nhiệm vụ"))


class IssueForm(FlaskForm):
    submit = SubmitField(_l("Giao nhiệm vụ"))


# Where a missing "rõ" is shown on the task form: next to its first field.
CLARITY_FIELDS = {
    "task": "title",
    "person": "accountable_user_id",
    "timeline": "due_date",
    "process": "process_steps",
    "outcome": "expected_outcome",
    "responsibility": "supervisor_id",
}


class FilterForm(FlaskForm):
    """The task list's filters, read from the query string."""

    class Meta:
        csrf = False

    q = StringField(_l("Tìm kiếm"), validators=[Optional(), Length(max=200)])
    stage = SelectField(_l("Giai đoạn"), validators=[Optional()])
    category = SelectField(_l("Tình trạng"), validators=[Optional()])
    unit_id = SelectField(_l("Đơn vị chủ trì"), coerce=_optional_int, validators=[Optional()])
    field_id = SelectField(_l("Lĩnh vực"), coerce=_optional_int, validators=[Optional()])
    # A city registers thousands of documents a year: one is named by its number (as
    # officials cite it, "171-KH/TU"), not picked from a list; links name it by id.
    document_number = StringField(_l("Số văn bản chỉ đạo"), validators=[Optional(), Length(max=80)])
    document_id = IntegerField(
        widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)]
    )
    supervisor_id = SelectField(
        _l("Lãnh đạo phụ trách"), coerce=_optional_int, validators=[Optional()]
    )
    due_from = VnDateField(_l("Hạn từ ngày"), validators=[Optional()])
    due_to = VnDateField(_l("đến ngày"), validators=[Optional()])
    sort = SelectField(_l("Sắp xếp"), validators=[Optional()])

    def load_choices(self) -> None:
        """Fill the drop-down lists: units, fields and leaders (one query each)."""
        none = [(None, "—")]
        self.unit_id.choices = none + [(u.id, u.name) for u in _active(Unit, Unit.name)]
        self.field_id.choices = none + [
            (f.id, f.name) for f in db.session.scalars(sa.select(Field).order_by(Field.name))
        ]
        self.supervisor_id.choices = none + _leader_choices()
        self.category.choices = (
            [("", "—")]
            + [(c.value, label) for c, label in CATEGORY_LABELS.items()]
            + [("due_soon", _l("Sắp đến hạn"))]
        )
        self.stage.choices = [("", _l("Tất cả")), (OPEN_STAGE, _l("Đang mở (chưa xong)"))] + [
            (stage.value, label) for stage, label in STAGE_LABELS.items()
        ]
        self.sort.choices = [
            ("due", _l("Hạn gần nhất trước")),
            ("-due", _l("Hạn xa nhất trước")),
            ("new", _l("Mới tạo trước")),
            ("title", _l("Tên nhiệm vụ")),
        ]

    def to_filters(self) -> TaskFilters:
        """Return the chosen filters ("due soon" is a flag, not a category)."""
        due_soon = self.category.data == "due_soon"
        return TaskFilters(
            category=None if due_soon else (self.category.data or None),
            due_soon=due_soon,
            unit_id=self.unit_id.data,
            field_id=self.field_id.data,
            document_id=self.document_id.data,
            document_number=(self.document_number.data or "").strip(),
            supervisor_id=self.supervisor_id.data,
            due_from=self.due_from.data,
            due_to=self.due_to.data,
            q=self.q.data or "",
            sort=self.sort.data or "due",
            stage=self.stage.data or None,
        )
