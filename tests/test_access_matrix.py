"""Every route × every actor × own, coordinated and foreign objects: the exact answer.

The expected answers are data (tests/access_matrix.py). The objects are built once for the
module, through the services; every call sends input that, once past access control, is
refused or harmless, so one cell never spoils the next. A denied POST must leave every
table as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tests import access_matrix as m
from tests.conftest import (
    POSTGRES_URL,
    _app_for,
    _empty_postgres_tables,
    database_for,
    forget_between_requests,
)
from tests.factories import _user, build_org, complete_input
from tests.test_reminders import DUE, at, wd
from tracker.auth.models import AccessToken, TokenKind
from tracker.auth.routes import LAST_SEEN, SESSION_SECRET
from tracker.auth.sessions import open_session, start_session
from tracker.auth.tokens import calendar_token, personal_token, sign_in_token
from tracker.calendar.models import DayKind
from tracker.calendar.services import set_override
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.inspections import models as inspection_models
from tracker.inspections import services as inspections
from tracker.notify.models import Channel, Notification
from tracker.org.models import Role, UnitKind, User
from tracker.org.services import create_field, create_unit, set_unit_head, set_user_active
from tracker.reminders.models import Escalation, ReminderRule
from tracker.reminders.sweep import run_sweep
from tracker.tasks import services
from tracker.tasks.clarity import missing_clarity
from tracker.tasks.documents import services as documents
from tracker.tasks.evidence import Upload, store_evidence
from tracker.tasks.models import (
    EvidenceFile,
    ExtensionRequest,
    ExtensionStatus,
    Task,
    TaskState,
)
from tracker.tasks.process_templates import services as templates
from tracker.tasks.series import services as series
from tracker.tasks.services import CoordinationInput, MilestoneInput
from tracker.webhooks.models import DeliveryStatus, WebhookDelivery
from tracker.webhooks.services import register_webhook

# Answers that mean "passed access control" (see the legend in tests/access_matrix.py).
PASSED = {200, 201, 302, 303, 409, 422}


@dataclass
class World:
    """The ids of everything the matrix calls routes on."""

    users: dict[str, int | None]  # actor → user id (None: anonymous)
    tokens: dict[str, str | None]  # actor → the bearer token the matrix calls the API with
    sessions: dict[str, str | None] = field(default_factory=dict)  # actor → web session secret
    objects: dict[tuple[str, str], dict] = field(default_factory=dict)  # (kind, relation)
    mine: dict[tuple[str, str, str], dict] = field(default_factory=dict)  # per actor
    ids: dict[str, object] = field(default_factory=dict)  # for bodies and queries

    def params(self, kind: str, relation: str, actor: str) -> dict:
        """Return the address parts naming the object of that relation for that actor."""
        if kind == "none":
            return {}
        return self.mine.get((kind, relation, actor)) or self.objects[(kind, relation)]


def _people(now) -> SimpleNamespace:
    """The tests' small city, plus department C, a division of A, a second leader and
    field, colleagues who are never actors, and the user the admin will lock."""
    p = SimpleNamespace(org=build_org(now))
    org = p.org

    def unit(code, name, kind, parent):
        return create_unit(code=code, name=name, kind=kind, parent=parent, actor=None, now=now)

    def headed(unit, username, name):
        head = _user(username, name, unit, [Role.UNIT_HEAD], now)
        set_unit_head(unit, head, actor=None, now=now)
        return head

    p.dept_c = unit("STC", "Sở Tài chính", UnitKind.DEPARTMENT, org.city)
    headed(p.dept_c, "gd.stc", "Ngô Văn Tài")
    p.staff_c = _user("cv.stc", "Đinh Thị Chính", p.dept_c, [Role.STAFF], now)
    p.division = unit("STTTT-BC", "Phòng Bưu chính", UnitKind.DIVISION, org.dept_a)
    p.head_div = headed(p.division, "tp.buuchinh", "Lý Văn Phòng")
    p.colleague_b = _user("cv2.stp", "Hồ Văn Hai", org.dept_b, [Role.STAFF], now)
    p.former = _user("cv.nghiviec", "Mai Văn Nghỉ", org.dept_a, [Role.STAFF], now)
    p.leader2 = _user("pct.binh", "Trịnh Văn Bình", org.city, [Role.LEADER], now)
    p.field2 = create_field(
        code="CCHC", name="Cải cách hành chính", leader=p.leader2, actor=None, now=now
    )
    p.document_b = documents.register_document(
        number="61/KH-UBND",
        kind="Kế hoạch",
        issuer="UBND thành phố Hà Nội",
        issued_on=date(2023, 3, 1),
        summary="Kiểm tra công tác cải cách hành chính.",
        actor=org.assigner,
        now=now,
    )
    # Registered first, so that issuing the tasks queues deliveries to it.
    p.webhook, _ = register_webhook(
        name="Hệ thống văn bản",
        url="http://127.0.0.1:9/",
        events=["task.issued"],
        actor=org.admin,
        now=now,
    )
    return p


def _draft(p, now, **overrides) -> Task:
    today = (now + timedelta(hours=7)).date()
    return services.create_draft(
        complete_input(p.org, today, **overrides), actor=p.org.assigner, now=now
    )


def _carry(task, office, head, staff, now) -> None:
    """Issue, accept, report with a file, reach the milestone; ask for more time, be
    refused, and ask again (the second request stays pending)."""
    services.issue_task(task, actor=office, now=now)
    services.accept_task(task, actor=head, now=now, assignee_id=staff.id)
    services.report_progress(
        task,
        actor=staff,
        now=now,
        percent=30,
        narrative="Đã rà soát xong danh mục",
        evidence=[Upload("bien-ban.pdf", b"%PDF-1.4 bien ban ra soat")],
    )
    services.complete_milestone(task, task.milestones[0].id, actor=staff, now=now)
    later = DUE + timedelta(days=30)
    first = services.request_extension(
        task, actor=head, now=now, new_due_date=later, reason="Chờ số liệu"
    )
    services.decide_extension(first, actor=office, now=now, approve=False, note="Chưa đủ căn cứ")
    services.request_extension(
        task, actor=head, now=now, new_due_date=later, reason="Đã có văn bản của Bộ"
    )


def _tasks(p, now) -> None:
    """The own, coordinated and foreign tasks (ten working days late, so the sweep opens
    a record on each), the office's draft, the sub-task and the two groups."""
    org = p.org
    reached = [MilestoneInput("Hoàn thành rà soát", DUE - timedelta(days=7))]
    led_by_b = dict(
        lead_unit_id=org.dept_b.id,
        accountable_user_id=org.head_b.id,
        field_id=p.field2.id,
        document_id=p.document_b.id,
        milestones=reached,
        due_date=DUE,
    )
    p.own = _draft(p, now, milestones=reached, due_date=DUE)
    p.coordinated = _draft(
        p,
        now,
        **led_by_b,
        supervisor_id=org.leader.id,
        coordinating=[CoordinationInput(org.dept_a.id, "Cung cấp số liệu")],
    )
    p.foreign = _draft(
        p,
        now,
        **led_by_b,
        supervisor_id=p.leader2.id,
        coordinating=[CoordinationInput(p.dept_c.id, "Bố trí kinh phí")],
    )
    _carry(p.own, org.assigner, org.head_a, org.staff_a, now)
    _carry(p.coordinated, org.assigner, org.head_b, org.staff_b, now)
    _carry(p.foreign, org.assigner, org.head_b, org.staff_b, now)
    p.draft = _draft(p, now, target="")  # not clear on "rõ kết quả" yet
    today = (now + timedelta(hours=7)).date()
    p.subtask = services.create_subtask(
        p.own,
        complete_input(
            org,
            today,
            title="Số hoá hồ sơ bưu chính",
            lead_unit_id=p.division.id,
            accountable_user_id=p.head_div.id,
            due_date=DUE,
            coordinating=[],
        ),
        actor=org.head_a,
        now=now,
    )
    services.issue_task(p.subtask, actor=org.head_a, now=now)
    p.subdraft = services.create_subtask(
        p.own,
        complete_input(
            org,
            today,
            title="Số hoá hồ sơ bưu chính đợt 2",
            lead_unit_id=p.division.id,
            accountable_user_id=p.head_div.id,
            due_date=DUE,
            coordinating=[],
            target="",  # not clear on "rõ kết quả" yet
        ),
        actor=org.head_a,
        now=now,
    )
    p.group_own = services.issue_to_units(
        complete_input(org, today, title="Báo cáo chuyển đổi số quý", coordinating=[]),
        [org.dept_a.id, p.dept_c.id],
        actor=org.assigner,
        now=now,
    )
    p.group_foreign = services.issue_to_units(
        complete_input(
            org,
            today,
            title="Báo cáo cải cách hành chính quý",
            field_id=p.field2.id,
            supervisor_id=p.leader2.id,
            coordinating=[],
        ),
        [org.dept_b.id, p.dept_c.id],
        actor=org.assigner,
        now=now,
    )
    db.session.commit()
    run_sweep(at(wd(DUE, 10)))
    db.session.commit()


