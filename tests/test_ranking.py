"""Units are ranked among their peers, only with enough tasks due, ties by volume (issue 17)."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import issued_task
from tracker.clock import local_date
from tracker.extensions import db
from tracker.tasks import services


def _done_on_time(org, now, n, head=None, **where):
    """``n`` tasks of a unit (department A unless told), each done on the day it came."""
    head = head or org.head_a
    for i in range(n):
        task = issued_task(org, now, title=f"Việc xong {i}", **where)
        services.accept_task(task, actor=head, now=now)
        services.submit_result(task, actor=head, now=now, result="Đã xong")
        services.review_result(task, actor=org.assigner, now=now, accept=True)
    db.session.commit()


def _ranking(client, auth, now, clock):
    clock.advance(timedelta(days=20))  # the overdue task is past its due date by now
    auth.login("snv.thanhtra")
    start = local_date(now).replace(day=1).isoformat()
    end = local_date(clock.now).isoformat()
    return client.get(f"/oversight/units?start={start}&end={end}").get_data(as_text=True)


def _section(page: str, kind: str) -> str:
    return page.split(f'id="ranking-{kind}"', 1)[1].split("</section>", 1)[0]


def test_one_task_on_time_is_not_ranked_above_five_of_six(client, auth, org, now, clock):
    _done_on_time(org, now, 5)  # Sở TT&TT: five on time…
    issued_task(org, now, title="Việc trễ", due_date=local_date(now) + timedelta(days=10))
    # …Sở Tư pháp: one of one.
    b = dict(lead_unit_id=org.dept_b.id, accountable_user_id=org.head_b.id, coordinating=[])
    _done_on_time(org, now, 1, head=org.head_b, **b)
    departments = _section(_ranking(client, auth, now, clock), "departments")
    ranked, too_few = departments.split("Chưa đủ nhiệm vụ đến hạn để xếp hạng (dưới 5)")
    assert "Sở Thông tin và Truyền thông" in ranked and "83,3\u00a0%" in ranked
    assert "Sở Tư pháp" not in ranked and "Sở Tư pháp" in too_few


def test_communes_are_ranked_apart_from_departments(client, auth, org, now, clock, district):
    _, _, communes = district
    commune = communes[0]
    head = commune.head
    _done_on_time(org, now, 5)
    _done_on_time(
        org,
        now,
        5,
        head=head,
        lead_unit_id=commune.id,
        accountable_user_id=head.id,
        coordinating=[],
    )
    page = _ranking(client, auth, now, clock)
    assert "Sở Thông tin và Truyền thông" in _section(page, "departments")
    communes_part = _section(page, "communes")
    assert commune.name in communes_part and "Sở Thông tin" not in communes_part
