from tests.factories import in_progress_task


def test_pages_render(client, auth, org, now):
    task = in_progress_task(org, now)
    for user in ("vanphong", "gd.tttt", "cv.tttt", "pct.ha", "snv.thanhtra", "quantri"):
        auth.login(user)
        for url in ("/", "/tasks", f"/tasks/{task.id}", "/documents", f"/documents/{org.document.id}"):
            r = client.get(url)
            assert r.status_code in (200, 404), (user, url, r.status_code)
        auth.logout()
    auth.login("vanphong")
    assert client.get("/tasks/new").status_code == 200
    assert client.get(f"/tasks/{task.id}/edit").status_code == 200