def _oversight_and_settings(p, now) -> None:
    """Sở Nội vụ's inspections of A and B, a series, a template, a calendar override and
    a failed webhook delivery."""
    org = p.org
    p.inspections = {}
    for dept in (org.dept_a, org.dept_b):
        found = inspections.record_inspection(
            inspections.InspectionInput(
                kind="system",
                unit_id=dept.id,
                inspected_on=now.date(),
                team="Đoàn kiểm tra Sở Nội vụ",
                summary="Kiểm tra qua hệ thống",
            ),
            actor=org.inspector,
            now=now,
        )
        finding = inspections.add_finding(
            found, text="Nhiều nhiệm vụ quá hạn", actor=org.inspector, now=now
        )
        p.inspections[dept.id] = (found, finding)
    p.series = series.create_series(
        complete_input(org, now.date(), coordinating=[]),
        series.Rule(frequency="monthly", due_day=20),
        starts_on=date(2027, 1, 1),
        actor=org.assigner,
        now=now,
    )
    p.template = templates.save_template(
        None,
        name="Quy trình số hoá hồ sơ",
        description="Áp dụng cho các sở",
        steps=[templates.StepInput("Rà soát", 5), templates.StepInput("Số hoá", 10)],
        actor=org.assigner,
        now=now,
    )
    p.override_day = date(2027, 1, 9)
    set_override(p.override_day, DayKind.WORKING_DAY, "Làm bù", actor=org.admin, now=now)
    p.delivery = db.session.scalars(
        sa.select(WebhookDelivery).where(WebhookDelivery.webhook_id == p.webhook.id)
    ).first()
    p.delivery.status = DeliveryStatus.FAILED  # what an admin would send again
    db.session.commit()


