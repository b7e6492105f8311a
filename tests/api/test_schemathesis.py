"""Schemathesis against the running app, from its own OpenAPI document: no server errors, no answers
the document does not describe (status codes, content types, headers, bodies). Bounded: 15 examples per run."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hiring import openapi  # noqa: F401 - registers GET /api/v1/openapi.json on the API blueprint
from hiring.shortlists import add_entries
from models import Role, Shortlist, db
from tests.api.helpers import bearer, make_token
from tests.factories import make_candidate, make_opening, make_scorecard, make_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def seed() -> tuple[str, dict[str, int]]:
    """A manager with a token, candidates, openings, a scorecard and a shortlist: the token, and their ids."""
    manager = make_user(Role.MANAGER, name="Max Manager")
    interviewer = make_user(Role.INTERVIEWER, name="Ivy Interviewer")
    candidates = [make_candidate(tags=["python"]), make_candidate(), make_candidate(location="Berlin")]
    opening = make_opening()
    make_opening(title="Closed role")
    make_scorecard(candidates[0].id, interviewer.id, {"drive": 4, "coachability": 5})
    shortlist = Shortlist(name="Finalists", owner_id=manager.id, opening_id=opening.id, description="")
    db.session.add(shortlist)
    db.session.flush()
    add_entries(shortlist, [c.id for c in candidates[:2]], db.session.merge(manager))
    db.session.commit()
    ids = {"candidate_id": candidates[0].id, "opening_id": opening.id, "shortlist_id": shortlist.id}
    return make_token(db.session.merge(manager)), ids


@pytest.fixture
def seeded(live_app):
    """The seeded manager's token and records; the rate limit is lifted so the run is not cut short."""
    live_app.config["API_RATE_LIMIT"] = "100000 per minute"
    with live_app.app_context():
        return seed()


@pytest.fixture
def api_schema(server):
    """The document as the running app serves it, aimed at that app."""
    schema = schemathesis.openapi.from_url(f"{server}/api/v1/openapi.json", timeout=10)
    schema.config.update(base_url=f"{server}/api/v1")
    return schema


# schemathesis.pytest.from_fixture() cannot run under pytest 9.2 (it sets Function._nodeid, now gone),
# so each operation runs as subtests of its own, with Hypothesis driving schemathesis's strategies:
# valid requests (once with generated ids, which mostly miss, once with the seeded records' ids), then invalid ones.
def test_the_running_api_matches_its_openapi_document(api_schema, seeded, subtests):
    token, ids = seeded
    for result in api_schema.get_all_operations():
        operation = result.ok()
        names = {parameter.name for parameter in operation.path_parameters}
        runs = [("positive", GenerationMode.POSITIVE, None), ("negative", GenerationMode.NEGATIVE, None)]
        if names:
            runs.insert(1, ("positive, seeded ids", GenerationMode.POSITIVE, {name: ids[name] for name in names}))
        for label, mode, path_parameters in runs:
            with subtests.test(operation=operation.label, run=label):
                check_operation(operation.as_strategy(generation_mode=mode, path_parameters=path_parameters), token)


def check_operation(strategy, token: str) -> None:
    """Send a bounded, reproducible set of generated requests and check each answer against the document."""

    @given(case=strategy)
    @settings(max_examples=15, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        case.call_and_validate(headers=bearer(token), checks=CHECKS, timeout=10)

    run()
