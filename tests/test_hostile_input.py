"""Property-based tests (Hypothesis) of every form and service that takes text, dates,
numbers or files: whatever arrives, the answer is never a 5xx or an uncaught exception;
it is either accepted, with exactly what was given stored (after the documented
normalisation: NFC, control characters dropped, ends trimmed), or refused with a message
that names the field — and then nothing at all was written (every table's row count,
the audit trail included, is what it was before).

HYPOTHESIS_PROFILE=ci (the default, bounded) or long chooses the number of examples
(profiles in tests/conftest.py).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tests.api_client import api_as
from tests.factories import draft_task, in_progress_task, issued_task
from tracker.errors import TrackerError, ValidationError
from tracker.extensions import db
from tracker.imports import tasks as im
from tracker.tasks import services
from tracker.tasks.models import Task
from tracker.text import nfc

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ "
)
HOSTILE_TEXT = [
    "",
    " ",
    "\t\n",
    '=HYPERLINK("http://evil.example")',
    "<script>alert(1)</script>",
    "'; DROP TABLE tasks; --",
    "\x00\x07\x1b",
    "\u202eabc",
    "a" * 501,
    "🙂" * 10,
    "%s %(name)s {0}",
    "../../etc/passwd",
]


def _vietnamese(max_size: int = 40):
    """Vietnamese text, composed or decomposed, as different keyboards send it."""
    return st.tuples(
        st.text(alphabet=VIETNAMESE, max_size=max_size), st.sampled_from(["NFC", "NFD"])
    ).map(lambda pair: unicodedata.normalize(pair[1], pair[0]))


def texts(max_size: int = 60):
    """Any text: Vietnamese in both forms, arbitrary Unicode, hostile strings, long runs."""
    return st.one_of(
        _vietnamese(max_size),
        st.text(max_size=max_size),
        st.sampled_from(HOSTILE_TEXT),
        st.integers(min_value=490, max_value=20_010).map(lambda n: "x" * n),
    )


def stored(value: str) -> str:
    """What the tracker keeps of a text it accepts."""
    return nfc(value).strip()


def table_counts() -> dict[str, int]:
    """Every table's row count: what "nothing was written" is checked against."""
    db.session.rollback()
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _refused_by_field(body: dict) -> bool:
    return bool(body.get("message")) and bool(body.get("fields"))


dates = st.one_of(
    st.none(),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


# ------------------------------------------------------------------ task drafts (API)


@st.composite
def task_bodies(draw, org_ids):
    unit_ids = st.sampled_from([*org_ids["units"], 0, 2**31 - 1, -5])
    body = {
        "title": draw(texts()),
        "description": draw(texts(200)),
        "expected_outcome": draw(texts()),
        "target": draw(texts()),
        "start_date": _iso(draw(dates)),
        "due_date": _iso(draw(dates)),
        "due_in_working_days": draw(
            st.one_of(st.none(), st.integers(min_value=-10, max_value=2_000))
        ),
        "process_steps": draw(st.lists(texts(), max_size=4)),
        "milestones": draw(
            st.lists(
                st.fixed_dictionaries({"title": texts(), "due_date": dates.map(_iso)}),
                max_size=3,
            )
        ),
        "coordinating_units": draw(
            st.lists(
                st.fixed_dictionaries({"unit_id": unit_ids, "responsibility": texts()}),
                max_size=3,
            )
        ),
        "lead_unit_id": draw(st.one_of(st.none(), unit_ids)),
        "priority": draw(st.sampled_from(["normal", "high", "urgent", "low", "HIGH", ""])),
    }
    # Programs leave fields out, too.
    keep = draw(st.sets(st.sampled_from(sorted(body)), min_size=1))
    return {key: body[key] for key in keep}


@pytest.fixture
def org_ids(org):
    return {"units": [org.dept_a.id, org.dept_b.id, org.office.id]}


def test_any_task_draft_through_the_api_is_stored_as_given_or_refused_cleanly(client, org, org_ids):
    api = api_as(client, org.assigner)

    @given(body=task_bodies(org_ids))
    def check(body):
        before = table_counts()
        answer = api.post("/tasks", body)
        assert answer.status_code in (201, 400, 422), (answer.status_code, answer.json)
        if answer.status_code != 201:
            assert _refused_by_field(answer.json), answer.json
            assert table_counts() == before
            return
        made = answer.json
        for key in ("title", "description", "expected_outcome", "target"):
            assert made[key] == stored(body.get(key, "")), key
        steps = [stored(s) for s in body.get("process_steps", []) if stored(s)]
        assert made["process_steps"] == steps
        titles = sorted(stored(m["title"]) for m in body.get("milestones", []))
        assert sorted(m["title"] for m in made["milestones"]) == titles
        given_units = {
            c["unit_id"]: stored(c["responsibility"]) for c in body.get("coordinating_units", [])
        }
        assert {c["unit_id"]: c["responsibility"] for c in made["coordinating_units"]} == (
            given_units
        )
        assert made["lead_unit_id"] == body.get("lead_unit_id")
        task = db.session.get(Task, made["id"])
        assert unicodedata.is_normalized("NFC", task.title)

    check()


# ------------------------------------------------------------------ the task form (web)

FORM_FIELDS = [
    "version",
    "title",
    "description",
    "document_id",
    "new_document_number",
    "new_document_kind",
    "new_document_issuer",
    "new_document_date",
    "field_id",
    "lead_unit_id",
    "accountable_user_id",
    "supervisor_id",
    "start_date",
    "due_date",
    "due_in_working_days",
    "expected_outcome",
    "target",
    "priority",
    "process_steps",
    "coordinating-0-unit_id",
    "coordinating-0-responsibility",
    "coordinating-7-unit_id",
    "milestones-0-title",
    "milestones-0-due_date",
    "milestones-3-due_date",
    "template_id",
    "issue",
    "apply_template",
]
form_values = st.one_of(
    texts(),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["01/12/2026", "31/02/2026", "2026-12-24", "1/1/1", "99/99/9999", "None"]),
)


