"""Call the API as a given user, with a real token of theirs."""

from __future__ import annotations

from tracker.auth.tokens import sign_in_token
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.org.models import User


class ApiClient:
    """A test client that sends ``Authorization: Bearer`` for one user."""

    def __init__(self, client, user: User):
        token, _ = sign_in_token(user, now=utcnow())
        db.session.commit()
        self._client = client
        self._headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **query):
        return self._client.get(f"/api/v1{path}", query_string=query, headers=self._headers)

    def post(self, path: str, body: dict | None = None):
        return self._client.post(f"/api/v1{path}", json=body or {}, headers=self._headers)

    def patch(self, path: str, body: dict):
        return self._client.patch(f"/api/v1{path}", json=body, headers=self._headers)


def api_as(client, user: User) -> ApiClient:
    return ApiClient(client, user)
