"""Process templates: the standard procedures, and the plan one proposes for a task."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.api.access import caller, checked_first, require_token, saved
from tracker.api.pagination import page
from tracker.api.parsing import Blueprint
from tracker.api.schemas.common import PageArgs, page_of
from tracker.api.schemas.templates import PlanArgs, PlanOut, TemplateIn, TemplateOut
from tracker.calendar.services import load_calendar
from tracker.clock import local_date, utcnow
from tracker.tasks.models import ProcessTemplate
from tracker.tasks.process_templates import services as templates

blp = Blueprint("Process templates", __name__, description="Quy trình mẫu")
blp.before_request(require_token)


@blp.route("/process-templates")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(TemplateOut, "TemplatePage"))
def template_list(args: dict):
    """Các quy trình mẫu, theo tên."""
    return page(sa.select(ProcessTemplate).order_by(ProcessTemplate.name), args)


@blp.route("/process-templates", methods=["POST"])
@checked_first(lambda: templates.require_keeper(caller()))
@blp.arguments(TemplateIn)
@blp.response(201, TemplateOut)
def create_template(data: dict):
    """Thêm quy trình mẫu (Văn phòng, quản trị)."""
    steps = [templates.StepInput(**step) for step in data.pop("steps")]
    return saved(templates.save_template(None, **data, steps=steps, actor=caller(), now=utcnow()))


@blp.route("/process-templates/<int:template_id>/plan")
@checked_first(lambda template_id: templates.get_template(template_id))
@blp.arguments(PlanArgs, location="query")
@blp.response(200, PlanOut)
def template_plan(args: dict, template_id: int):
    """Các bước, mốc đề xuất và hạn hoàn thành của nhiệm vụ bắt đầu ngày ``start_date``,
    tính theo ngày làm việc; đưa vào ``process_steps``, ``milestones``, ``due_date``."""
    template = templates.get_template(template_id)
    today = local_date(utcnow())
    return templates.plan(template, args["start_date"], load_calendar(), today)