def test_any_task_form_post_is_saved_or_reshown_and_nothing_half_written(client, auth, org, now):
    task = draft_task(org, now)
    auth.login("vanphong")

    @given(
        form=st.dictionaries(st.sampled_from(FORM_FIELDS), form_values, max_size=12),
        edit=st.booleans(),
    )
    # A tampered version (was a 500), and a date in a year the calendar does not know.
    @example(form={"version": "abc", "title": "Sửa"}, edit=True)
    @example(form={"version": "²", "title": "Sửa"}, edit=True)
    @example(form={"version": "9" * 30, "title": "Sửa"}, edit=True)
    @example(form={"title": "Mới", "due_date": "01/01/9999", "issue": "1"}, edit=False)
    def check(form, edit):
        before = table_counts()
        path = f"/tasks/{task.id}/edit" if edit else "/tasks/new"
        answer = client.post(path, data=form)
        assert answer.status_code in (200, 302, 409, 422), answer.status_code
        if answer.status_code != 302:
            assert table_counts() == before

    check()


# ------------------------------------------------------------------ the unit's reports


@pytest.fixture
def working(org, now):
    task = in_progress_task(org, now)
    return task.id


def _service_property(call, fields: set[str]):
    """Run a service; on refusal check the field is named and nothing was written."""
    before = table_counts()
    try:
        result = call()
        db.session.commit()
    except ValidationError as refused:
        db.session.rollback()
        assert refused.message and set(refused.fields) & fields, refused.fields
        assert table_counts() == before
        return None
    except TrackerError as refused:  # a state that no longer allows it: still clean
        db.session.rollback()
        assert refused.message
        assert table_counts() == before
        return None
    return result


def test_any_progress_report_is_stored_as_given_or_refused_by_field(org, now, working):
    @given(
        percent=st.one_of(st.integers(min_value=-1000, max_value=1000), st.integers()),
        narrative=texts(200),
        difficulties=texts(),
        proposals=texts(),
    )
    def check(percent, narrative, difficulties, proposals):
        task = db.session.get(Task, working)
        update = _service_property(
            lambda: services.report_progress(
                task,
                actor=org.staff_a,
                now=now,
                percent=percent,
                narrative=narrative,
                difficulties=difficulties,
                proposals=proposals,
            ),
            {"percent", "narrative", "difficulties", "proposals"},
        )
        if update is not None:
            assert (update.percent, update.narrative) == (percent, stored(narrative))
            assert update.difficulties == stored(difficulties)
            assert update.proposals == stored(proposals)

    check()


def test_any_extension_request_is_stored_as_given_or_refused_by_field(org, now):
    @given(new_due=dates, reason=texts())
    def check(new_due, reason):
        task = issued_task(org, now)
        request = _service_property(
            lambda: services.request_extension(
                task, actor=org.head_a, now=now, new_due_date=new_due, reason=reason
            ),
            {"new_due_date", "reason"},
        )
        if request is not None:
            assert (request.new_due_date, request.reason) == (new_due, stored(reason))
            assert new_due > request.current_due_date

    check()


def test_any_result_submission_is_stored_as_given_or_refused_by_field(org, now):
    @given(result=texts(300))
    def check(result):
        task = in_progress_task(org, now)
        done = _service_property(
            lambda: services.submit_result(task, actor=org.head_a, now=now, result=result),
            {"result"},
        )
        if done is not None:
            assert done.result_summary == stored(result)

    check()


