"""The audit trail: every change is recorded, nobody can rewrite it unnoticed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import draft_task, in_progress_task
from tracker.audit.models import AuditEvent
from tracker.audit.services import verify_chain
from tracker.extensions import db
from tracker.tasks import services
from tracker.tasks.services import task_input_from


def _events(task_id=None):
    query = sa.select(AuditEvent).order_by(AuditEvent.seq)
    if task_id is not None:
        query = query.where(AuditEvent.object_type == "Task", AuditEvent.object_id == task_id)
    return list(db.session.scalars(query))


def tamper(statement) -> None:
    """Change audit rows the way someone with direct database access could (SQL text or a
    SQLAlchemy statement)."""
    db.session.rollback()  # end the session's snapshot, so it reads the tampered rows next
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # A superuser can switch triggers off for a session; the chain must still tell.
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_events_no_update"))
            conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        conn.execute(sa.text(statement) if isinstance(statement, str) else statement)


def test_every_step_of_a_task_is_recorded_in_order(org, now):
    task = in_progress_task(org, now)
    request = services.request_extension(
        task,
        actor=org.head_a,
        now=now,
        new_due_date=task.due_date + timedelta(days=7),
        reason="Chờ số liệu",
    )
    services.decide_extension(request, actor=org.assigner, now=now, approve=True)
    services.submit_result(task, actor=org.staff_a, now=now, result="Xong")
    services.review_result(task, actor=org.assigner, now=now, accept=True)
    db.session.commit()
    assert [(e.action, e.actor_name) for e in _events(task.id)] == [
        ("task.created", "vanphong"),
        ("task.issued", "vanphong"),
        ("task.accepted", "gd.tttt"),
        ("task.started", "cv.tttt"),
        ("task.progress", "cv.tttt"),
        ("task.extension_requested", "gd.tttt"),
        ("task.extension_decided", "vanphong"),
        ("task.submitted", "cv.tttt"),
        ("task.completed", "vanphong"),
    ]
    decided = _events(task.id)[6]
    assert json.loads(decided.before)["due_date"] == (task.due_date - timedelta(days=7)).isoformat()
    assert verify_chain().ok


def test_an_edit_records_the_values_before_and_after(org, now):
    task = draft_task(org, now)
    data = task_input_from(task)
    data.title = "Số hoá hồ sơ TTHC cấp quận"
    services.update_task(task, data, expected_version=task.version, actor=org.assigner, now=now)
    db.session.commit()
    edit = _events(task.id)[-1]
    assert edit.action == "task.updated"
    assert json.loads(edit.before) == {"title": "Số hoá hồ sơ thủ tục hành chính cấp sở"}
    assert json.loads(edit.after) == {"title": "Số hoá hồ sơ TTHC cấp quận"}


def test_a_failed_operation_leaves_no_event(org, now):
    task = draft_task(org, now, target="")
    count = len(_events())
    with pytest.raises(Exception):  # noqa: B017 - the refusal itself is tested elsewhere
        services.issue_task(task, actor=org.assigner, now=now)
    db.session.rollback()
    db.session.commit()
    assert len(_events()) == count


def test_the_database_refuses_to_change_or_delete_an_event(org):
    for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(sa.exc.DatabaseError), db.engine.begin() as conn:
            conn.execute(sa.text(statement) if isinstance(statement, str) else statement)
    assert verify_chain().ok


def test_an_edited_event_is_detected(org, now):
    in_progress_task(org, now)
    victim = _events()[5]
    tamper(f"UPDATE audit_events SET actor_name = 'someone' WHERE id = {victim.id}")
    db.session.expire_all()
    report = verify_chain()
    assert not report.ok
    assert (report.broken_seq, report.broken_id) == (victim.seq, victim.id)
    assert report.checked == victim.seq - 1
    assert "bị sửa" in report.reason


def test_a_deleted_event_is_detected(org, now):
    in_progress_task(org, now)
    victim_seq = _events()[4].seq
    tamper(f"DELETE FROM audit_events WHERE seq = {victim_seq}")
    db.session.expire_all()
    report = verify_chain()
    assert not report.ok and report.broken_seq == victim_seq
    assert "bị thiếu" in report.reason


def test_deleting_the_newest_events_is_detected(org, now):
    in_progress_task(org, now)
    last_seq = _events()[-1].seq
    tamper(f"DELETE FROM audit_events WHERE seq >= {last_seq - 1}")
    db.session.expire_all()
    report = verify_chain()
    assert not report.ok and report.broken_seq == last_seq - 1


def test_the_verify_command_names_the_first_broken_link(app, org, now):
    in_progress_task(org, now)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "nguyên vẹn" in ok.output
    victim = _events()[3]
    tamper(f"UPDATE audit_events SET after = '{{}}' WHERE id = {victim.id}")
    db.session.expire_all()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"sự kiện số {victim.seq} (id {victim.id})" in broken.output


def test_rolling_back_a_savepoint_drops_only_its_own_events(org, now):
    kept = draft_task(org, now, title="Giữ lại")
    services.issue_task(kept, actor=org.assigner, now=now)  # pending, not yet committed
    savepoint = db.session.begin_nested()
    services.create_draft(services.TaskInput(title="Bỏ đi"), actor=org.assigner, now=now)
    savepoint.rollback()
    db.session.commit()
    assert [e.action for e in _events(kept.id)][-1] == "task.issued"
    assert not any(json.loads(e.after or "{}").get("title") == "Bỏ đi" for e in _events())
    assert verify_chain().ok


def _changed(column: str, event: AuditEvent):
    """A different value for one column of an event, as an attacker would write it."""
    if column == "occurred_at":
        return event.occurred_at + timedelta(seconds=1)
    if column in ("seq", "actor_id", "object_id"):
        return (getattr(event, column) or 0) + 1000
    if column in ("before", "after"):
        return json.dumps({"due_date": "2099-01-01"})
    if column in ("prev_hash", "hash"):
        return "f" * 64
    return f"{getattr(event, column)}-sửa"


# The row's surrogate key is no part of what happened: events are ordered and linked by
# ``seq``, which the chain covers, and nothing an event says depends on its ``id``.
CHAINED_COLUMNS = [c.key for c in AuditEvent.__table__.columns if c.key != "id"]


@pytest.mark.parametrize("column", CHAINED_COLUMNS)
def test_editing_any_column_of_an_event_is_named_by_the_verify_command(app, org, now, column):
    in_progress_task(org, now)
    victim = _events()[4]
    victim_seq = victim.seq
    tamper(
        sa.update(AuditEvent.__table__)
        .where(AuditEvent.__table__.c.id == victim.id)
        .values({column: _changed(column, victim)})
    )
    db.session.expire_all()
    broken = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert broken.exit_code == 1, broken.output
    assert f"CHUỖI NHẬT KÝ BỊ PHÁ VỠ tại sự kiện số {victim_seq}" in broken.output


def test_the_verify_command_keeps_its_result_for_the_audit_and_system_pages(
    app, client, auth, org, now
):
    in_progress_task(org, now)
    total = len(_events())
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
    expected = [
        f"Chuỗi nhật ký nguyên vẹn: {total} sự kiện",
        "Kiểm tra lúc 02/11/2026 09:00 · lệnh tracker audit verify",
    ]
    auth.login("quantri")
    for path in ("/audit", "/admin/system"):
        page = client.get(path).get_data(as_text=True)
        assert all(text in page for text in expected), path
    victim = _events()[2]
    tamper(f"UPDATE audit_events SET action = 'task.deleted' WHERE id = {victim.id}")
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 1
    page = client.get("/admin/system").get_data(as_text=True)
    assert f"Chuỗi nhật ký bị phá vỡ tại sự kiện số {victim.seq}" in page


def test_the_scheduler_checks_the_chain_every_night_at_half_past_two(app):
    from tracker.jobs.scheduler import build_scheduler
    from tracker.jobs.work import VERIFY_JOB

    trigger = build_scheduler(app).get_job(VERIFY_JOB).trigger
    fields = {field.name: str(field) for field in trigger.fields}
    assert (fields["hour"], fields["minute"], fields["day"]) == ("2", "30", "*")
    assert str(trigger.timezone) == "Asia/Ho_Chi_Minh"
