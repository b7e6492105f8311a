"""No N+1: every main page runs as many SQL statements with 30 rows to show as with 3."""

from datetime import UTC, date, datetime, timedelta

import pytest

from hiring.rep_tiers import refresh_tiers
from models import (
    Application,
    Candidate,
    CandidateScore,
    Certainty,
    Decision,
    DecisionKind,
    Hire,
    ModelVersion,
    PoolStatus,
    Role,
    Shortlist,
    ShortlistEntry,
    StageMove,
    StatusChange,
    Tier,
    Touch,
    TouchKind,
    db,
)
from tests.api.helpers import bearer, make_token
from tests.factories import make_candidate, make_opening, make_scorecard, make_user, sign_in_as
from tests.test_pool import count_queries

SMALL, LARGE = 3, 30
PAGES = [
    "/candidates/",
    "/candidates/?sort=owner",
    "/candidates/?sort=-fit",
    "/candidates/?q=pipeline",
    "/candidates/{heavy}",
    "/openings/",
    "/openings/{opening}",
    "/shortlists/",
    "/shortlists/{shortlist}",
    "/",
    "/dashboard/idle-a-players",
    "/reps/",
    "/interviews/mine?show=all",
    "/decisions/",
]


def model_version() -> ModelVersion:
    """A stand-in active model version, for stored fit scores."""
    version = ModelVersion(number=1, file_name="x.skops", file_sha256="0" * 64, rule={}, features=[], data={},
                           libraries={}, report={}, active=True)  # fmt: skip
    db.session.add(version)
    db.session.flush()
    return version


def add_rows(count: int, world: dict) -> None:
    """Add ``count`` of every kind of row the pages list: candidates with everything, and a hire and a list each."""
    manager_id, opening_id, version_id = world["manager"].id, world["opening"], world["version"]
    now = datetime.now(UTC)
    for _ in range(count):
        number = world["added"] = world["added"] + 1
        # Owned by several people and tagged, so that per-row loads of owners or tags would show.
        owner = world["owners"][number % len(world["owners"])]
        due = date.today() - timedelta(days=1)
        candidate = make_candidate(notes="Built a pipeline.", tags=[f"skill {number}", "saas"], owner_id=owner.id,
                                   status=PoolStatus.INTERVIEWING, next_touch_on=due)  # fmt: skip
        application = Application(candidate_id=candidate.id, opening_id=opening_id, stage="interviews",
                                  added_by_id=owner.id)  # fmt: skip
        db.session.add(application)
        db.session.flush()
        db.session.add(StageMove(application_id=application.id, from_stage="screen", to_stage="interviews",
                                 moved_by_id=owner.id))  # fmt: skip
        db.session.add(CandidateScore(candidate_id=candidate.id, model_version_id=version_id, p_a=0.8, p_b=0.1,
                                      p_c=0.1, score=90 - number / 100, predicted_tier=Tier.A,
                                      certainty=Certainty.HIGH, reasons={}, interviews=1))  # fmt: skip
        db.session.add(Decision(candidate_id=candidate.id, opening_id=opening_id, kind=DecisionKind.FORWARD,
                                decided_by_id=owner.id, decided_at=now, model_tier=Tier.A))  # fmt: skip
        db.session.add(ShortlistEntry(shortlist_id=world["shortlist"], candidate_id=candidate.id, position=number,
                                      added_by_id=manager_id))  # fmt: skip
        db.session.add(Shortlist(name=f"List {number}", owner_id=owner.id, description=""))
        hired = make_candidate(name=f"Rep {number}", status=PoolStatus.HIRED, owner_id=owner.id)
        hire = Hire(candidate_id=hired.id, hired_on=date.today() - timedelta(days=200))
        db.session.add(hire)
        db.session.flush()
        refresh_tiers([hire])
        # The heavy candidate's page: a touch, a status change and a submitted scorecard more.
        heavy = world["heavy"]
        db.session.add(Touch(candidate_id=heavy, kind=TouchKind.CALL, summary=f"Call {number}", author_id=owner.id))
        db.session.add(StatusChange(candidate_id=heavy, from_status=PoolStatus.PROSPECT,
                                    to_status=PoolStatus.ENGAGED, changed_by_id=owner.id))  # fmt: skip
        db.session.commit()
        make_scorecard(heavy, world["interviewers"][number % 2].id, {"drive": 4})
        make_scorecard(candidate.id, manager_id, {"drive": 3}, submitted=number % 2 == 0)


@pytest.fixture
def world(app, client, manager):
    """The manager signed in; an opening, a shared list, a heavy candidate and SMALL rows of everything."""
    with app.app_context():
        owners = [manager, make_user(Role.MANAGER, name="Olga Owner"), make_user(Role.ADMIN, name="Ari Admin")]
        world = {
            "manager": manager,
            "owners": owners,
            "interviewers": [make_user(Role.INTERVIEWER, name=f"Ivy {n}") for n in (1, 2)],
            "opening": make_opening(title="SMB AE", hiring_manager_id=manager.id).id,
            "version": model_version().id,
            "heavy": make_candidate(name="Hattie Heavy", owner_id=manager.id).id,
            "added": 0,
        }
        shortlist = Shortlist(name="Shared list", owner_id=owners[1].id, description="")
        shortlist.shared_with = [db.session.get(type(manager), manager.id)]
        db.session.add(shortlist)
        db.session.commit()
        world["shortlist"] = shortlist.id
        world["token"] = make_token(manager)
        add_rows(SMALL, world)
    return world


def page_counts(app, client, world) -> dict[str, int]:
    """SQL statements of one request of every page (and the API's candidate list)."""
    counts = {url: count_queries(app, client, url.format(**world)) for url in PAGES}
    counts["/api/v1/candidates"] = api_queries(app, client, world["token"])
    return counts


def api_queries(app, client, token: str) -> int:
    """SQL statements of one request of the API's candidate list."""
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - a one-line event listener
    db.event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get("/api/v1/candidates?per_page=100", headers=bearer(token)).status_code == 200
    finally:
        db.event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def test_pages_run_as_many_queries_for_30_rows_as_for_3(app, client, world):
    """Every main page: the statement count does not grow with the rows it shows."""
    few = page_counts(app, client, world)
    with app.app_context():
        add_rows(LARGE - SMALL, world)
        assert db.session.scalar(db.select(db.func.count()).select_from(Candidate)) == 1 + 2 * LARGE
    sign_in_as(client, world["manager"])
    many = page_counts(app, client, world)
    grown = {url: (few[url], many[url]) for url in few if many[url] > few[url]}
    assert not grown, f"statements with {SMALL} rows, then {LARGE}: {grown}"


def test_heavy_candidate_page_shows_every_entry(app, client, world):
    """The candidate page lists the timeline entries the counts above were made with."""
    response = client.get(f"/candidates/{world['heavy']}")
    assert response.status_code == 200
    assert response.text.count("Call ") >= SMALL
    assert response.text.count("Scorecard: ") == SMALL
