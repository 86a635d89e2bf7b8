"""Following the work: the caller's notifications, escalation records and unit figures."""

from __future__ import annotations

from dataclasses import astuple, fields
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from tracker.api.access import caller, checked_first, require_token
from tracker.api.parsing import Blueprint
from tracker.api.schemas.common import PageArgs, page_of
from tracker.api.schemas.follow import (
    AuthorityDecisionIn,
    ConclusionIn,
    EscalationArgs,
    EscalationOut,
    NotificationOut,
    PendingList,
    ReportArgs,
    UnitReportOut,
)
from tracker.clock import local_date, utcnow
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.notify.services import inbox
from tracker.oversight import reports
from tracker.oversight.permissions import require_oversight
from tracker.reminders import services as escalations
from tracker.reminders.models import Escalation
from tracker.tasks.classification import as_of
from tracker.tasks.pending import pending_for

blp = Blueprint("Oversight", __name__, description="Thông báo, hồ sơ chậm trễ, số liệu")
blp.before_request(require_token)


@blp.route("/notifications")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(NotificationOut, "NotificationPage"))
def notifications(args: dict):
    """Thông báo của người gọi (nhắc hạn, cảnh báo, đôn đốc…), mới nhất trước."""
    items, total = inbox(caller(), page=args["page"], per_page=args["per_page"])
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@blp.route("/me/pending")
@blp.response(200, PendingList)
def pending():
    """Việc đang chờ người gọi xử lý, chờ lâu nhất trước: ``needed`` là ``accept``,
    ``decide_extension``, ``review``, ``report_progress`` hoặc ``submit_result``."""
    return {"items": pending_for(caller(), as_of(), now=utcnow())}


@blp.route("/escalations")
@checked_first(lambda: escalations.require_queue_access(caller()))
@blp.arguments(EscalationArgs, location="query")
@blp.response(200, page_of(EscalationOut, "EscalationPage"))
def escalation_list(args: dict):
    """Hồ sơ chậm trễ chuyển Sở Nội vụ xem xét, mới nhất trước."""
    filters = escalations.EscalationFilters(
        unit_id=args.get("unit_id"),
        status=args.get("status"),
        now=utcnow(),
        decision_days=current_app.config["DISCIPLINE_DECISION_DAYS"],
    )
    items, total = escalations.list_escalations(
        caller(), filters, page=args["page"], per_page=args["per_page"]
    )
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@blp.route("/escalations/<int:escalation_id>/conclusion", methods=["POST"])
@checked_first(
    lambda escalation_id: escalations.get_escalation(escalation_id, caller(), to_conclude=True)
)
@blp.arguments(ConclusionIn)
@blp.response(201, EscalationOut)
def conclude(data: dict, escalation_id: int):
    """Kết luận hồ sơ (thanh tra Sở Nội vụ); đính chính bằng ``corrects_id``."""
    escalation = escalations.get_escalation(escalation_id, caller(), to_conclude=True)
    proposal = escalations.DisciplineProposal(
        data.pop("discipline_form"), data.pop("severity"), data.pop("competent_authority")
    )
    escalations.conclude(escalation, actor=caller(), now=utcnow(), proposal=proposal, **data)
    db.session.flush()  # the answer shows what was written; the request commits at its end
    return _escalation(escalation_id)


def _escalation(escalation_id: int) -> Escalation:
    """The record as it now stands, with its conclusions and decision."""
    return db.session.scalars(
        db.select(Escalation)
        .where(Escalation.id == escalation_id)
        .options(selectinload(Escalation.conclusions), selectinload(Escalation.decision))
        .execution_options(populate_existing=True)
    ).one()


@blp.route("/escalations/<int:escalation_id>/decision", methods=["POST"])
@checked_first(
    lambda escalation_id: escalations.get_escalation(escalation_id, caller(), to_conclude=True)
)
@blp.arguments(AuthorityDecisionIn)
@blp.response(201, EscalationOut)
def record_decision(data: dict, escalation_id: int):
    """Ghi quyết định của cấp có thẩm quyền về đề nghị kỷ luật, điều chuyển (Sở Nội vụ):
    số, ngày ký, hình thức (``reprimand``, ``warning``, ``dismissal``,
    ``forced_resignation`` hoặc ``none``)."""
    escalation = escalations.get_escalation(escalation_id, caller(), to_conclude=True)
    escalations.record_decision(escalation, actor=caller(), now=utcnow(), **data)
    db.session.flush()  # the answer shows what was written; the request commits at its end
    return _escalation(escalation_id)


def _figures(figures: reports.Figures) -> dict:
    values = dict(zip([f.name for f in fields(figures)], astuple(figures), strict=True))
    return {**values, "total": figures.total, "on_time_rate": figures.on_time_rate}


@blp.route("/reports/units")
@checked_first(lambda: require_oversight(caller()))
@blp.arguments(ReportArgs, location="query")
@blp.response(200, UnitReportOut)
def unit_report(args: dict):
    """Số liệu theo đơn vị chủ trì — đúng số liệu của trang Tổng hợp.

    Không có ``from``/``to``: mọi nhiệm vụ, tính đến ngày ``as_of`` (mặc định hôm nay).
    Có ``from``/``to``: nhiệm vụ giao trong kỳ, tính đến ngày ``to``, kèm số đã nhận."""
    start, end = args.get("from_"), args.get("to")
    top_level = not args["include_subtasks"]
    if start is None and end is None:
        day = args.get("as_of") or local_date(utcnow())
        total, by_unit = reports.unit_figures(caller(), day, top_level=top_level)
        units = [_unit_row(unit, figures, None) for unit, figures in by_unit]
        return {"as_of": day, "from_": None, "to": None, "total": _figures(total), "units": units}
    end = end or args.get("as_of") or local_date(utcnow())
    start = start or date(end.year, 1, 1)
    if start > end:
        raise ValidationError(
            _("Ngày bắt đầu kỳ phải trước ngày kết thúc."), fields={"from": _("sau ngày kết thúc")}
        )
    ranked = reports.unit_ranking(caller(), start, end, top_level=top_level)
    total = reports.Figures(
        *[sum(getattr(s.figures, f.name) for _, s in ranked) for f in fields(reports.Figures)]
    )
    units = [_unit_row(unit, score.figures, score.received) for unit, score in ranked]
    return {"as_of": end, "from_": start, "to": end, "total": _figures(total), "units": units}


def _unit_row(unit, figures: reports.Figures, received: int | None) -> dict:
    return {
        "unit_id": unit.id,
        "unit_code": unit.code,
        "unit_name": unit.name,
        "received": received,
        **_figures(figures),
    }
