"""One page of a query, in the API's page shape."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db


def page(query: sa.Select, args: dict) -> dict:
    """Return ``{"items", "total", "page", "per_page"}`` for an ordered select of objects."""
    number, per_page = args["page"], args["per_page"]
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    items = db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).all()
    return {"items": list(items), "total": total, "page": number, "per_page": per_page}
