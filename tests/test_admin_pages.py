"""The administration pages: units, users and roles, fields and the working calendar."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import AuthActions
from tests.factories import PASSWORD, password_hash
from tracker.audit.models import AuditEvent
from tracker.calendar.services import load_calendar
from tracker.clock import local_date, utcnow
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.org import services
from tracker.org.models import Field, Role, UnitKind, User

NEW_PASSWORD = "mat-khau-moi-2026"
SATURDAY = date(2026, 11, 7)


def field_error(html: str, field_id: str) -> str:
    """Return the error text shown with a form field (empty when there is none)."""
    start = html.index(f'id="{field_id}"')
    end = html.find('class="mb-3', start)
    chunk = html[start : end if end != -1 else None]
    return " ".join(re.findall(r'class="invalid-feedback[^"]*">\s*(.*?)\s*</div>', chunk, re.S))


def admin_events(org, action: str) -> list[AuditEvent]:
    """Return the audit events of an action done by the admin."""
    query = sa.select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.actor_id == org.admin.id
    )
    return list(db.session.scalars(query.order_by(AuditEvent.seq)))


def audit_count() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()


def user_count() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one()


@pytest.fixture
def admin(auth, org):
    """The test client, signed in as the admin."""
    response = auth.login("quantri")
    assert response.status_code == 302
    return auth


def row_of(html: str, text: str) -> str:
    """Return the table row that shows a text."""
    return next(row for row in html.split("<tr")[1:] if text in row).split("</tr>")[0]


def new_user_form(org, **overrides) -> dict:
    data = {
        "username": "cv3.tttt",
        "full_name": "Đinh Thị Ba",
        "unit": str(org.dept_a.id),
        "position": "Chuyên viên",
        "email": "cv3.tttt@hanoi.gov.vn",
        "roles": ["staff", "unit_head"],
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


# ------------------------------------------------------------------ access


def admin_urls(org) -> tuple[list[str], list[str]]:
    gets = [
        "/admin/units",
        "/admin/units/new",
        f"/admin/units/{org.dept_a.id}",
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{org.staff_a.id}",
        "/admin/fields",
        "/admin/fields/new",
        f"/admin/fields/{org.field.id}",
        "/admin/calendar",
    ]
    posts = [
        "/admin/units/new",
        f"/admin/units/{org.dept_a.id}",
        f"/admin/units/{org.dept_a.id}/deactivate",
        f"/admin/units/{org.dept_a.id}/reactivate",
        "/admin/users/new",
        f"/admin/users/{org.staff_a.id}",
        f"/admin/users/{org.staff_a.id}/password",
        f"/admin/users/{org.staff_a.id}/deactivate",
        f"/admin/users/{org.staff_a.id}/reactivate",
        "/admin/fields/new",
        f"/admin/fields/{org.field.id}",
        "/admin/calendar",
        f"/admin/calendar/{SATURDAY.isoformat()}/remove",
    ]
    return gets, posts


@pytest.mark.parametrize("username", ["vanphong", "gd.tttt", "pct.ha", "snv.thanhtra"])
def test_only_the_admin_may_open_or_use_the_admin_pages(client, auth, org, username):
    auth.login(username)
    events_before = audit_count()
    gets, posts = admin_urls(org)
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        response = client.post(url, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert response.status_code == 403, url
    db.session.expire_all()
    assert org.dept_a.active and org.staff_a.active
    assert audit_count() == events_before
    assert client.get("/my-work").status_code == 200


def test_signed_out_visitors_are_sent_to_the_sign_in_page(client, org):
    gets, _ = admin_urls(org)
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url


def test_the_admin_sees_every_page_with_the_sub_navigation(client, admin, org):
    gets, _ = admin_urls(org)
    for url in gets:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        for label in ("Đơn vị", "Người dùng", "Lĩnh vực", "Lịch làm việc"):
            assert label in html, (url, label)


# ------------------------------------------------------------------ units


def test_the_tree_shows_kind_head_members_and_state(client, admin, org):
    html = client.get("/admin/units").get_data(as_text=True)
    row = row_of(html, "Sở Thông tin và Truyền thông")
    assert "Sở/ban/ngành" in row
    assert "Trần Văn Trưởng" in row  # the head
    assert re.search(r">\s*3\s*</a>", row)  # three active users
    assert "Đang hoạt động" in row
    assert "Thành phố" in html and "Văn phòng" in html


def test_the_tree_takes_the_same_number_of_queries_however_many_units(client, admin, org, now):
    def queries_for_tree() -> int:
        statements = []

        def count(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT"):  # not BEGIN and the like
                statements.append(statement)

        db.session.expire_all()  # as in a fresh request: nothing already loaded
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/admin/units").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    few = queries_for_tree()
    for n in range(8):
        unit = services.create_unit(
            code=f"P{n}",
            name=f"Phòng {n}",
            kind=UnitKind.DIVISION,
            parent=org.dept_b,
            actor=None,
            now=now,
        )
        head = services.create_user(
            username=f"tp{n}.stp",
            full_name=f"Trưởng Phòng {n}",
            unit=unit,
            roles=[Role.UNIT_HEAD],
            password_hash=password_hash(),
            actor=None,
            now=now,
        )
        services.set_unit_head(unit, head, actor=None, now=now)
    db.session.commit()
    assert queries_for_tree() == few


def test_a_created_unit_appears_in_the_tree(client, admin, org):
    response = client.post(
        "/admin/units/new",
        data={
            "code": "UBND-HD",
            "name": "UBND huyện Hoài Đức",
            "kind": "district",
            "parent": str(org.city.id),
        },
    )
    assert response.status_code == 302
    unit = services.unit_by_code("UBND-HD")
    assert unit.parent_id == org.city.id and unit.kind == UnitKind.DISTRICT
    html = client.get("/admin/units").get_data(as_text=True)
    row = row_of(html, "UBND huyện Hoài Đức")
    assert "Quận/huyện/thị xã" in row
    [event] = admin_events(org, "unit.created")
    assert json.loads(event.after)["code"] == "UBND-HD"


def test_a_duplicate_unit_code_is_refused_next_to_the_field(client, admin, org):
    response = client.post(
        "/admin/units/new", data={"code": "STTTT", "name": "Trùng mã", "kind": "department"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "STTTT đã tồn tại" in field_error(html, "code")
    assert 'value="Trùng mã"' in html
    assert not admin_events(org, "unit.created")


def test_a_unit_cannot_become_its_own_ancestor(client, admin, org, now):
    division = services.create_unit(
        code="STTTT-VP",
        name="Văn phòng Sở TTTT",
        kind=UnitKind.DIVISION,
        parent=org.dept_a,
        actor=None,
        now=now,
    )
    db.session.commit()
    response = client.post(
        f"/admin/units/{org.dept_a.id}",
        data={
            "name": org.dept_a.name,
            "kind": "department",
            "parent": str(division.id),
            "head": str(org.head_a.id),
        },
    )
    assert response.status_code == 422
    assert "không thể trực thuộc chính nó" in field_error(response.get_data(as_text=True), "parent")
    db.session.expire_all()
    assert org.dept_a.parent_id == org.city.id
    assert not admin_events(org, "unit.updated")
    with pytest.raises(ValidationError) as refused:
        services.update_unit(
            org.dept_a,
            name="x",
            kind=UnitKind.DEPARTMENT,
            parent=org.dept_a,
            head=None,
            actor=org.admin,
            now=now,
        )
    assert "parent" in refused.value.fields


def test_edit_a_unit_and_name_its_head(client, admin, org):
    response = client.post(
        f"/admin/units/{org.dept_a.id}",
        data={
            "name": "Sở Khoa học và Công nghệ",
            "kind": "department",
            "parent": str(org.city.id),
            "head": str(org.staff_a.id),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert org.dept_a.name == "Sở Khoa học và Công nghệ" and org.dept_a.head_id == org.staff_a.id
    [event] = admin_events(org, "unit.updated")
    assert json.loads(event.before) == {
        "name": "Sở Thông tin và Truyền thông",
        "head_id": org.head_a.id,
    }
    assert json.loads(event.after)["head_id"] == org.staff_a.id


def test_the_head_must_be_a_member_of_the_unit(client, admin, org, now):
    response = client.post(
        f"/admin/units/{org.dept_a.id}",
        data={
            "name": org.dept_a.name,
            "kind": "department",
            "parent": str(org.city.id),
            "head": str(org.staff_b.id),
        },
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "head")
    db.session.expire_all()
    assert org.dept_a.head_id == org.head_a.id
    with pytest.raises(ValidationError) as refused:
        services.update_unit(
            org.dept_a,
            name=org.dept_a.name,
            kind=UnitKind.DEPARTMENT,
            parent=org.city,
            head=org.staff_b,
            actor=org.admin,
            now=now,
        )
    assert "head" in refused.value.fields


def test_deactivate_and_reactivate_a_unit(client, admin, org):
    assert client.post(f"/admin/units/{org.dept_b.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert not org.dept_b.active
    html = client.get("/admin/units").get_data(as_text=True)
    assert "Ngừng hoạt động" in row_of(html, "Sở Tư pháp")
    assert "Sở Tư pháp" not in client.get("/admin/units/new").get_data(as_text=True)
    assert client.post(f"/admin/units/{org.dept_b.id}/reactivate").status_code == 302
    db.session.expire_all()
    assert org.dept_b.active
    assert len(admin_events(org, "unit.deactivated")) == 1
    assert len(admin_events(org, "unit.reactivated")) == 1


# ------------------------------------------------------------------ users


def test_a_created_user_with_two_roles_can_sign_in(client, admin, org):
    response = client.post("/admin/users/new", data=new_user_form(org))
    assert response.status_code == 302
    user = services.user_by_username("cv3.tttt")
    assert user.roles == {Role.STAFF, Role.UNIT_HEAD} and user.unit_id == org.dept_a.id
    [event] = admin_events(org, "user.created")
    assert json.loads(event.after)["roles"] == ["staff", "unit_head"]
    assert NEW_PASSWORD not in (event.after or "")
    admin.logout()
    # The admin knows the first password: the person must choose their own at once.
    response = admin.login("cv3.tttt", NEW_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/password"
    assert client.get("/").headers["Location"] == "/password"
    client.post(
        "/password",
        data={
            "current_password": NEW_PASSWORD,
            "new_password": "mot cau dai de nho cua toi",
            "confirm": "mot cau dai de nho cua toi",
        },
    )
    assert client.get("/").status_code == 200


def test_a_duplicate_username_is_refused_next_to_the_field(client, admin, org):
    before = user_count()
    response = client.post("/admin/users/new", data=new_user_form(org, username="cv.tttt"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "cv.tttt đã tồn tại" in field_error(html, "username")
    assert 'value="Đinh Thị Ba"' in html  # what was typed is kept
    assert user_count() == before
    assert not admin_events(org, "user.created")


@pytest.mark.parametrize(
    ("overrides", "field_id", "text"),
    [
        ({"password": "ngan", "confirm": "ngan"}, "password", "ít nhất 12 ký tự"),
        ({"confirm": "khac-mat-khau"}, "confirm", "không khớp"),
        ({"roles": []}, "roles", "ít nhất một vai trò"),
        ({"username": "Tên Có Dấu"}, "username", "chữ thường không dấu"),
        ({"email": "khong-phai-email"}, "email", "không hợp lệ"),
    ],
)
def test_a_user_form_with_a_mistake_saves_nothing(client, admin, org, overrides, field_id, text):
    before = user_count()
    response = client.post("/admin/users/new", data=new_user_form(org, **overrides))
    assert response.status_code == 422
    assert text in field_error(response.get_data(as_text=True), field_id)
    assert user_count() == before


def test_edit_a_users_details_and_roles(client, admin, org):
    response = client.post(
        f"/admin/users/{org.staff_a.id}",
        data={
            "full_name": "Lê Thị Làm",
            "unit": str(org.dept_b.id),
            "position": "Phó phòng",
            "email": "lam@hanoi.gov.vn",
            "roles": ["staff", "inspector"],
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert org.staff_a.unit_id == org.dept_b.id and org.staff_a.position == "Phó phòng"
    assert org.staff_a.roles == {Role.STAFF, Role.INSPECTOR}
    [event] = admin_events(org, "user.updated")
    assert json.loads(event.before)["roles"] == ["staff"]
    assert json.loads(event.after)["roles"] == ["inspector", "staff"]
    assert "full_name" not in json.loads(event.after)  # only what changed


def test_a_unit_head_cannot_be_moved_out_of_their_unit(client, admin, org):
    response = client.post(
        f"/admin/users/{org.head_a.id}",
        data={
            "full_name": org.head_a.full_name,
            "unit": str(org.dept_b.id),
            "roles": ["unit_head"],
        },
    )
    assert response.status_code == 422
    assert "đang là thủ trưởng" in field_error(response.get_data(as_text=True), "unit")
    db.session.expire_all()
    assert org.head_a.unit_id == org.dept_a.id


def test_the_admin_cannot_drop_their_own_admin_role(client, admin, org):
    response = client.post(
        f"/admin/users/{org.admin.id}",
        data={"full_name": org.admin.full_name, "unit": str(org.office.id), "roles": ["staff"]},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert org.admin.has_role(Role.ADMIN)


def test_a_deactivated_user_cannot_sign_in_nor_keep_their_session(app, client, admin, org):
    other = app.test_client()
    staff = AuthActions(other)
    assert staff.login("cv.tttt").status_code == 302
    assert other.get("/").status_code == 200

    assert client.post(f"/admin/users/{org.staff_a.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert not org.staff_a.active
    response = other.get("/")  # the session they already had no longer works
    assert response.status_code == 302 and "/login" in response.location
    assert staff.login("cv.tttt").status_code == 200  # refused: the form is shown again
    assert len(admin_events(org, "user.deactivated")) == 1

    assert client.post(f"/admin/users/{org.staff_a.id}/reactivate").status_code == 302
    assert staff.login("cv.tttt").status_code == 302
    assert len(admin_events(org, "user.reactivated")) == 1


def test_the_admin_cannot_deactivate_themself(client, admin, org):
    response = client.post(f"/admin/users/{org.admin.id}/deactivate")
    assert response.status_code == 422
    assert "không thể tự khoá" in response.get_data(as_text=True)
    db.session.expire_all()
    assert org.admin.active
    assert client.get("/admin/users").status_code == 200
    assert not admin_events(org, "user.deactivated")


def test_reset_a_password(app, client, admin, org):
    response = client.post(
        f"/admin/users/{org.staff_a.id}/password",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    [event] = admin_events(org, "user.password_reset")
    assert event.object_id == org.staff_a.id and event.after is None
    staff = AuthActions(app.test_client())
    assert staff.login("cv.tttt", PASSWORD).status_code == 200
    assert staff.login("cv.tttt", NEW_PASSWORD).status_code == 302


def test_a_reset_password_too_short_is_refused(client, admin, org):
    response = client.post(
        f"/admin/users/{org.staff_a.id}/password",
        data={"password": "ngan-qua", "confirm": "ngan-qua"},
    )
    assert response.status_code == 422
    assert "ít nhất 12 ký tự" in field_error(response.get_data(as_text=True), "password")
    db.session.expire_all()
    assert org.staff_a.password_hash == password_hash()
    assert not admin_events(org, "user.password_reset")


def test_the_user_list_filters_and_pages(client, admin, org, now):
    for n in range(30):
        services.create_user(
            username=f"cv{n:02d}.stp",
            full_name=f"Chuyên Viên Số {n:02d}",
            unit=org.dept_b,
            roles=[Role.STAFF],
            password_hash=password_hash(),
            actor=None,
            now=now,
        )
    db.session.commit()

    page1 = client.get(f"/admin/users?unit_id={org.dept_b.id}").get_data(as_text=True)
    assert "Tìm thấy 32 người dùng" in page1
    assert "cv00.stp" in page1 and "cv29.stp" not in page1
    assert f"unit_id={org.dept_b.id}" in page1 and "page=2" in page1
    page2 = client.get(f"/admin/users?unit_id={org.dept_b.id}&page=2").get_data(as_text=True)
    assert "cv29.stp" in page2 and "cv00.stp" not in page2

    leaders = client.get("/admin/users?role=leader").get_data(as_text=True)
    assert "pct.ha" in leaders and "cv.tttt" not in leaders
    found = client.get("/admin/users?q=Trưởng").get_data(as_text=True)
    assert "gd.tttt" in found and "cv.tttt" not in found

    services.set_user_active(org.staff_b, False, actor=org.admin, now=now)
    db.session.commit()
    locked = client.get("/admin/users?active=0").get_data(as_text=True)
    assert "Tìm thấy 1 người dùng" in locked and "cv.stp" in locked


# ------------------------------------------------------------------ fields


def test_create_and_edit_a_field(client, admin, org):
    response = client.post(
        "/admin/fields/new",
        data={"code": "CCHC", "name": "Cải cách hành chính", "leader": str(org.leader.id)},
    )
    assert response.status_code == 302
    assert "Cải cách hành chính" in client.get("/admin/fields").get_data(as_text=True)
    field = db.session.scalars(sa.select(Field).where(Field.code == "CCHC")).one()
    assert field.leader_id == org.leader.id
    response = client.post(
        f"/admin/fields/{field.id}", data={"name": "Cải cách hành chính công", "leader": ""}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert field.name == "Cải cách hành chính công" and field.leader_id is None
    assert len(admin_events(org, "field.created")) == 1
    assert len(admin_events(org, "field.updated")) == 1


def test_a_field_led_by_a_non_leader_is_refused(client, admin, org, now):
    response = client.post(
        "/admin/fields/new",
        data={"code": "TP", "name": "Tư pháp", "leader": str(org.staff_b.id)},
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "leader")
    assert not db.session.scalars(sa.select(Field).where(Field.code == "TP")).first()
    assert not admin_events(org, "field.created")
    with pytest.raises(ValidationError) as refused:
        services.create_field(code="TP", name="Tư pháp", leader=org.staff_b, actor=None, now=now)
    assert "leader" in refused.value.fields
    with pytest.raises(ValidationError):
        services.update_field(org.field, name="x", leader=org.head_a, actor=None, now=now)


def test_a_duplicate_field_code_is_refused(client, admin, org):
    response = client.post("/admin/fields/new", data={"code": "CDS", "name": "Trùng"})
    assert response.status_code == 422
    assert "CDS đã tồn tại" in field_error(response.get_data(as_text=True), "code")


def test_a_leader_who_supervises_a_field_keeps_the_leader_role(client, admin, org):
    response = client.post(
        f"/admin/users/{org.leader.id}",
        data={"full_name": org.leader.full_name, "unit": str(org.city.id), "roles": ["staff"]},
    )
    assert response.status_code == 422
    assert "Chuyển đổi số" in field_error(response.get_data(as_text=True), "roles")
    db.session.expire_all()
    assert org.leader.has_role(Role.LEADER)


# ------------------------------------------------------------------ working calendar


def test_a_working_saturday_can_be_added_and_removed(client, admin, org):
    assert not load_calendar().is_working_day(SATURDAY)
    response = client.post(
        "/admin/calendar",
        data={"day": "07/11/2026", "kind": "working_day", "note": "Làm bù cho ngày 30/11"},
    )
    assert response.status_code == 302
    assert load_calendar().is_working_day(SATURDAY)
    html = client.get("/admin/calendar").get_data(as_text=True)
    assert "Thứ bảy, 07/11/2026" in html and "Làm bù cho ngày 30/11" in html
    [event] = admin_events(org, "calendar.override_set")
    assert json.loads(event.after)["kind"] == "working_day"

    response = client.post(f"/admin/calendar/{SATURDAY.isoformat()}/remove")
    assert response.status_code == 302
    assert not load_calendar().is_working_day(SATURDAY)
    assert "Thứ bảy, 07/11/2026" not in client.get("/admin/calendar").get_data(as_text=True)
    [event] = admin_events(org, "calendar.override_removed")
    assert json.loads(event.before)["day"] == "2026-11-07"


def test_a_day_off_override_and_a_bad_date(client, admin, org):
    response = client.post("/admin/calendar", data={"day": "31/02/2026", "kind": "day_off"})
    assert response.status_code == 422
    assert "dd/mm/yyyy" in field_error(response.get_data(as_text=True), "day")
    response = client.post("/admin/calendar", data={"day": "03/11/2026", "kind": "day_off"})
    assert response.status_code == 302
    assert not load_calendar().is_working_day(date(2026, 11, 3))


def test_removing_a_day_without_override_is_refused(client, admin, org):
    response = client.post("/admin/calendar/2026-11-14/remove")
    assert response.status_code == 422
    assert "Không có điều chỉnh nào cho ngày 14/11/2026" in response.get_data(as_text=True)
    assert client.post("/admin/calendar/not-a-day/remove").status_code == 404


def test_the_public_holidays_of_a_year(client, admin, org):
    html = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "Giỗ Tổ Hùng Vương" in html and "30/04/2026" in html and "02/09/2026" in html
    assert "22/08/2026" in html  # the Saturday worked in exchange for 31/08
    this_year = local_date(utcnow()).year
    html = client.get("/admin/calendar").get_data(as_text=True)
    assert f"01/01/{this_year}" in html
    html = client.get("/admin/calendar?year=1500").get_data(as_text=True)
    assert f"01/01/{this_year}" in html