def _last_token_id(user) -> int:
    return db.session.scalars(
        sa.select(AccessToken.id)
        .where(AccessToken.user_id == user.id)
        .order_by(AccessToken.id.desc())
    ).first()


def _actors_and_keys(p, now) -> World:
    """Each actor's id, API token and own personal token; the calendar addresses; then
    lock the deactivated user's account, after they made their token and feed."""
    org = p.org
    actors = {
        "anonymous": None,
        "admin": org.admin,
        "assigner": org.assigner,
        "leader": org.leader,
        "unit_head": org.head_a,
        "staff": org.staff_a,
        "inspector": org.inspector,
        "deactivated": p.former,
    }
    world = World(
        users={name: (user.id if user else None) for name, user in actors.items()},
        tokens={
            name: (sign_in_token(user, now=utcnow())[0] if user else None)
            for name, user in actors.items()
        },
    )
    # A web session each, opened as a sign-in opens it (the deactivated user's before the lock).
    world.sessions = {
        name: (
            start_session(user, now=utcnow(), user_agent="matrix", remote_addr="127.0.0.1")
            if user
            else None
        )
        for name, user in actors.items()
    }
    for name, user in actors.items():
        owner = user or org.staff_a  # anonymous has none: anybody's will do
        personal_token(owner, name="Báo cáo tự động", days=30, now=utcnow())
        world.mine[("token", "own", name)] = {"token_id": _last_token_id(owner)}
    personal_token(org.staff_b, name="Của người khác", days=30, now=utcnow())
    world.objects[("token", "foreign")] = {"token_id": _last_token_id(org.staff_b)}
    world.objects[("feed", "live")] = {"secret": calendar_token(org.staff_b, now=utcnow())}
    world.objects[("feed", "replaced")] = {"secret": calendar_token(p.staff_c, now=utcnow())}
    calendar_token(p.staff_c, now=utcnow())
    world.objects[("feed", "deactivated")] = {"secret": calendar_token(p.former, now=utcnow())}
    set_user_active(p.former, False, actor=org.admin, now=now)
    db.session.commit()
    return world


