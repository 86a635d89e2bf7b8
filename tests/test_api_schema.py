"""Property-based run of schemathesis against the served OpenAPI description.

Every operation is called with generated input — valid and invalid — as the office's
assigner (who may do the most) on a small city with tasks in several states. No answer
may be a 5xx, and every answer must match what the description says of it.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_client import api_as
from tests.factories import draft_task, in_progress_task, issued_task, submitted_task

# Examples per operation; raise SCHEMATHESIS_EXAMPLES for a longer hunt.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "30"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(app, org, now):
    draft_task(org, now)
    issued_task(org, now)
    in_progress_task(org, now)
    submitted_task(org, now)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def bearer(client, org) -> dict[str, str]:
    return api_as(client, org.assigner)._headers


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_fails_or_breaks_its_description(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)
