"""Property-based run of schemathesis against the served OpenAPI description.

Every operation is called with generated input — valid and invalid (schemathesis 4 runs
its positive and negative modes, and its coverage phase of boundary values) — as the
office's assigner (who may do the most) on a small city with tasks in several states.
No answer may be a 5xx, and every answer must match what the description says of it.

The cases are counted: CI runs at least MIN_CASES of them and says how many, how long
they took and which statuses came back, in test-artifacts/reliability/api_schema_*.json.
SCHEMATHESIS_EXAMPLES raises the examples per operation for a longer hunt.
"""

from __future__ import annotations

import os
import time
from collections import Counter

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
from tests.conftest import POSTGRES_URL
from tests.factories import draft_task, in_progress_task, issued_task, submitted_task
from tests.live_server import write_summary

# Examples per operation: enough for MIN_CASES over the description's operations.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "60"))
MIN_CASES = 5_000
TALLY: dict[str, Counter] = {"operations": Counter(), "statuses": Counter()}
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
def test_no_operation_fails_or_breaks_its_description(case, bearer, tally):
    response = case.call_and_validate(headers=bearer, checks=CHECKS)
    TALLY["operations"][f"{case.method.upper()} {case.path}"] += 1
    TALLY["statuses"][str(response.status_code)] += 1


@pytest.fixture(scope="module")
def tally(request):
    """Count the cases of the whole run; report and check the count at the end."""
    started = time.monotonic()
    yield
    cases = sum(TALLY["operations"].values())
    seconds = round(time.monotonic() - started, 1)
    database = "postgresql" if POSTGRES_URL else "sqlite"
    summary = {
        "database": database,
        "cases": cases,
        "operations": len(TALLY["operations"]),
        "examples_per_operation": EXAMPLES,
        "seconds": seconds,
        "statuses": dict(sorted(TALLY["statuses"].items())),
        "per_operation": dict(sorted(TALLY["operations"].items())),
    }
    write_summary(f"api_schema_{database}", summary)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"schemathesis: {cases} cases over {len(TALLY['operations'])} operations "
            f"in {seconds} s on {database}; statuses {summary['statuses']}"
        )
    if EXAMPLES >= 60 and cases:
        assert cases >= MIN_CASES, summary