def _one(column, *where):
    return db.session.scalars(sa.select(column).where(*where)).one()


def build_world(now) -> World:
    """Create the organisation and one object of each kind and relation (committed)."""
    p = _people(now)
    _tasks(p, now)
    _oversight_and_settings(p, now)
    world = _actors_and_keys(p, now)
    org, o = p.org, world.objects
    escalation = {e.task_id: e.id for e in db.session.scalars(sa.select(Escalation))}
    tasks = {"own": p.own, "coordinated": p.coordinated, "foreign": p.foreign}
    evidence = {r: _one(EvidenceFile.id, EvidenceFile.task_id == t.id) for r, t in tasks.items()}
    for relation, task in tasks.items():
        o[("task", relation)] = {"task_id": task.id}
        o[("evidence", relation)] = {"task_id": task.id, "file_id": evidence[relation]}
        o[("milestone", relation)] = {"task_id": task.id, "milestone_id": task.milestones[0].id}
        o[("extension", relation)] = {"request_id": task.extension_requests[-1].id}
        o[("escalation", relation)] = {"escalation_id": escalation[task.id]}
    o[("task", "draft")] = {"task_id": p.draft.id}
    o[("task", "subtask")] = {"task_id": p.subtask.id}
    o[("task", "subdraft")] = {"task_id": p.subdraft.id}
    o[("evidence", "crossed")] = {"task_id": p.own.id, "file_id": evidence["foreign"]}
    o[("milestone", "crossed")] = {
        "task_id": p.own.id,
        "milestone_id": p.foreign.milestones[0].id,
    }
    o[("extension", "decided")] = {"request_id": p.own.extension_requests[0].id}
    o[("document", "own")] = {"document_id": org.document.id}
    o[("document", "foreign")] = {"document_id": p.document_b.id}
    scans = {
        document.id: store_evidence(
            [Upload("Văn bản.pdf", b"%PDF-1.4 ban ky so")],
            user_id=org.assigner.id,
            now=now,
            document_id=document.id,
        )[0].id
        for document in (org.document, p.document_b)
    }
    db.session.commit()
    o[("docfile", "own")] = {"document_id": org.document.id, "file_id": scans[org.document.id]}
    # The other document's file asked for under this document's address.
    o[("docfile", "crossed")] = {"document_id": org.document.id, "file_id": scans[p.document_b.id]}
    o[("group", "own")] = {"group_id": p.group_own.id}
    o[("group", "foreign")] = {"group_id": p.group_foreign.id}
    for relation, dept in (("own", org.dept_a), ("foreign", org.dept_b)):
        inspection, finding = p.inspections[dept.id]
        o[("inspection", relation)] = {"inspection_id": inspection.id}
        o[("finding", relation)] = {"finding_id": finding.id}
    for relation, dept, person in (
        ("own", org.dept_a, org.staff_a2),
        ("coordinated", org.dept_b, p.colleague_b),
        ("foreign", p.dept_c, p.staff_c),
    ):
        o[("unit", relation)] = {"unit_id": dept.id}
        o[("user", relation)] = {"user_id": person.id}
    o[("series", "any")] = {"series_id": p.series.id}
    o[("template", "any")] = {"template_id": p.template.id}
    o[("webhook", "any")] = {"webhook_id": p.webhook.id}
    o[("delivery", "any")] = {"delivery_id": p.delivery.id}
    o[("override", "any")] = {"day": p.override_day.isoformat()}
    o[("rule", "any")] = {"rule_id": db.session.scalars(sa.select(ReminderRule.id)).first()}
    o[("field", "any")] = {"field_id": org.field.id}
    world.ids = {
        "unit_c": p.dept_c.id,
        "division": p.division.id,
        "note_of_another": db.session.scalars(
            sa.select(Notification.id).where(
                Notification.user_id == org.head_b.id, Notification.channel == Channel.INBOX
            )
        ).first(),
    }
    missing = (
        {(k, r) for k, rs in m.KINDS.items() if k != "none" for r in rs}
        - set(o)
        - {("token", "own")}
    )
    assert not missing, f"no object for {sorted(missing)}"
    return world


