"""Vietnamese typed decomposed (NFD, as some Mac and phone keyboards send it) is the same
text as Vietnamese typed composed (NFC): found by search, refused as a duplicate, stored
in NFC — whether it comes through a page's form, the API's JSON or an Excel import."""

from __future__ import annotations

import unicodedata

import pytest
import sqlalchemy as sa

from tests.api_client import api_as
from tests.factories import issued_task
from tests.test_imports import _post_tasks, _task_row, _tasks_book
from tracker.extensions import db
from tracker.imports import tasks as im
from tracker.org.models import Unit, User
from tracker.tasks.models import SourceDocument, Task


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


TITLE = "Đẩy mạnh cải cách hành chính cấp xã"
assert nfd(TITLE) != TITLE  # the two forms really differ, byte for byte


def _is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize(("saved", "searched"), [(nfc, nfd), (nfd, nfc), (nfd, nfd)])
def test_a_search_in_one_form_finds_a_task_saved_in_the_other(
    client, auth, org, now, saved, searched
):
    task = issued_task(org, now, title=saved(TITLE))
    other = issued_task(org, now, title="Số hoá hồ sơ đất đai")
    assert _is_nfc(db.session.get(Task, task.id).title)
    auth.login("vanphong")
    page = client.get("/tasks", query_string={"q": searched("cải cách")})
    assert page.status_code == 200
    assert TITLE in page.get_data(as_text=True)
    assert other.title not in page.get_data(as_text=True)
    found = api_as(client, org.assigner).get("/tasks", q=searched("cải cách hành chính")).json
    assert [item["id"] for item in found["items"]] == [task.id]
    assert found["items"][0]["title"] == TITLE  # answered in NFC


def test_text_posted_decomposed_through_a_form_is_stored_composed(client, auth, org, now):
    auth.login("vanphong")
    answer = client.post(
        "/documents/new",
        data={
            "number": nfd("12/KH-UBND"),
            "kind": nfd("Kế hoạch"),
            "issuer": nfd("Ủy ban nhân dân quận Hoàn Kiếm"),
            "issued_on": "02/03/2023",
            "summary": nfd("Triển khai chuyển đổi số trong cải cách hành chính"),
        },
    )
    assert answer.status_code == 302
    document = db.session.scalars(
        sa.select(SourceDocument).where(SourceDocument.number == "12/KH-UBND")
    ).one()
    assert document.issuer == "Ủy ban nhân dân quận Hoàn Kiếm"
    assert document.kind == "Kế hoạch"
    assert all(_is_nfc(v) for v in (document.issuer, document.kind, document.summary))


def test_text_sent_decomposed_as_json_is_stored_composed(client, org):
    api = api_as(client, org.assigner)
    created = api.post(
        "/tasks",
        {
            "title": nfd(TITLE),
            "description": nfd("Rà soát thủ tục"),
            "process_steps": [nfd("Lập danh mục thủ tục")],
            "milestones": [{"title": nfd("Hoàn thành rà soát"), "due_date": "2026-12-15"}],
            "coordinating_units": [{"unit_id": org.dept_b.id, "responsibility": nfd("Góp ý")}],
        },
    )
    assert created.status_code == 201, created.json
    body = created.json
    assert body["title"] == TITLE
    assert body["process_steps"] == ["Lập danh mục thủ tục"]
    assert body["milestones"][0]["title"] == "Hoàn thành rà soát"
    assert body["coordinating_units"][0]["responsibility"] == "Góp ý"
    stored = db.session.get(Task, body["id"])
    assert stored.title == TITLE and _is_nfc(stored.milestones[0].title)


