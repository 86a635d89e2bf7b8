"""Each person's deadlines as an iCalendar feed, for Outlook, Google or a phone calendar.

The feed's address holds a secret (a calendar token): calendar programs cannot sign in,
so the address itself is the key. Its owner can replace it, which stops the old one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy.orm import selectinload

from tracker.auth.models import TokenKind
from tracker.auth.tokens import user_for_token
from tracker.clock import local_date, utcnow
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.org.models import User
from tracker.tasks.models import OPEN_STATES, Task
from tracker.tasks.queries import my_tasks_clause

bp = Blueprint("feed", __name__)

# Deadlines this far back stay in the calendar: a late task is still to be done.
LOOK_BACK = timedelta(days=180)
MAX_TASKS = 2_000


def _event(uid: str, day: date, summary: str, description: str, link: str, now: datetime):
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("dtstart", day)  # a date, not a time: an all-day event on the deadline
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", link)
    event.add("transp", "TRANSPARENT")
    return event


def build_feed(user: User, *, now: datetime) -> bytes:
    """Return the iCalendar text of the user's open tasks: due dates and open milestones."""
    host = current_app.config["BASE_URL"]
    tasks = db.session.scalars(
        sa.select(Task)
        .where(
            my_tasks_clause(user),
            Task.state.in_(OPEN_STATES),
            Task.due_date >= local_date(now) - LOOK_BACK,
        )
        .order_by(Task.due_date, Task.id)
        .limit(MAX_TASKS)
        .options(selectinload(Task.milestones))
    ).all()
    calendar = Calendar()
    calendar.add("prodid", "-//Nhiem vu 5 ro//tracker//VI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Hạn nhiệm vụ – %(name)s", name=user.full_name))
    calendar.add("x-wr-timezone", current_app.config["TRACKER_TIMEZONE"])
    domain = host.split("//", 1)[-1]
    for task in tasks:
        link = f"{host}/tasks/{task.id}"
        calendar.add_component(
            _event(
                f"task-{task.id}-due@{domain}",
                task.due_date,
                _("Hạn: %(title)s", title=task.title),
                _("Hạn hoàn thành nhiệm vụ #%(id)s.", id=task.id) + f"\n{link}",
                link,
                now,
            )
        )
        for milestone in task.milestones:
            if milestone.completed_on is None:
                calendar.add_component(
                    _event(
                        f"milestone-{milestone.id}@{domain}",
                        milestone.due_date,
                        _(
                            "Mốc: %(milestone)s – %(title)s",
                            milestone=milestone.title,
                            title=task.title,
                        ),
                        _("Mốc tiến độ của nhiệm vụ #%(id)s.", id=task.id) + f"\n{link}",
                        link,
                        now,
                    )
                )
    return calendar.to_ical()


@bp.route("/feeds/<secret>.ics")
def calendar(secret: str):
    """Serve a person's deadlines to their calendar program (no sign-in: the address is
    the key)."""
    now = utcnow()
    user = user_for_token(secret, TokenKind.CALENDAR, now=now)
    if user is None:
        raise NotFound(_("Liên kết lịch không còn hiệu lực."))
    response = Response(build_feed(user, now=now), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="nhiem-vu.ics"'
    return response
