"""Cascading and recurring work in a real browser: a district gives a task to all its
communes, and the office sees a quarterly report's next occurrences."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser.test_task_story import _sign_in
from tests.factories import complete_input
from tests.test_series import QUARTERLY_BEFORE_THE_20TH
from tests.test_task_groups import _district_task
from tracker.extensions import db
from tracker.tasks.series import services as recurring

pytestmark = pytest.mark.browser


def test_a_district_gives_a_task_to_all_its_communes(
    app,
    org,
    now,
    district,
    live_server,
    browser,
    screenshot,  # noqa: F811
):
    parent_id = _district_task(org, now, district).id
    db.session.commit()  # end the test's own transaction: the server writes next
    page = _sign_in(browser, live_server, "hoaiduc.chutich")
    page.goto(f"{live_server}/tasks/{parent_id}")
    page.click("text=Giao cho nhiều đơn vị trực thuộc")
    page.fill("#title", "Rà soát hộ nghèo cấp xã")
    page.fill("#description", "Rà soát, cập nhật danh sách hộ nghèo trên địa bàn xã.")
    page.fill("#process_steps", "Rà soát\nNiêm yết công khai\nBáo cáo huyện")
    page.fill("#target", "100% thôn, tổ dân phố")
    page.check("#all_listed")
    screenshot(page, "district-to-communes")
    page.click("#issue")
    assert "Đã giao nhiệm vụ cho 3 đơn vị" in page.locator(".alert").first.inner_text()
    assert page.inner_text("#group-received") == "3"
    assert page.inner_text("#group-accepted") == "0"


def test_the_office_sees_a_quarterly_reports_next_occurrences(
    app, org, now, live_server, browser, screenshot
):
    made = recurring.create_series(
        complete_input(org, now.date(), title="Báo cáo quý"),
        QUARTERLY_BEFORE_THE_20TH,
        starts_on=date(2027, 1, 1),
        actor=org.assigner,
        now=now,
    )
    series_id = made.id
    db.session.commit()
    page = _sign_in(browser, live_server, "vanphong")
    page.goto(f"{live_server}/series")
    page.click("text=Báo cáo quý")
    upcoming = page.inner_text("#upcoming")
    screenshot(page, "quarterly-series")
    assert "hạn 22/03/2027" in upcoming and "hạn 21/06/2027" in upcoming
    assert f"/series/{series_id}" in page.url
