"""The access-control matrix as data: every route × every actor × every kind of object.

``tests/test_access_matrix.py`` builds the objects described here once, calls every route
in ``app.url_map`` as every actor on every object, and compares each answer with this
table. A route without an entry here, or an entry without a route, fails the test.

Reading a row
-------------
Each entry is ``R(method, rule, kind, row)``. ``row`` has one column per actor, in the order
of ``ACTORS``::

    anonymous  admin  assigner  leader  unit_head  staff  inspector  deactivated

A column is one letter when the answer is the same for every object of the kind, or one
letter per relation of the kind (``KINDS``), in that order. The letters:

    A  allowed: passed access control. The page or the answer, a redirect anywhere but the
       sign-in page, or a refusal *of the input after the check* (409 state, 422 invalid).
       The matrix sends input that passes the check and is then refused wherever it can,
       so that nothing is destroyed for the next cells; the same input goes to every
       actor, so a route that validated before checking would answer a denied actor with
       422 too and fail its row.
    F  forbidden: 403.
    H  hidden: 404, "not found or not yours to see" — the object's existence leaks nothing.
    L  login required: the web redirects to /login?next=…; the API answers 401.

The actors
----------
anonymous    nobody signed in, no token.
admin        quantri, the system's administrator (Văn phòng's unit, role admin only).
assigner     vanphong, Văn phòng UBND TP: drafts, issues, decides, reviews, withdraws.
leader       pct.ha, Phó Chủ tịch UBND TP, leader of the field "Chuyển đổi số" (CDS).
unit_head    gd.tttt, Giám đốc Sở Thông tin và Truyền thông — department A.
staff        cv.tttt, chuyên viên of department A; carries department A's task.
inspector    snv.thanhtra, Sở Nội vụ's inspector.
deactivated  cv.nghiviec, a former chuyên viên of department A whose account the admin
             locked *after* they signed in and made an API token: their old session
             cookie and token must open nothing.

The objects, and what "own", "coordinated" and "foreign" mean
-------------------------------------------------------------
Department A (STTTT) is the unit of unit_head, staff and deactivated. Department B (Sở Tư
pháp) leads the other tasks; department C (Sở Tài chính) shares nothing with A. Every
column holds the same objects for every actor, defined as department A sees them:

- For department A's actors the relations are literal: **own** = led by department A,
  **coordinated** = led by B with department A among its coordinating units,
  **foreign** = led by B, department A not involved.
- For the **leader** the relations are by field, and the objects are built so that they
  coincide: own = in the field the leader leads (CDS); coordinated = in another field
  (CCHC, led by another leader) but naming pct.ha as its supervising leader; foreign =
  the other field and the other leader.
- The office (assigner, admin) and Sở Nội vụ (inspector) neither lead nor coordinate any
  of these tasks: their rows show that their answers do not depend on whose unit an object
  belongs to — except where the object's *assigner* is not the office (the sub-task).

Per kind (``KINDS`` gives the order of the letters):

task        own          department A's task, in progress, in field CDS, accountable
                         gd.tttt, carried by cv.tttt; B coordinates it.
            coordinated  department B's task, in progress, in field CCHC, supervised by
                         pct.ha; department A coordinates it.
            foreign      department B's task, in progress, field CCHC, supervised by the
                         other leader (pct.binh); nobody of A involved.
            draft        a draft the office is writing for department A (field CDS); it
                         still misses a "rõ", so issuing it is refused after the check.
            subtask      a sub-task of the own task that gd.tttt gave to a division of
                         department A (Phòng Bưu chính), issued; its assigner is gd.tttt,
                         not the office.
            subdraft     a second sub-task for the division that gd.tttt is still
                         drafting (it misses a "rõ"): a draft, yet its giver's to see.
evidence    own/coordinated/foreign  a progress report's file on that task;
            crossed      the own task's address with the foreign task's file id.
milestone   own/coordinated/foreign  a milestone of that task (already reached, so marking
                         it again is refused after the check);
            crossed      the own task's address with the foreign task's milestone id.
extension   own/coordinated/foreign  a pending extension request on that task;
            decided      an earlier request on the own task, already refused: deciding it
                         again is refused for its state (409), after the check.
escalation  own/coordinated/foreign  the escalation record the sweep opened on that task.
document    own          the directive document department A's task comes from;
            foreign      a document only department B's task comes from.
group       own          a task issued to departments A and C at once (field CDS, pct.ha);
            foreign      one issued to B and C (field CCHC, pct.binh).
inspection  own / foreign  Sở Nội vụ's inspection of department A / of department B.
finding     own / foreign  a finding of that inspection.
unit        own / coordinated / foreign  department A / department B / department C.
user        own / coordinated / foreign  a colleague in A (cv2.tttt) / in B (cv2.stp) /
                         in C (cv.stc) — never an actor, so locking them harms no other cell.
token       own          a personal API token of the actor (not the one the matrix calls
                         the API with); foreign: one of cv.stp's.
feed        live         cv.stp's calendar address (the address is the key: whoever holds
                         it reads the feed, signed in or not);
            replaced     an address its owner has replaced by a new one;
            deactivated  the address of the deactivated user.
series, template, webhook, delivery, override, rule, field
            any          one object: a recurring task, a process template, a webhook
                         receiver, one of its deliveries (failed), a calendar override, a
                         reminder rule, a field. Only one role keeps each of them, whoever
                         the object concerns.
none        routes without an object in their address: one cell per actor.

Variants
--------
A few routes take their object from the query or the body (``/task-groups/new?parent=``,
``/series/new?from=``, ``POST /api/v1/task-groups``): they have one entry per way of
calling them, told apart by ``variant``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ACTORS = (
    "anonymous",
    "admin",
    "assigner",
    "leader",
    "unit_head",
    "staff",
    "inspector",
    "deactivated",
)

OUTCOMES = {"A": "allowed", "F": "forbidden", "H": "hidden", "L": "login"}

KINDS: dict[str, tuple[str, ...]] = {
    "none": ("-",),
    "task": ("own", "coordinated", "foreign", "draft", "subtask", "subdraft"),
    "evidence": ("own", "coordinated", "foreign", "crossed"),
    "milestone": ("own", "coordinated", "foreign", "crossed"),
    "extension": ("own", "coordinated", "foreign", "decided"),
    "escalation": ("own", "coordinated", "foreign"),
    "document": ("own", "foreign"),
    "docfile": ("own", "crossed"),
    "group": ("own", "foreign"),
    "inspection": ("own", "foreign"),
    "finding": ("own", "foreign"),
    "unit": ("own", "coordinated", "foreign"),
    "user": ("own", "coordinated", "foreign"),
    "token": ("own", "foreign"),
    "feed": ("live", "replaced", "deactivated"),
    "series": ("any",),
    "template": ("any",),
    "webhook": ("any",),
    "delivery": ("any",),
    "override": ("any",),
    "rule": ("any",),
    "field": ("any",),
}

# Rules that are not in the matrix: files anybody may fetch, with nothing behind them.
EXCLUDED = {
    ("GET", "/static/<path:filename>"): "the app's CSS, JavaScript, fonts and images",
    ("GET", "/bootstrap/static/<path:filename>"): "Bootstrap-Flask's own CSS and JavaScript",
    ("GET", "/api/v1/docs/assets/<path:filename>"): "Swagger UI's files (swagger-ui-bundle)",
}


@dataclass(frozen=True)
class R:
    """One route and method, how to call it, and the answer each actor must get."""

    method: str
    rule: str
    kind: str
    row: str
    variant: str = ""
    # The query string and the body (a form on the web, JSON under /api/); "{name}" is
    # replaced by the object's id of that name, or by one of the world's ids.
    query: dict = field(default_factory=dict)
    data: dict | None = None

    def expected(self) -> dict[tuple[str, str], str]:
        """Return {(actor, relation): letter} for every cell of the row."""
        columns = self.row.split()
        relations = KINDS[self.kind]
        if len(columns) != len(ACTORS):
            raise ValueError(f"{self.method} {self.rule}: {len(columns)} columns, not 8")
        cells = {}
        for actor, column in zip(ACTORS, columns, strict=True):
            letters = column * len(relations) if len(column) == 1 else column
            if len(letters) != len(relations) or set(letters) - set(OUTCOMES):
                raise ValueError(f"{self.method} {self.rule}: bad column {column!r} ({actor})")
            for relation, letter in zip(relations, letters, strict=True):
                cells[(actor, relation)] = letter
        return cells

    @property
    def key(self) -> str:
        return f"{self.method} {self.rule}" + (f" [{self.variant}]" if self.variant else "")


# Rows that recur: who may open each family of pages.
EVERYONE = "A A A A A A A A"  # public: signing in changes nothing
SIGNED_IN = "L A A A A A A L"
ADMIN = "L A F F F F F L"
OFFICE = "L F A F F F F L"  # the assigner: Văn phòng drafts and hands out the city's tasks
KEEPERS = "L A A F F F F L"  # process templates: the office and the admins
OVERSIGHT = "L F A A A F A L"  # those who follow others' work (figures stay limited)
AUDITORS = "L A F F F F A L"  # the audit trail: admins and Sở Nội vụ
INSPECTOR = "L F F F F F A L"

# The task's rows, one per kind of action (tracker/tasks/permissions.py).
# Visibility: the office and Sở Nội vụ see every task, drafts included (Sở Nội vụ "sees
# everything read-only", DOMAIN.md). A unit sees the tasks it leads, those it coordinates
# (it owes them its part) and the sub-tasks it gave out; staff as much as their head.
# The leader sees the tasks of the fields they lead *and* any task naming them its
# supervising leader (lãnh đạo phụ trách), even in another field: the task itself names
# them as answering for it (rõ trách nhiệm), and they receive its urgings. The admin sees
# no task: administering the users is not following their work. Drafts are the office's
# work in progress, nobody's task yet — except a sub-task's draft, which the head who
# gives it out sees (not their staff: it is not the unit's task yet).
SEE = "L H A AAHHAH AAHHAA AAHHAH A L"
# Seeing a task never lets one act on it: a coordinating unit, the leader and Sở Nội vụ
# are refused every action (403) on what they see; what they do not see is 404.
# The assigner's actions (edit, issue, decide an extension, review, withdraw): the office
# for the city's tasks, but for a sub-task the head of the parent's lead unit, who gave
# it out — the office may not rewrite a department's split of its own task.
ASSIGNS = "L H AAAAFF FFHHFH FFHHAA FFHHFH F L"
# Accept, name who carries it, split into sub-tasks: the head of the lead unit only (the
# division's head accepts the sub-task, not gd.tttt).
LEADS = "L H F FFHHFH AFHHFF FFHHFH F L"
# Ask for an extension: who answers for the task (its accountable official, the lead
# unit's head), not the official carrying it, who asks them.
ANSWERS = "L H F FFHHFH AFHHFF FFHHFH F L"
# Report progress, report the result: who carries it, the assigned official included.
CARRIES = "L H F FFHHFH AFHHFF AFHHFH F L"

# The body the API gets on every POST/PATCH with a body: no schema has this field, so
# whoever passes access control gets a 422 and nothing is saved.
API_BODY = {"matrix": True}
# The web's task forms accept an empty form (a draft may be saved incomplete, even
# untitled); a title longer than the form allows is refused after the check instead.
LONG_TITLE = {"title": "x" * 501}

ROUTES: list[R] = [
    # ------------------------------------------------------------- public
    R("GET", "/login", "none", EVERYONE),
    R("POST", "/login", "none", EVERYONE),
    R("POST", "/logout", "none", EVERYONE),
    R("POST", "/lang/<code>", "none", EVERYONE),
    R("GET", "/healthz", "none", EVERYONE),
    # The site's icon and the organisation's emblem are on the sign-in page too.
    R("GET", "/favicon.ico", "none", EVERYONE),
    R("GET", "/org-logo", "none", EVERYONE),
    # /metrics opens to the monitoring token only, never to a person's session or API token;
    # unset (as here) it does not exist. tests/test_observability.py covers the token.
    R("GET", "/metrics", "none", "H H H H H H H H"),
    R("GET", "/api/v1/docs", "none", EVERYONE),
    R("GET", "/api/v1/openapi.json", "none", EVERYONE),
    R("POST", "/api/v1/tokens", "none", EVERYONE, data=API_BODY),
    # The address is the key: it works for whoever holds it until replaced, and stops
    # when its owner's account is locked.
    R("GET", "/feeds/<secret>.ics", "feed", "AHH AHH AHH AHH AHH AHH AHH AHH"),
    # ------------------------------------------------------------- everyone signed in
    # "/" sends the leader, the inspector and the admin on to their own first page.
    R("GET", "/", "none", SIGNED_IN),
    R("GET", "/my-work", "none", SIGNED_IN),
    R("GET", "/tasks", "none", SIGNED_IN),
    # Who may carry a unit's tasks (the task form's pickers): the directory's names only.
    R("GET", "/tasks/carriers", "none", SIGNED_IN),
    # The calendar of deadlines lists only the tasks the person sees (the admin's is empty).
    R("GET", "/calendar/deadlines", "none", SIGNED_IN),
    R("GET", "/calendar/deadlines", "none", SIGNED_IN, "unit", query={"scope": "unit"}),
    R("GET", "/documents", "none", SIGNED_IN),
    # Directive documents are public acts of the city; the page lists only the tasks the
    # reader may see (test_documents checks the list).
    R("GET", "/documents/<int:document_id>", "document", SIGNED_IN),
    # A document's signed scan: its own address only (a file of another document is 404).
    R(
        "GET",
        "/documents/<int:document_id>/files/<int:file_id>",
        "docfile",
        "L AH AH AH AH AH AH L",
    ),
    R("GET", "/notifications", "none", SIGNED_IN),
    # Marks the caller's own notifications only (test_access_matrix checks that another
    # person's stays unread).
    R("POST", "/notifications/read", "none", SIGNED_IN),
    R("GET", "/profile", "none", SIGNED_IN),
    R("POST", "/profile", "none", SIGNED_IN),
    R("GET", "/password", "none", SIGNED_IN),
    R("POST", "/password", "none", SIGNED_IN),
    # One's own sessions; signing out elsewhere needs the password again (refused here).
    R("GET", "/profile/sessions", "none", SIGNED_IN),
    R("POST", "/profile/sessions", "none", SIGNED_IN),
    R("GET", "/profile/access", "none", SIGNED_IN),
    R("POST", "/profile/access", "none", SIGNED_IN),
    R("POST", "/profile/access/<int:token_id>/revoke", "token", "L AH AH AH AH AH AH L"),
    R("POST", "/profile/access/calendar", "none", SIGNED_IN),
    R("POST", "/profile/access/calendar/revoke", "none", SIGNED_IN),
    R("GET", "/api/v1/me", "none", SIGNED_IN),
    R("GET", "/api/v1/units", "none", SIGNED_IN),  # the directory: ids tasks refer to
    R("GET", "/api/v1/users", "none", SIGNED_IN),
    R("GET", "/api/v1/fields", "none", SIGNED_IN),
    R("GET", "/api/v1/notifications", "none", SIGNED_IN),
    R("GET", "/api/v1/me/pending", "none", SIGNED_IN),  # each sees what waits for them
    R("GET", "/api/v1/documents", "none", SIGNED_IN),
    R("GET", "/api/v1/documents/<int:document_id>", "document", SIGNED_IN),
    R("GET", "/api/v1/tasks", "none", SIGNED_IN),  # each sees the tasks they may see
    # Reading a standard procedure is harmless, and unit heads use templates when they give
    # out sub-tasks; keeping them (the web's /process-templates pages) is the office's.
    R("GET", "/api/v1/process-templates", "none", SIGNED_IN),
    R("GET", "/api/v1/process-templates/<int:template_id>/plan", "template", SIGNED_IN),
    # ------------------------------------------------------------- tasks (web)
    R("GET", "/tasks/<int:task_id>", "task", SEE),
    R("GET", "/tasks/<int:task_id>/edit", "task", ASSIGNS),
    R("POST", "/tasks/<int:task_id>/edit", "task", ASSIGNS, data=LONG_TITLE),
    R("POST", "/tasks/<int:task_id>/issue", "task", ASSIGNS),
    R("POST", "/tasks/<int:task_id>/accept", "task", LEADS),
    R("POST", "/tasks/<int:task_id>/assign", "task", LEADS),
    R("POST", "/tasks/<int:task_id>/progress", "task", CARRIES),
    # Whoever sees a task may take part in its discussion.
    R("POST", "/tasks/<int:task_id>/comments", "task", SEE),
    R("POST", "/tasks/<int:task_id>/extension", "task", ANSWERS),
    R("POST", "/tasks/<int:task_id>/submit", "task", CARRIES),
    R("POST", "/tasks/<int:task_id>/review", "task", ASSIGNS),
    R("POST", "/tasks/<int:task_id>/withdraw", "task", ASSIGNS),
    R("GET", "/tasks/<int:task_id>/subtasks/new", "task", LEADS),
    R("POST", "/tasks/<int:task_id>/subtasks/new", "task", LEADS, data=LONG_TITLE),
    # Whoever sees the task may download its evidence; another task's file through this
    # task's address is not found, even for those who see both.
    R(
        "GET",
        "/tasks/<int:task_id>/evidence/<int:file_id>",
        "evidence",
        "L H AAAH AAHH AAHH AAHH AAAH L",
    ),  # fmt: skip
    # Marking a milestone reached is reporting progress; another task's milestone through
    # this task's address is not found.
    R(
        "POST",
        "/tasks/<int:task_id>/milestones/<int:milestone_id>/complete",
        "milestone",
        "L H F FFHF AFHH AFHH F L",
    ),  # fmt: skip
    R("POST", "/extensions/<int:request_id>/decide", "extension", "L H A FFHF FFHF FFHF F L"),
    R("GET", "/tasks/new", "none", OFFICE),
    R("POST", "/tasks/new", "none", OFFICE, data=LONG_TITLE),
    R("GET", "/documents/new", "none", OFFICE),
    R("POST", "/documents/new", "none", OFFICE),
    R("POST", "/documents/<int:document_id>/files", "document", OFFICE),
    R("GET", "/task-groups/new", "none", OFFICE),
    R("POST", "/task-groups/new", "none", OFFICE, data=LONG_TITLE),
    # With a parent, the head of the parent's lead unit gives it to the units below; the
    # office gives out the city's tasks, not a department's.
    R(
        "GET",
        "/task-groups/new",
        "task",
        "L F F F AFHHFF F F L",
        variant="parent",
        query={"parent": "{task_id}"},
    ),  # fmt: skip
    R(
        "POST",
        "/task-groups/new",
        "task",
        "L F F F AFHHFF F F L",
        variant="parent",
        query={"parent": "{task_id}"},
    ),  # fmt: skip
    # A group shows the rows the reader may see; a group with none of them is not found.
    R("GET", "/task-groups/<int:group_id>", "group", "L H A AH AH AH A L"),
    # ------------------------------------------------------------- tasks (API)
    R("POST", "/api/v1/tasks", "none", OFFICE, data=API_BODY),
    R("POST", "/api/v1/documents", "none", OFFICE, data=API_BODY),
    R("GET", "/api/v1/tasks/<int:task_id>", "task", SEE),
    R("PATCH", "/api/v1/tasks/<int:task_id>", "task", ASSIGNS, data=API_BODY),
    R("GET", "/api/v1/tasks/<int:task_id>/history", "task", SEE),
    R("GET", "/api/v1/tasks/<int:task_id>/comments", "task", SEE),
    R("POST", "/api/v1/tasks/<int:task_id>/comments", "task", SEE, data=API_BODY),
    R("POST", "/api/v1/tasks/<int:task_id>/issue", "task", ASSIGNS),
    R("POST", "/api/v1/tasks/<int:task_id>/accept", "task", LEADS, data=API_BODY),
    R("POST", "/api/v1/tasks/<int:task_id>/progress", "task", CARRIES, data=API_BODY),
    R("POST", "/api/v1/tasks/<int:task_id>/extension-requests", "task", ANSWERS, data=API_BODY),
    R("POST", "/api/v1/tasks/<int:task_id>/submit", "task", CARRIES, data=API_BODY),
    R("POST", "/api/v1/tasks/<int:task_id>/review", "task", ASSIGNS, data=API_BODY),
    R("POST", "/api/v1/tasks/<int:task_id>/withdraw", "task", ASSIGNS, data=API_BODY),
    R("POST", "/api/v1/tasks/<int:task_id>/subtasks", "task", LEADS, data=API_BODY),
    R(
        "POST",
        "/api/v1/extension-requests/<int:request_id>/decision",
        "extension",
        "L H A FFHF FFHF FFHF F L",
        data=API_BODY,
    ),  # fmt: skip
    # Without a parent only the office issues to many units; a unit head giving out a
    # sub-task names the parent in the body (the next entry). The units are one unit
    # twice, so what passes the check is refused ("at least two units").
    R(
        "POST",
        "/api/v1/task-groups",
        "none",
        OFFICE,
        variant="no parent",
        data={"unit_ids": ["{unit_c}", "{unit_c}"]},
    ),  # fmt: skip
    R(
        "POST",
        "/api/v1/task-groups",
        "task",
        "L F F F AFHHFF F F L",
        variant="parent",
        data={"parent_task_id": "{task_id}", "unit_ids": ["{division}", "{division}"]},
    ),  # fmt: skip
    R("GET", "/api/v1/task-groups/<int:group_id>", "group", "L H A AH AH AH A L"),
    # ------------------------------------------------------------- recurring tasks
    R("GET", "/series", "none", OFFICE),
    R("GET", "/series/new", "none", OFFICE),
    R("POST", "/series/new", "none", OFFICE, data=LONG_TITLE),
    R("GET", "/series/new", "series", OFFICE, variant="from", query={"from": "{series_id}"}),
    R("POST", "/series/new", "series", OFFICE, variant="from", query={"from": "{series_id}"}),
    R("GET", "/series/<int:series_id>", "series", OFFICE),
    R("POST", "/series/<int:series_id>/end", "series", OFFICE),
    R("POST", "/series/<int:series_id>/pause/<int:paused>", "series", OFFICE),
    R("GET", "/api/v1/task-series", "none", OFFICE),
    R("POST", "/api/v1/task-series", "none", OFFICE, data=API_BODY),
    R("GET", "/api/v1/task-series/<int:series_id>", "series", OFFICE),
    R("POST", "/api/v1/task-series/<int:series_id>/pause", "series", OFFICE),
    R("POST", "/api/v1/task-series/<int:series_id>/resume", "series", OFFICE),
    R("POST", "/api/v1/task-series/<int:series_id>/end", "series", OFFICE, data=API_BODY),
    R("POST", "/api/v1/task-series/<int:series_id>/change", "series", OFFICE, data=API_BODY),
    # ------------------------------------------------------------- process templates
    R("GET", "/process-templates", "none", KEEPERS),
    R("GET", "/process-templates/new", "none", KEEPERS),
    R("POST", "/process-templates/new", "none", KEEPERS),
    R("GET", "/process-templates/<int:template_id>", "template", KEEPERS),
    R("POST", "/process-templates/<int:template_id>", "template", KEEPERS),
    R("POST", "/api/v1/process-templates", "none", KEEPERS, data=API_BODY),
    # ------------------------------------------------------------- imports
    R("GET", "/import/tasks", "none", OFFICE),
    R("POST", "/import/tasks", "none", OFFICE),
    R("GET", "/import/tasks/template", "none", OFFICE),
    R("GET", "/import/org", "none", ADMIN),
    R("POST", "/import/org", "none", ADMIN),
    R("GET", "/import/org/template", "none", ADMIN),
    # ------------------------------------------------------------- oversight
    R("GET", "/oversight", "none", OVERSIGHT),
    R("GET", "/oversight/briefing", "none", OVERSIGHT),
    # The log of the sweep's notices: the office, Sở Nội vụ and admins.
    R("GET", "/oversight/notices", "none", "L A A F F F A L"),
    R("GET", "/oversight/slow-units", "none", OVERSIGHT),
    R("GET", "/oversight/units", "none", OVERSIGHT),
    R("GET", "/oversight/tasks.xlsx", "none", OVERSIGHT),
    # Any unit's or official's scorecard, but counted over the tasks the reader may see
    # (reports.scorecards takes the user): a unit head sees in B's card only the tasks B
    # leads that A coordinates, which A sees anyway.
    R("GET", "/oversight/units/<int:unit_id>", "unit", OVERSIGHT),
    R("GET", "/oversight/people/<int:user_id>", "user", OVERSIGHT),
    R("GET", "/api/v1/reports/units", "none", OVERSIGHT),
    # ------------------------------------------------------------- escalations
    # The queue is for Sở Nội vụ, the office, the leaders and the unit heads: a role
    # without it is refused outright (403, web and API alike); within it each sees the
    # records of the tasks they follow — the leader by field or supervision, the unit head
    # those of the tasks the unit *leads*: a record concerns the lead unit's accountable
    # official, not a coordinating unit. Only Sở Nội vụ concludes.
    R("GET", "/escalations", "none", OVERSIGHT),
    R("GET", "/escalations/<int:escalation_id>", "escalation", "L F A AAH AHH F A L"),
    R(
        "POST", "/escalations/<int:escalation_id>/conclusion", "escalation", "L F F FFH FHH F A L"
    ),  # fmt: skip
    R("GET", "/api/v1/escalations", "none", OVERSIGHT),
    # The authority's decision is recorded by Sở Nội vụ, as the conclusion.
    R("POST", "/escalations/<int:escalation_id>/decision", "escalation", "L F F FFH FHH F A L"),
    R(
        "POST",
        "/api/v1/escalations/<int:escalation_id>/decision",
        "escalation",
        "L F F FFH FHH F A L",
        data=API_BODY,
    ),
    R(
        "POST",
        "/api/v1/escalations/<int:escalation_id>/conclusion",
        "escalation",
        "L F F FFH FHH F A L",
        data=API_BODY,
    ),  # fmt: skip
    # ------------------------------------------------------------- inspections
    # The list is for Sở Nội vụ, the office, the admins and the unit heads (their own
    # unit's inspections); a role without it is refused outright, as for escalations.
    # Sở Nội vụ records; only the office turns a finding into a task.
    R("GET", "/inspections", "none", "L A A F A F A L"),
    R("GET", "/inspections/new", "none", INSPECTOR),
    R("POST", "/inspections/new", "none", INSPECTOR),
    R("GET", "/inspections/<int:inspection_id>", "inspection", "L A A F AH F A L"),
    R(
        "POST", "/inspections/<int:inspection_id>/findings", "inspection", "L F F F FH F A L"
    ),  # fmt: skip
    R(
        "GET", "/inspections/findings/<int:finding_id>/follow-up", "finding", "L F A F FH F F L"
    ),  # fmt: skip
    R(
        "POST", "/inspections/findings/<int:finding_id>/follow-up", "finding", "L F A F FH F F L"
    ),  # fmt: skip
    # ------------------------------------------------------------- audit trail
    # Admins and Sở Nội vụ read the whole trail, task histories included (the admin sees
    # no task page, but audits what happened: tracker/oversight/audit_queries.py).
    R("GET", "/audit", "none", AUDITORS),
    R("POST", "/audit/verify", "none", AUDITORS),
    R("GET", "/audit/tasks/<int:task_id>", "task", AUDITORS),
    R("GET", "/audit/units/<int:unit_id>", "unit", AUDITORS),
    R("GET", "/audit/users/<int:user_id>", "user", AUDITORS),
    # ------------------------------------------------------------- administration
    R("GET", "/admin/units", "none", ADMIN),
    R("GET", "/admin/units/new", "none", ADMIN),
    R("POST", "/admin/units/new", "none", ADMIN),
    R("GET", "/admin/units/<int:unit_id>", "unit", ADMIN),
    R("POST", "/admin/units/<int:unit_id>", "unit", ADMIN),
    R("POST", "/admin/units/<int:unit_id>/deactivate", "unit", ADMIN),
    R("POST", "/admin/units/<int:unit_id>/reactivate", "unit", ADMIN),
    R("GET", "/admin/users", "none", ADMIN),
    R("GET", "/admin/users/new", "none", ADMIN),
    R("POST", "/admin/users/new", "none", ADMIN),
    R("GET", "/admin/users/<int:user_id>", "user", ADMIN),
    R("POST", "/admin/users/<int:user_id>", "user", ADMIN),
    R("POST", "/admin/users/<int:user_id>/password", "user", ADMIN),
    R("POST", "/admin/users/<int:user_id>/deactivate", "user", ADMIN),
    R("POST", "/admin/users/<int:user_id>/reactivate", "user", ADMIN),
    R("GET", "/admin/fields", "none", ADMIN),
    R("GET", "/admin/fields/new", "none", ADMIN),
    R("POST", "/admin/fields/new", "none", ADMIN),
    R("GET", "/admin/fields/<int:field_id>", "field", ADMIN),
    R("POST", "/admin/fields/<int:field_id>", "field", ADMIN),
    R("GET", "/admin/calendar", "none", ADMIN),
    R("POST", "/admin/calendar", "none", ADMIN),
    R("POST", "/admin/calendar/<day>/remove", "override", ADMIN),
    R("GET", "/admin/reminders", "none", ADMIN),
    R("POST", "/admin/reminders/rules", "none", ADMIN),
    R("POST", "/admin/reminders/rules/<int:rule_id>", "rule", ADMIN),
    R("POST", "/admin/reminders/thresholds", "none", ADMIN),
    R("GET", "/admin/system", "none", ADMIN),
    R("GET", "/admin/webhooks", "none", ADMIN),
    R("POST", "/admin/webhooks", "none", ADMIN),
    R("GET", "/admin/webhooks/<int:webhook_id>", "webhook", ADMIN),
    R("POST", "/admin/webhooks/<int:webhook_id>/active/<int:active>", "webhook", ADMIN),
    R("POST", "/admin/webhooks/deliveries/<int:delivery_id>/retry", "delivery", ADMIN),
]

# Values for address parts that name no object.
CONSTANT_PARAMS = {"code": "vi", "active": 1, "paused": 0}

# A page and the API endpoint that call the same service answer alike, cell by cell.
SAME_ANSWER = [
    ("GET /tasks", "GET /api/v1/tasks"),
    ("GET /tasks/<int:task_id>", "GET /api/v1/tasks/<int:task_id>"),
    ("GET /tasks/<int:task_id>", "GET /api/v1/tasks/<int:task_id>/history"),
    ("POST /tasks/new", "POST /api/v1/tasks"),
    ("POST /tasks/<int:task_id>/edit", "PATCH /api/v1/tasks/<int:task_id>"),
    ("POST /tasks/<int:task_id>/issue", "POST /api/v1/tasks/<int:task_id>/issue"),
    ("POST /tasks/<int:task_id>/accept", "POST /api/v1/tasks/<int:task_id>/accept"),
    ("POST /tasks/<int:task_id>/progress", "POST /api/v1/tasks/<int:task_id>/progress"),
    (
        "POST /tasks/<int:task_id>/extension",
        "POST /api/v1/tasks/<int:task_id>/extension-requests",
    ),
    ("POST /tasks/<int:task_id>/submit", "POST /api/v1/tasks/<int:task_id>/submit"),
    ("POST /tasks/<int:task_id>/review", "POST /api/v1/tasks/<int:task_id>/review"),
    ("POST /tasks/<int:task_id>/withdraw", "POST /api/v1/tasks/<int:task_id>/withdraw"),
    ("POST /tasks/<int:task_id>/subtasks/new", "POST /api/v1/tasks/<int:task_id>/subtasks"),
    (
        "POST /extensions/<int:request_id>/decide",
        "POST /api/v1/extension-requests/<int:request_id>/decision",
    ),
    ("POST /task-groups/new", "POST /api/v1/task-groups [no parent]"),
    ("POST /task-groups/new [parent]", "POST /api/v1/task-groups [parent]"),
    ("GET /task-groups/<int:group_id>", "GET /api/v1/task-groups/<int:group_id>"),
    ("GET /documents", "GET /api/v1/documents"),
    ("POST /documents/new", "POST /api/v1/documents"),
    ("GET /documents/<int:document_id>", "GET /api/v1/documents/<int:document_id>"),
    ("GET /series", "GET /api/v1/task-series"),
    ("POST /series/new", "POST /api/v1/task-series"),
    ("GET /series/<int:series_id>", "GET /api/v1/task-series/<int:series_id>"),
    ("POST /series/<int:series_id>/end", "POST /api/v1/task-series/<int:series_id>/end"),
    (
        "POST /series/<int:series_id>/pause/<int:paused>",
        "POST /api/v1/task-series/<int:series_id>/pause",
    ),
    ("POST /series/new [from]", "POST /api/v1/task-series/<int:series_id>/change"),
    ("POST /process-templates/new", "POST /api/v1/process-templates"),
    ("GET /escalations", "GET /api/v1/escalations"),
    (
        "POST /escalations/<int:escalation_id>/conclusion",
        "POST /api/v1/escalations/<int:escalation_id>/conclusion",
    ),
    (
        "POST /escalations/<int:escalation_id>/decision",
        "POST /api/v1/escalations/<int:escalation_id>/decision",
    ),
    ("GET /oversight", "GET /api/v1/reports/units"),
    ("GET /notifications", "GET /api/v1/notifications"),
]
