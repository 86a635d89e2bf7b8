"""A task's discussion (ý kiến trao đổi), with files, on the web and through the API; and
files on results and extension requests (issue 17)."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from tests.api_client import api_as
from tests.factories import in_progress_task, issued_task
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.tasks.models import EvidenceFile, TaskComment

PDF = b"%PDF-1.4 bien ban hop"


def test_a_coordinating_head_comments_with_a_file_on_the_web(client, auth, org, now):
    task = issued_task(org, now)
    auth.login("gd.stp")  # Sở Tư pháp coordinates the task
    body = "Sở Tư pháp đã thẩm định quy trình."
    answer = client.post(
        f"/tasks/{task.id}/comments",
        data={"body": body, "files": [(io.BytesIO(PDF), "Biên bản.pdf")]},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert body in page and "Biên bản.pdf" in page
    [stored] = db.session.scalars(
        sa.select(EvidenceFile).where(EvidenceFile.comment_id.isnot(None))
    )
    assert client.get(f"/tasks/{task.id}/evidence/{stored.id}").data == PDF
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "task.commented")
    ).one()
    assert event.object_id == task.id and "Biên bản.pdf" in event.after


def test_an_empty_or_forbidden_file_comment_is_refused_and_nothing_is_kept(client, auth, org, now):
    task = issued_task(org, now)
    auth.login("gd.tttt")
    empty = client.post(f"/tasks/{task.id}/comments", data={"body": "  "})
    assert empty.status_code == 422
    virus = client.post(
        f"/tasks/{task.id}/comments",
        data={"body": "Xem tệp", "files": [(io.BytesIO(b"MZ"), "virus.exe")]},
        content_type="multipart/form-data",
    )
    assert virus.status_code == 422 and "Xem tệp" in virus.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(TaskComment.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(EvidenceFile.id))) == 0


def test_comments_through_the_api_in_json_and_with_files(client, org, now):
    task = issued_task(org, now)
    head = api_as(client, org.head_a)
    plain = head.post(f"/tasks/{task.id}/comments", {"body": "Đề nghị Sở Tư pháp góp ý."})
    assert plain.status_code == 201
    assert plain.get_json()["author"] == org.head_a.full_name
    with_file = client.post(
        f"/api/v1/tasks/{task.id}/comments",
        data={"body": "Gửi kèm biên bản", "files": [(io.BytesIO(PDF), "Biên bản.pdf")]},
        headers=head._headers,
        content_type="multipart/form-data",
    )
    assert with_file.status_code == 201
    assert [f["name"] for f in with_file.get_json()["files"]] == ["Biên bản.pdf"]
    listed = api_as(client, org.assigner).get(f"/tasks/{task.id}/comments").get_json()["items"]
    assert [c["body"] for c in listed] == ["Đề nghị Sở Tư pháp góp ý.", "Gửi kèm biên bản"]
    assert listed[1]["files"][0]["size"] == len(PDF)


def test_a_blank_comment_through_the_api_is_a_422_in_the_error_shape(client, org, now):
    task = issued_task(org, now)
    answer = api_as(client, org.head_a).post(f"/tasks/{task.id}/comments", {"body": ""})
    assert answer.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(TaskComment.id))) == 0


def test_a_foreign_units_head_gets_404_on_the_comments(client, auth, org, now):
    task = issued_task(org, now, coordinating=[])  # Sở Tư pháp has no part in it
    foreign = api_as(client, org.head_b)
    assert foreign.get(f"/tasks/{task.id}/comments").status_code == 404
    assert foreign.post(f"/tasks/{task.id}/comments", {"body": "Xin xem"}).status_code == 404
    auth.login("gd.stp")
    assert client.post(f"/tasks/{task.id}/comments", data={"body": "x"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(TaskComment.id))) == 0


def test_a_result_and_an_extension_request_carry_their_files(client, auth, org, now):
    task = in_progress_task(org, now)
    auth.login("gd.tttt")
    asked = client.post(
        f"/tasks/{task.id}/extension",
        data={"new_due_date": (task.due_date + timedelta(days=10)).strftime("%d/%m/%Y"),
              "reason": "Chờ số liệu", "files": [(io.BytesIO(PDF), "Công văn xin gia hạn.pdf")]},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert asked.status_code == 302
    submitted = client.post(
        f"/tasks/{task.id}/submit",
        data={"result": "Đã hoàn thành", "files": [(io.BytesIO(PDF), "Báo cáo kết quả.pdf")]},
        content_type="multipart/form-data",
    )
    assert submitted.status_code == 302
    files = db.session.scalars(sa.select(EvidenceFile).order_by(EvidenceFile.id)).all()
    assert [(f.original_name, bool(f.extension_request_id), bool(f.review_id)) for f in files] == [
        ("Công văn xin gia hạn.pdf", True, False),
        ("Báo cáo kết quả.pdf", False, True),
    ]
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Công văn xin gia hạn.pdf" in page and "Báo cáo kết quả.pdf" in page