def test_any_document_is_registered_as_given_or_refused_by_field(client, org):
    api = api_as(client, org.assigner)

    @given(
        number=texts(),
        kind=texts(),
        issuer=texts(),
        issued_on=st.dates(min_value=date(1, 1, 1)).map(_iso) | st.sampled_from(["", "x", None]),
        summary=texts(200),
    )
    def check(number, kind, issuer, issued_on, summary):
        before = table_counts()
        body = {
            "number": number,
            "kind": kind,
            "issuer": issuer,
            "issued_on": issued_on,
            "summary": summary,
        }
        answer = api.post("/documents", body)
        assert answer.status_code in (201, 400, 422), answer.status_code
        if answer.status_code == 201:
            made = answer.json
            assert [made[k] for k in ("number", "kind", "issuer", "summary")] == [
                stored(v) for v in (number, kind, issuer, summary)
            ]
        else:
            assert _refused_by_field(answer.json), answer.json
            assert table_counts() == before

    check()


# ------------------------------------------------------------------ admin forms

ADMIN_FORMS = {
    "/admin/units/new": ["code", "name", "kind", "parent"],
    "/admin/users/new": [
        "username",
        "full_name",
        "unit",
        "roles",
        "position",
        "email",
        "password",
        "confirm",
    ],
    "/admin/fields/new": ["code", "name", "leader"],
    "/admin/calendar": ["day", "kind", "note"],
    "/admin/reminders/rules": [
        "kind",
        "offset_days",
        "repeat_every",
        "recipients",
        "for_milestones",
        "active",
    ],
    "/admin/reminders/thresholds": ["overdue_working_days", "unanswered_notices"],
}


@pytest.mark.parametrize("path", list(ADMIN_FORMS))
def test_any_admin_form_post_is_saved_or_refused_and_nothing_half_written(client, auth, org, path):
    auth.login("quantri")
    names = ADMIN_FORMS[path]

    @given(form=st.dictionaries(st.sampled_from(names), form_values, max_size=len(names)))
    def check(form):
        before = table_counts()
        answer = client.post(path, data=form)
        assert answer.status_code in (200, 302, 400, 409, 422), answer.status_code
        if answer.status_code not in (302,):
            assert table_counts() == before
        else:
            # A saved form wrote its change and an audit event with it.
            after = table_counts()
            assert after["audit_events"] > before["audit_events"]

    check()


# ------------------------------------------------------------------ the task list

LIST_ARGS = [
    "q",
    "category",
    "unit_id",
    "field_id",
    "document_id",
    "supervisor_id",
    "due_from",
    "due_to",
    "sort",
    "page",
    "per_page",
    "as_of",
]


def test_any_task_list_filter_or_search_answers_a_page(client, auth, org, now):
    issued_task(org, now, title="Cải cách hành chính")
    auth.login("vanphong")
    api = api_as(client, org.assigner)

    @given(args=st.dictionaries(st.sampled_from(LIST_ARGS), form_values, max_size=5))
    def check(args):
        page = client.get("/tasks", query_string=args)
        assert page.status_code in (200, 422), page.status_code
        listed = api.get("/tasks", **args)
        assert listed.status_code in (200, 422), listed.status_code
        exported = client.get("/oversight/tasks.xlsx", query_string=args)
        assert exported.status_code in (200, 422), exported.status_code

    check()


# ------------------------------------------------------------------ Excel imports

cells = st.one_of(
    st.none(),
    texts(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.sampled_from(["=1+1", "=NOW()", "01/12/2026", "2026-12-01", "45000", "31/02/2026"]),
)


@st.composite
def workbooks(draw):
    headers = list(im.TASK_COLUMNS)
    book = Workbook()
    sheet = book.active
    sheet.title = im.TASK_SHEET
    sheet.append(headers)
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        row = draw(st.lists(cells, min_size=len(headers), max_size=len(headers)))
        if draw(st.booleans()):  # an empty row between rows
            sheet.append([None] * len(headers))
        # Characters no workbook can hold are not in any file a person could send.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_any_task_workbook_imports_or_names_its_errors_and_writes_nothing(org, now):
    @given(data=workbooks(), issue=st.booleans())
    def check(data, issue):
        before = table_counts()
        try:
            result = im.import_tasks(data, actor=org.assigner, now=now, issue=issue)
        except ValidationError as refused:  # the file as a whole
            db.session.rollback()
            assert refused.message and refused.fields
            assert table_counts() == before
            return
        db.session.commit()
        if result.errors:
            assert all(e.message and e.column is not None for e in result.errors)
            assert result.tasks == 0 and table_counts() == before
        else:
            assert table_counts()["tasks"] == before["tasks"] + result.rows

    check()