# ------------------------------------------------------------------ the module's app


@pytest.fixture(scope="module")
def world_app(migrated_database, tmp_path_factory):
    """One app and one world for the whole matrix (nothing a cell does spoils another)."""
    from datetime import UTC, datetime

    instance = tmp_path_factory.mktemp("matrix")
    application = _app_for(database_for(migrated_database, instance), instance)
    forget_between_requests(application)

    with application.app_context():
        world = build_world(datetime(2026, 11, 2, 2, 0, tzinfo=UTC))
        writes = Writes()
        sa.event.listen(db.engine, "before_cursor_execute", writes)
        yield application, world, writes
        sa.event.remove(db.engine, "before_cursor_execute", writes)
        db.session.rollback()
        db.session.remove()
        if POSTGRES_URL:
            _empty_postgres_tables()
        db.engine.dispose()


# ------------------------------------------------------------------ calling a cell

_PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _fill(value, params: dict):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return params[value[1:-1]]
    if isinstance(value, list):
        return [_fill(v, params) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, params) for k, v in value.items()}
    return value


def reopen_session(world: World, actor: str) -> None:
    """Sign the actor in again if a cell ended their session (POST /logout does)."""
    user_id, secret = world.users[actor], world.sessions.get(actor)
    if user_id is None or actor == "deactivated":
        return
    if open_session(user_id, secret, now=utcnow()) is None:
        user = db.session.get(User, user_id)
        world.sessions[actor] = start_session(
            user, now=utcnow(), user_agent="matrix", remote_addr="127.0.0.1"
        )
        db.session.commit()


def signed_in(session, world: World, actor: str) -> None:
    """Put the actor's open web session in the cookie, as signing in does."""
    session["_user_id"] = str(world.users[actor])
    session["_fresh"] = True
    session[SESSION_SECRET] = world.sessions[actor]
    session[LAST_SEEN] = int(utcnow().timestamp())


def call(client, world: World, entry: m.R, actor: str, relation: str):
    """Make the entry's request as the actor on the relation's object; return the response."""
    params = {**m.CONSTANT_PARAMS, **world.ids, **world.params(entry.kind, relation, actor)}
    path = _PARAM.sub(lambda found: str(params[found.group(1)]), entry.rule)
    query = _fill(entry.query, params)
    data = _fill(entry.data, params)
    if path.startswith("/api/"):
        token = world.tokens[actor]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {"json": data} if data is not None else {}
        return client.open(path, method=entry.method, query_string=query, headers=headers, **body)
    with client.session_transaction() as session:
        session.clear()
        if world.users[actor] is not None:
            signed_in(session, world, actor)
    return client.open(path, method=entry.method, query_string=query, data=data or {})


def outcome(response, api: bool) -> str:
    """Name the answer in the matrix's vocabulary (or say what else it was)."""
    status = response.status_code
    if status in (301, 302, 303):
        target = urlsplit(response.headers["Location"])
        if not api and target.path == "/login" and "next" in parse_qs(target.query):
            return "L"
    if status == 401 and api:
        return "L"
    if status == 403:
        return "F"
    if status == 404:
        return "H"
    if status in PASSED:
        return "A"
    return f"<{status}>"


def fingerprint() -> tuple:
    """Count every table's rows and sum the tasks' versions: what any change would move
    (but the sessions the matrix opens again after a cell signed its actor out)."""
    tables = [t.name for t in db.metadata.sorted_tables if t.name != "user_sessions"]
    counts = ", ".join(f"(SELECT count(*) FROM {name})" for name in tables)
    row = db.session.execute(
        sa.text(f"SELECT {counts}, (SELECT coalesce(sum(version), 0) FROM tasks)")
    ).one()
    db.session.rollback()
    return tuple(row)


