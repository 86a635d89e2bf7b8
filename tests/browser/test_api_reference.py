"""The API reference in a real browser: served by the app, usable with only a token."""

from __future__ import annotations

import pytest

from tests.api_client import api_as

pytestmark = pytest.mark.browser


def test_an_integrator_signs_in_on_the_reference_and_calls_the_api(
    app, org, client, live_server, browser, screenshot
):
    token = api_as(client, org.assigner)._headers["Authorization"].split()[1]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    blocked = []
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    outside = []
    page.on(
        "request",
        lambda r: (
            not r.url.startswith(live_server)
            and not r.url.startswith("data:")
            and outside.append(r.url)
        ),
    )
    page.goto(f"{live_server}/api/v1/docs")
    page.locator(".opblock-summary-path", has_text="/api/v1/tasks/{task_id}/issue").wait_for()

    page.click(".btn.authorize")
    page.locator(".auth-container input").first.fill(token)
    page.locator(".auth-btn-wrapper .btn.authorize").click()
    page.locator(".auth-btn-wrapper .btn-done").click()

    me = page.locator("#operations-Organisation-get_api_v1_me")
    me.locator(".opblock-summary").click()
    me.locator(".try-out__btn").click()
    me.locator(".execute").click()
    status = me.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    screenshot(page, "api-reference-me")
    assert status.inner_text().strip() == "200"
    assert "vanphong" in me.locator(".live-responses-table .microlight").first.inner_text()
    assert blocked == [] and outside == []
    context.close()
