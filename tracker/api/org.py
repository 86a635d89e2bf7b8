"""The caller, and the directory: units, users and fields, to find the ids tasks refer to."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.api.access import caller, require_token
from tracker.api.pagination import page
from tracker.api.parsing import Blueprint
from tracker.api.schemas.common import PageArgs, page_of
from tracker.api.schemas.org import FieldOut, MeOut, UnitOut, UserArgs, UserOut
from tracker.org.models import Field, Unit, User

blp = Blueprint("Organisation", __name__, description="Người dùng, đơn vị, lĩnh vực")
blp.before_request(require_token)


@blp.route("/me")
@blp.response(200, MeOut)
def me():
    """Người đang gọi API (chủ của mã truy cập)."""
    return caller()


@blp.route("/units")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(UnitOut, "UnitPage"))
def units(args: dict):
    """Các đơn vị (thành phố, sở, quận/huyện, xã/phường, phòng…), theo mã."""
    return page(sa.select(Unit).order_by(Unit.code, Unit.id), args)


@blp.route("/users")
@blp.arguments(UserArgs, location="query")
@blp.response(200, page_of(UserOut, "UserPage"))
def users(args: dict):
    """Cán bộ, công chức; lọc theo đơn vị với ``unit_id``."""
    query = sa.select(User).order_by(User.full_name, User.id)
    if args.get("unit_id") is not None:
        query = query.where(User.unit_id == args["unit_id"])
    return page(query, args)


@blp.route("/fields")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(FieldOut, "FieldPage"))
def fields(args: dict):
    """Các lĩnh vực và lãnh đạo phụ trách."""
    return page(sa.select(Field).order_by(Field.code, Field.id), args)