@pytest.mark.parametrize(("first", "second"), [(nfc, nfd), (nfd, nfc)])
def test_a_document_number_and_issuer_in_the_other_form_is_a_duplicate(
    client, auth, org, first, second
):
    issuer = "Sở Nội vụ thành phố Hà Nội"
    auth.login("vanphong")
    posted = client.post(
        "/documents/new",
        data={
            "number": first("45/KH-SNV"),
            "kind": "Kế hoạch",
            "issuer": first(issuer),
            "issued_on": "01/03/2023",
        },
    )
    assert posted.status_code == 302
    again = api_as(client, org.assigner).post(
        "/documents",
        {
            "number": second("45/KH-SNV"),
            "kind": "Kế hoạch",
            "issuer": second(issuer),
            "issued_on": "2023-03-01",
        },
    )
    assert again.status_code == 422
    assert again.json["error"] == "duplicate" and "number" in again.json["fields"]
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SourceDocument)
        .where(SourceDocument.issuer == issuer)
    )
    assert count == 1


@pytest.mark.parametrize(("first", "second"), [(nfc, nfd), (nfd, nfc)])
def test_a_unit_code_in_the_other_form_is_a_duplicate(client, auth, org, first, second):
    auth.login("quantri")
    units_before = db.session.scalar(sa.select(sa.func.count(Unit.id)))
    made = client.post(
        "/admin/units/new",
        data={
            "code": first("P-HOÀNKIẾM"),
            "name": first("UBND phường Hoàn Kiếm"),
            "kind": "commune",
        },
    )
    assert made.status_code == 302, made.get_data(as_text=True)
    again = client.post(
        "/admin/units/new",
        data={"code": second("P-HOÀNKIẾM"), "name": "Trùng mã", "kind": "commune"},
    )
    assert again.status_code == 422
    assert "đã tồn tại" in again.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == units_before + 1
    unit = db.session.scalars(sa.select(Unit).where(Unit.code == "P-HOÀNKIẾM")).one()
    assert unit.name == "UBND phường Hoàn Kiếm"


@pytest.mark.parametrize("form", [nfc, nfd])
def test_a_vietnamese_username_is_refused_alike_in_either_form(client, auth, org, form):
    auth.login("quantri")
    users_before = db.session.scalar(sa.select(sa.func.count(User.id)))
    answer = client.post(
        "/admin/users/new",
        data={
            "username": form("nguyễn.văn.an"),
            "full_name": form("Nguyễn Văn An"),
            "unit": str(org.dept_a.id),
            "roles": "staff",
            "password": "mat-khau-rat-dai-1",
            "confirm": "mat-khau-rat-dai-1",
        },
    )
    assert answer.status_code == 422
    assert "Tên đăng nhập chỉ gồm chữ thường không dấu" in answer.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == users_before


def test_a_full_name_typed_decomposed_is_stored_composed_and_found_both_ways(client, auth, org):
    auth.login("quantri")
    answer = client.post(
        "/admin/users/new",
        data={
            "username": "nguyen.van.an",
            "full_name": nfd("Nguyễn Văn Ân"),
            "unit": str(org.dept_a.id),
            "roles": "staff",
            "password": "mat-khau-rat-dai-1",
            "confirm": "mat-khau-rat-dai-1",
        },
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    user = db.session.scalars(sa.select(User).where(User.username == "nguyen.van.an")).one()
    assert user.full_name == "Nguyễn Văn Ân"
    for typed in (nfc("Văn Ân"), nfd("Văn Ân")):
        listing = client.get("/admin/users", query_string={"q": typed}).get_data(as_text=True)
        assert "nguyen.van.an" in listing


def test_an_import_with_decomposed_cells_stores_composed_text(client, auth, org):
    row = _task_row(
        **{
            im.TITLE: nfd(TITLE),
            im.DESCRIPTION: nfd("Rà soát toàn bộ thủ tục"),
            im.STEPS: nfd("Lập danh mục\nRà soát từng thủ tục"),
        }
    )
    auth.login("vanphong")
    answer = _post_tasks(client, _tasks_book(row))
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    task = db.session.scalars(sa.select(Task).where(Task.title == TITLE)).one()
    assert task.description == "Rà soát toàn bộ thủ tục"
    assert [s.description for s in task.process_steps] == ["Lập danh mục", "Rà soát từng thủ tục"]