# Reading with a token notes when it was last used (tracker/auth/tokens.py): the only
# write a refused call may make.
_TOKEN_USE = re.compile(r"^\s*UPDATE access_tokens SET last_used_at=[^,]+ WHERE", re.IGNORECASE)


class Writes:
    """The INSERT, UPDATE and DELETE statements sent to the database since ``clear()``."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def clear(self) -> None:
        self.statements.clear()

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE") and not _TOKEN_USE.match(statement):
            self.statements.append(" ".join(statement.split())[:120])


def run_entry(client, world: World, entry: m.R, writes: Writes) -> list[str]:
    """Call every cell of the entry; return a line for each answer that is not expected.

    A refused call must write nothing: no statement that changes a row while it runs, and
    the same row counts after all refused cells as before them (they run first).
    """
    problems = []
    api = entry.rule.startswith("/api/")
    cells = sorted(entry.expected().items(), key=lambda cell: cell[1] == "A")
    before = fingerprint()
    compared = False
    for (actor, relation), letter in cells:
        if letter == "A" and not compared:
            compared = True
            if fingerprint() != before:
                problems.append("the refused calls changed the row counts")
        reopen_session(world, actor)
        writes.clear()
        response = call(client, world, entry, actor, relation)
        got = outcome(response, api)
        where = f"{actor:11} {relation:11}"
        if got != letter:
            problems.append(
                f"{where} expected {m.OUTCOMES[letter]}, got "
                f"{m.OUTCOMES.get(got, got)} ({response.status_code})"
            )
        elif letter != "A" and writes.statements:
            problems.append(f"{where} was refused but wrote: {writes.statements[0]}")
    if not compared and fingerprint() != before:
        problems.append("the refused calls changed the row counts")
    return problems


# ------------------------------------------------------------------ the tests


def _url_map_rules(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_has_an_entry_and_every_entry_a_route(world_app):
    app, _, _ = world_app
    routes = _url_map_rules(app)
    listed = {(e.method, e.rule) for e in m.ROUTES} | set(m.EXCLUDED)
    missing = sorted(routes - listed)
    stale = sorted(listed - routes)
    assert not missing, "routes without an entry in tests/access_matrix.py: " + "; ".join(
        f"{method} {rule}" for method, rule in missing
    )
    assert not stale, "entries for routes that do not exist: " + "; ".join(
        f"{method} {rule}" for method, rule in stale
    )
    keys = [e.key for e in m.ROUTES]
    assert len(keys) == len(set(keys)), "an entry is listed twice"


@pytest.mark.parametrize("entry", m.ROUTES, ids=lambda e: e.key)
def test_each_actor_gets_exactly_the_expected_answer(world_app, entry):
    app, world, writes = world_app
    problems = run_entry(app.test_client(), world, entry, writes)
    assert not problems, f"{entry.key}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("web, api", m.SAME_ANSWER, ids=lambda key: key)
def test_a_page_and_its_api_endpoint_answer_alike(web, api):
    entries = {e.key: e for e in m.ROUTES}
    assert entries[web].expected() == entries[api].expected()


def test_marking_another_persons_notification_read_changes_nothing(world_app):
    app, world, _ = world_app
    note_id = world.ids["note_of_another"]
    assert note_id is not None and db.session.get(Notification, note_id).read_at is None
    client = app.test_client()
    with client.session_transaction() as session:
        signed_in(session, world, "staff")
    response = client.post("/notifications/read", data={"id": note_id})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/notifications"  # signed in
    db.session.expire_all()
    assert db.session.get(Notification, note_id).read_at is None


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_the_inbox_sends_back_only_within_the_site(world_app, target):
    app, world, _ = world_app
    client = app.test_client()
    with client.session_transaction() as session:
        signed_in(session, world, "staff")
    response = client.post("/notifications/read", data={"id": "1", "next": target})
    assert urlsplit(response.headers["Location"]).path == "/notifications"


def test_the_objects_are_what_the_table_says_they_are(world_app):
    """The relations as tests/access_matrix.py defines them, checked on the objects (after
    the matrix has run, when the module runs in order: its calls spoiled none of them)."""
    _, world, _ = world_app

    def get(model, kind, relation, key=None):
        params = world.objects[(kind, relation)]
        return db.session.get(model, params[key] if key else next(iter(params.values())))

    users = {actor: db.session.get(User, uid) for actor, uid in world.users.items() if uid}
    head, staff, leader = users["unit_head"], users["staff"], users["leader"]
    unit_a = head.unit_id
    own, coordinated, foreign = (get(Task, "task", r) for r in ("own", "coordinated", "foreign"))
    draft, subtask = get(Task, "task", "draft"), get(Task, "task", "subtask")
    coordinating = {t.id: {c.unit_id for c in t.coordinations} for t in (coordinated, foreign)}

    assert own.lead_unit_id == unit_a == staff.unit_id == users["deactivated"].unit_id
    assert own.accountable_user_id == head.id and own.assignee_user_id == staff.id
    assert own.field.leader_id == leader.id
    assert coordinated.lead_unit_id != unit_a and unit_a in coordinating[coordinated.id]
    assert coordinated.supervisor_id == leader.id and coordinated.field.leader_id != leader.id
    assert foreign.lead_unit_id != unit_a and unit_a not in coordinating[foreign.id]
    assert foreign.supervisor_id != leader.id and foreign.field.leader_id != leader.id
    assert {t.state for t in (own, coordinated, foreign)} == {TaskState.IN_PROGRESS}
    assert draft.state == TaskState.DRAFT and draft.lead_unit_id == unit_a
    assert missing_clarity(draft, None)  # so issuing it is refused after the check
    assert subtask.parent_id == own.id and subtask.lead_unit.parent_id == unit_a
    assert subtask.state == TaskState.ISSUED
    subdraft = get(Task, "task", "subdraft")
    assert subdraft.parent_id == own.id and subdraft.lead_unit_id == subtask.lead_unit_id
    assert subdraft.state == TaskState.DRAFT and missing_clarity(subdraft, None)

    for relation, task in (("own", own), ("coordinated", coordinated), ("foreign", foreign)):
        assert get(EvidenceFile, "evidence", relation, "file_id").task_id == task.id
        assert get(Escalation, "escalation", relation).task_id == task.id
        request = get(ExtensionRequest, "extension", relation)
        assert request.task_id == task.id and request.status == ExtensionStatus.PENDING
        assert all(milestone.completed_on for milestone in task.milestones)
    decided = get(ExtensionRequest, "extension", "decided")
    assert decided.task_id == own.id and decided.status == ExtensionStatus.REJECTED
    assert get(EvidenceFile, "evidence", "crossed", "file_id").task_id == foreign.id

    unit_of = {r: world.objects[("unit", r)]["unit_id"] for r in ("own", "coordinated", "foreign")}
    assert unit_of["own"] == unit_a and unit_of["coordinated"] == coordinated.lead_unit_id
    assert unit_of["foreign"] not in {unit_a, coordinated.lead_unit_id, foreign.lead_unit_id}
    assert unit_of["foreign"] not in coordinating[coordinated.id]
    for relation, unit_id in unit_of.items():
        person = get(User, "user", relation)
        assert person.unit_id == unit_id and person.id not in world.users.values()
    for relation, unit_id in (("own", unit_a), ("foreign", coordinated.lead_unit_id)):
        inspection = get(inspection_models.Inspection, "inspection", relation)
        assert inspection.unit_id == unit_id
        assert get(inspection_models.Finding, "finding", relation).inspection_id == inspection.id
    for relation, has_a in (("own", True), ("foreign", False)):
        group_id = world.objects[("group", relation)]["group_id"]
        led = db.session.scalars(sa.select(Task.lead_unit_id).where(Task.group_id == group_id))
        assert (unit_a in set(led)) == has_a
    for actor, user_id in world.users.items():
        token = db.session.get(AccessToken, world.mine[("token", "own", actor)]["token_id"])
        assert token.user_id == (user_id or staff.id) and token.kind == TokenKind.PERSONAL
    assert not users["deactivated"].active
