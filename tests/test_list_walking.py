"""No list hides rows: each paged list of the app, holding more rows than one page, is
walked page by page through its own links, and every row is counted once (issue 17)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.factories import escalation_of, issued_task
from tests.test_reminders import DUE, sweep, wd
from tracker.extensions import db
from tracker.tasks.documents import services as documents

TASKS = 56  # more than two pages of every task list (25 rows) and of escalations (30)

RANGE = re.compile(r"Đang xem ([\d.]+)–([\d.]+) trong ([\d.]+)")


def _number(text: str) -> int:
    return int(text.replace(".", ""))  # 1.234 in Vietnamese


def _rows(page: str, marker: str) -> int:
    return len(re.findall(marker, page))


def _walk(client, url: str, marker: str) -> tuple[int, int]:
    """Follow the pager from the first page to the last; return (rows seen, rows said)."""
    seen, said, page_no, visited = 0, None, 1, set()
    while True:
        sep = "&" if "?" in url else "?"
        page = client.get(f"{url}{sep}page={page_no}" if page_no > 1 else url)
        assert page.status_code == 200, (url, page_no)
        html = page.get_data(as_text=True)
        shown = RANGE.search(html)
        assert shown, f"{url} page {page_no} does not say which rows it shows"
        first, last, total = (_number(g) for g in shown.groups())
        said = total if said is None else said
        assert total == said
        on_page = _rows(html, marker)
        assert on_page == last - first + 1, (url, page_no, on_page, first, last)
        seen += on_page
        visited.add(page_no)
        if last == total:
            return seen, said
        page_no += 1
        link = f"page={page_no}"
        assert link in html, f"{url}: no link to page {page_no}"
        assert page_no not in visited


@pytest.fixture
def crowded(org, now):
    """Many tasks (each told to the head of Sở TT&TT), an escalation record for each, many
    documents, and a sweep's worth of notices."""
    tasks = [issued_task(org, now, title=f"Nhiệm vụ số {n}", due_date=DUE) for n in range(TASKS)]
    for task in tasks:
        escalation_of(task, opened_at=now)
    for n in range(55):
        documents.register_document(
            number=f"{n + 1}/KH-UBND",
            kind="Kế hoạch",
            issuer="UBND thành phố Hà Nội",
            issued_on=date(2026, 1, 1),
            actor=org.assigner,
            now=now,
        )
    db.session.commit()
    sweep(wd(DUE, -5))
    return tasks


LISTS = [
    # (who, the list's address, what marks one of its rows)
    ("vanphong", "/tasks?stage=", r'<td><a href="/tasks/\d+">'),
    ("gd.tttt", "/notifications", r'class="list-group-item'),
    ("snv.thanhtra", "/escalations", r'<a href="/escalations/\d+">'),
    ("vanphong", "/documents", r'<a href="/documents/\d+">'),
    (
        "snv.thanhtra",
        "/oversight/notices",
        r"<td><span class=\"text-nowrap\">\d\d/\d\d/\d{4} \d\d:\d\d</span>",
    ),
    ("quantri", "/audit", r'<td class="text-muted small">\d+</td>'),
]


@pytest.mark.parametrize(("username", "url", "marker"), LISTS, ids=[u for _, u, _ in LISTS])
def test_every_row_of_a_long_list_is_reached_through_its_pages(
    client, auth, crowded, username, url, marker
):
    auth.login(username)
    seen, said = _walk(client, url, marker)
    assert seen == said and said > 25
