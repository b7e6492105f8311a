"""The manager's dashboard: each panel's numbers on hand-built data, who sees it, and its bounded query count."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from hiring import dashboard_data as data
from models import (
    Application,
    Candidate,
    CandidateScore,
    Certainty,
    Hire,
    Interview,
    InterviewKind,
    InterviewStatus,
    ModelVersion,
    Opening,
    OpeningStatus,
    PoolStatus,
    Profile,
    Role,
    Scorecard,
    ScorecardStatus,
    ScorecardTemplate,
    StageMove,
    Tier,
    db,
)
from tests.factories import make_user, sign_in_as

T0 = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


def add_candidate(name: str, status: PoolStatus = PoolStatus.PROSPECT, **fields) -> Candidate:
    """Add a candidate to the session (flushed, not committed)."""
    candidate = Candidate(name=name, status=status, **fields)
    db.session.add(candidate)
    db.session.flush()
    return candidate


def add_opening(title: str, status: OpeningStatus = OpeningStatus.OPEN, stages=None) -> Opening:
    """Add an opening (flushed)."""
    opening = Opening(title=title, status=status, **({"stages": stages} if stages else {}))
    db.session.add(opening)
    db.session.flush()
    return opening


def add_application(candidate: Candidate, opening: Opening, path: list[tuple[str, float]] | None = None, stage=None):
    """Add an application that went through ``path``: (stage, days after T0) moves; it ends at the last stage."""
    path = path or []
    application = Application(
        candidate_id=candidate.id, opening_id=opening.id, stage=stage or (path[-1][0] if path else opening.stages[0])
    )
    db.session.add(application)
    db.session.flush()
    previous = None
    for to_stage, days in path:
        at = T0 + timedelta(days=days)
        db.session.add(StageMove(application_id=application.id, from_stage=previous, to_stage=to_stage, at=at))
        previous = to_stage
    return application


def model_version() -> ModelVersion:
    """Return the active model version, adding one the first time."""
    version = db.session.scalar(db.select(ModelVersion).where(ModelVersion.active.is_(True)))
    if version is None:
        version = ModelVersion(number=1, file_name="x.skops", file_sha256="0" * 64, rule={}, features=[], data={},
                               libraries={}, report={"n_reps": 30, "accuracy_words": ""}, active=True)  # fmt: skip
        db.session.add(version)
        db.session.flush()
    return version


def add_score(candidate: Candidate, tier: Tier, p_a: float) -> None:
    """Give a candidate a prediction of the active model."""
    db.session.add(
        CandidateScore(candidate_id=candidate.id, model_version_id=model_version().id, p_a=p_a, p_b=(1 - p_a) / 2,
                       p_c=(1 - p_a) / 2, score=100 * p_a, predicted_tier=tier, certainty=Certainty.MEDIUM,
                       reasons={}, interviews=2)
    )  # fmt: skip


def add_interview(candidate: Candidate, at: datetime, status=InterviewStatus.SCHEDULED, cards=()) -> Interview:
    """Add an interview at ``at`` with a scorecard per (interviewer, submitted) of ``cards``."""
    template = db.session.scalars(db.select(ScorecardTemplate).where(ScorecardTemplate.is_current.is_(True))).first()
    interview = Interview(
        candidate_id=candidate.id, kind=InterviewKind.BEHAVIOURAL, scheduled_at=at, template_id=template.id,
        status=status,
    )  # fmt: skip
    db.session.add(interview)
    db.session.flush()
    for interviewer, submitted in cards:
        db.session.add(
            Scorecard(interview_id=interview.id, interviewer_id=interviewer.id, candidate_id=candidate.id,
                      template_id=template.id,
                      status=ScorecardStatus.SUBMITTED if submitted else ScorecardStatus.DRAFT)
        )  # fmt: skip
    return interview


def add_hire(candidate: Candidate, hired_on: date, **fields) -> Hire:
    """Add a hire with its derived numbers given directly."""
    hire = Hire(candidate_id=candidate.id, hired_on=hired_on, **fields)
    db.session.add(hire)
    db.session.flush()
    return hire


# Pool, idle A-players and going cold -----------------------------------------------------------


def test_pool_by_status_counts_every_status_and_links_to_the_filtered_list(app, client, manager):
    with app.app_context():
        for name, status in [("a", "prospect"), ("b", "prospect"), ("c", "engaged"), ("d", "hired")]:
            add_candidate(name, PoolStatus(status))
        db.session.commit()
        counts = dict(data.pool_by_status())
    assert counts[PoolStatus.PROSPECT] == 2 and counts[PoolStatus.ENGAGED] == 1 and counts[PoolStatus.HIRED] == 1
    assert counts[PoolStatus.OFFER] == 0 and len(counts) == len(PoolStatus)
    page = client.get("/").text
    assert 'href="/candidates/?status=prospect">Prospect</a>' in page
    assert 'id="pool-chart"' in page and "<caption>Candidates per pool status</caption>" in page
    assert "The bench: <strong>4</strong> candidates" in page


def test_idle_a_players_are_those_in_no_active_process(app, client, manager):
    with app.app_context():
        open_role, closed_role = add_opening("Open AE"), add_opening("Old AE", OpeningStatus.CLOSED)
        draft_role = add_opening("Draft AE", OpeningStatus.DRAFT)
        idle = add_candidate("Ida Idle")
        add_score(idle, Tier.A, 0.9)
        closed_only = add_candidate("Carl Closed", PoolStatus.ENGAGED)
        add_score(closed_only, Tier.A, 0.8)
        add_application(closed_only, closed_role)
        busy = add_candidate("Bea Busy")
        add_score(busy, Tier.A, 0.95)
        add_application(busy, open_role)
        drafted = add_candidate("Dan Draft", PoolStatus.NOT_NOW)
        add_score(drafted, Tier.A, 0.97)
        add_application(drafted, draft_role)
        rejected = add_candidate("Rex Rejected", PoolStatus.REJECTED)
        add_score(rejected, Tier.A, 0.99)
        b_player = add_candidate("Bob B")
        add_score(b_player, Tier.B, 0.4)
        db.session.commit()
        total, top = data.idle_a_fit()
        assert total == 2
        assert [score.candidate.name for score in top] == ["Ida Idle", "Carl Closed"]  # highest P(A) first
        idle_id = idle.id
    page = client.get("/").text
    assert f'href="/candidates/{idle_id}">Ida Idle</a>' in page
    for name in ("Bea Busy", "Dan Draft", "Rex Rejected", "Bob B"):
        assert name not in page
    assert 'href="/candidates/?fit=A&amp;sort=-p_a"' in page
    listing = client.get("/dashboard/idle-a-players")
    assert listing.status_code == 200
    assert "Ida Idle" in listing.text and "Carl Closed" in listing.text and "Bea Busy" not in listing.text


def test_idle_a_players_top_ten_and_full_list(app, client, manager):
    with app.app_context():
        for number in range(12):
            add_score(add_candidate(f"Person {number:02d}"), Tier.A, 0.5 + number / 100)
        db.session.commit()
        total, top = data.idle_a_fit()
    assert total == 12 and len(top) == 10 and top[0].candidate.name == "Person 11"
    page = client.get("/").text
    assert 'href="/dashboard/idle-a-players">See all 12</a>' in page
    assert "Person 01" not in page and "Person 00" not in page
    assert "Person 00" in client.get("/dashboard/idle-a-players").text


def test_going_cold_count_and_link(app, client, manager):
    today = date.today()
    with app.app_context():
        add_candidate("Due", next_touch_on=today - timedelta(days=1))
        add_candidate("Untouched", last_touch_at=datetime.now(UTC) - timedelta(days=45))
        add_candidate("Warm", last_touch_at=datetime.now(UTC), next_touch_on=today + timedelta(days=3))
        add_candidate("Closed", PoolStatus.REJECTED, next_touch_on=today - timedelta(days=1))
        db.session.commit()
        assert data.going_cold_count(today, 30) == 2
    page = client.get("/").text
    assert 'id="stat-cold">2</p>' in page
    assert 'href="/candidates/?touch=cold&amp;sort=next_touch"' in page


# Interviews --------------------------------------------------------------------------------------


def test_interviews_due_and_scorecards_overdue(app, client, manager):
    now = datetime.now(UTC)
    with app.app_context():
        ian, ivy = make_user(Role.INTERVIEWER, name="Ian Interviewer"), make_user(Role.INTERVIEWER, name="Ivy")
        soon = add_candidate("Sam Soon")
        add_interview(soon, now + timedelta(days=2), cards=[(ian, False)])
        add_interview(add_candidate("Lou Later"), now + timedelta(days=10))
        add_interview(add_candidate("Cat Cancelled"), now + timedelta(days=1), InterviewStatus.CANCELLED)
        held = add_candidate("Hal Held")
        add_interview(held, now - timedelta(days=1), cards=[(ian, False), (ivy, True)])
        old = add_candidate("Old Cancelled")
        add_interview(old, now - timedelta(days=3), InterviewStatus.CANCELLED, [(ivy, False)])
        db.session.commit()
        due = data.interviews_due(now)
        assert due.upcoming_total == 1 and [row[1] for row in due.upcoming] == ["Sam Soon"]
        assert due.overdue_total == 1 and [(row[2], row[3]) for row in due.overdue] == [("Hal Held", "Ian Interviewer")]
        soon_id = soon.id
    page = client.get("/").text
    assert 'id="stat-upcoming">1</p>' in page and 'id="stat-overdue">1</p>' in page
    assert f'href="/candidates/{soon_id}#interviews">Sam Soon</a>' in page
    assert "Lou Later" not in page and "Cat Cancelled" not in page and "Old Cancelled" not in page


# Funnels -----------------------------------------------------------------------------------------


@pytest.fixture
def funnel_data(app):
    """An open opening with seven applications of known histories, a second with its own stages, a closed one."""
    with app.app_context():
        opening = add_opening("Enterprise AE")
        paths = {
            "app1": [("sourced", 0), ("screen", 2), ("interviews", 7)],
            "app2": [("sourced", 0), ("screen", 4)],
            "app3": [("sourced", 0), ("rejected", 6)],
            "app4": [("sourced", 0)],
            "app5": [("sourced", 0), ("screen", 1), ("final", 3)],  # skipped "interviews"
            "app6": [("sourced", 0), ("screen", 1), ("interviews", 2), ("final", 3), ("offer", 5), ("hired", 6)],
            "app7": [("sourced", 0), ("screen", 3), ("rejected", 4)],
        }
        for name, path in paths.items():
            add_application(add_candidate(name), opening, path)
        other = add_opening("SMB AE", OpeningStatus.ON_HOLD, stages=["applied", "call", "hired", "rejected"])
        add_application(add_candidate("app8"), other, [("applied", 0), ("call", 3)])
        # No recorded moves: the current stage alone counts as reached.
        add_application(add_candidate("app9"), other, stage="call")
        closed = add_opening("Filled AE", OpeningStatus.FILLED)
        add_application(add_candidate("app10"), closed, [("sourced", 0), ("screen", 1)])
        db.session.commit()
        return {"opening": opening.id, "other": other.id, "closed": closed.id}


def steps_of(funnel) -> dict:
    """stage -> (now, reached, passed, median days rounded to 0.01)."""
    return {
        step.stage: (
            step.now,
            step.reached,
            step.passed,
            None if step.median_days is None else round(step.median_days, 2),
        )
        for step in funnel.steps
    }


def test_funnel_counts_pass_through_and_median_time_in_stage(app, funnel_data):
    with app.app_context():
        total, openings = data.active_openings()
        assert total == 2 and [o.id for o in openings] == [funnel_data["opening"], funnel_data["other"]]
        funnels = {funnel.opening.id: funnel for funnel in data.opening_funnels(openings)}
    enterprise = funnels[funnel_data["opening"]]
    # Sourced stays: 1, 1, 2, 3, 4, 6 days -> median (2 + 3) / 2; screen stays: 1, 1, 2, 5 -> (1 + 2) / 2.
    assert steps_of(enterprise) == {
        "sourced": (1, 7, 5, 2.5),
        "screen": (1, 5, 3, 1.5),
        "interviews": (1, 3, 2, 1.0),
        "final": (1, 2, 1, 2.0),
        "offer": (0, 1, 1, 1.0),
        "hired": (1, 1, None, None),
    }
    assert enterprise.rejected == 2 and enterprise.total == 7
    assert [round(step.pass_rate, 3) if step.pass_rate is not None else None for step in enterprise.steps] == [
        0.714, 0.6, 0.667, 0.5, 1.0, None
    ]  # fmt: skip
    other = funnels[funnel_data["other"]]
    assert steps_of(other) == {"applied": (0, 2, 2, 3.0), "call": (2, 2, 0, None), "hired": (0, 0, None, None)}
    assert other.steps[-1].pass_rate is None and other.steps[1].pass_rate == 0


def test_funnel_panel_shows_chart_and_table(app, client, manager, funnel_data):
    page = client.get("/").text
    assert f'id="funnel-{funnel_data["opening"]}"' in page
    assert f'href="/openings/{funnel_data["opening"]}">Enterprise AE</a>' in page
    assert "71 % <span" in page and "(5/7)" in page
    assert '<td class="text-end">2.5</td>' in page
    assert "Filled AE" not in page
    assert f'href="/candidates/?opening={funnel_data["opening"]}&amp;stage=screen">Screen</a>' in page


def test_build_funnel_without_any_application():
    opening = Opening(title="Empty", stages=["sourced", "rejected", "screen"])
    funnel = data.build_funnel(opening, {}, {}, {})
    assert [(s.stage, s.now, s.reached, s.passed, s.pass_rate) for s in funnel.steps] == [
        ("sourced", 0, 0, 0, None),
        ("screen", 0, 0, None, None),
    ]


# Hires -------------------------------------------------------------------------------------------


def test_recent_hires_with_results_tiers_and_links(app, client, manager):
    today = date.today()
    with app.app_context():
        ana = add_hire(add_candidate("Ana A", PoolStatus.HIRED), today - timedelta(days=300), tier=Tier.A,
                       months_observed=6, months_at_quota=5, on_target_pct=118.25,
                       profile=Profile.EXCELLING)  # fmt: skip
        add_hire(add_candidate("Ben New", PoolStatus.HIRED), today - timedelta(days=40), months_observed=0)
        add_hire(add_candidate("Cy Override", PoolStatus.HIRED), today - timedelta(days=200), tier=Tier.C,
                 tier_override=Tier.B, months_observed=6, months_at_quota=3, on_target_pct=91.0)  # fmt: skip
        add_hire(add_candidate("Old Timer", PoolStatus.HIRED), today - timedelta(days=500), tier=Tier.A)
        db.session.commit()
        assert [hire.candidate.name for hire in data.recent_hires(today)] == ["Ben New", "Cy Override", "Ana A"]
        assert data.hire_tiers(today) == [("A-player", 1), ("B-player", 1), ("C-player", 0), ("Too early to tell", 1)]
        ana_id = ana.id
    page = client.get("/").text
    assert f'href="/reps/{ana_id}">Ana A</a>' in page
    assert "5 of 6" in page and "118.2 %" in page and "Excelling" in page
    assert "Too early to tell" in page and "overridden" in page
    assert "Old Timer" not in page
    assert 'id="hire-tiers"' in page


# Who sees it -------------------------------------------------------------------------------------


def test_interviewer_keeps_their_own_home(app, client):
    with app.app_context():
        interviewer = make_user(Role.INTERVIEWER, name="Ivo")
    sign_in_as(client, interviewer)
    home = client.get("/")
    assert home.status_code == 200
    assert "Your scorecards" in home.text and "Openings and their funnels" not in home.text
    assert client.get("/dashboard/idle-a-players").status_code == 403


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_managers_and_admins_land_on_the_dashboard(app, client, role):
    with app.app_context():
        user = make_user(role)
    sign_in_as(client, user)
    page = client.get("/").text
    assert '<h1 class="h3">Dashboard</h1>' in page and "Openings and their funnels" in page
    assert ("Recent activity" in page) is (role == Role.ADMIN)
    assert client.get("/dashboard/idle-a-players").status_code == 200


def test_anonymous_users_are_sent_to_sign_in(client):
    for url in ("/", "/dashboard/idle-a-players"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_every_panel_is_a_labelled_region(app, client, manager):
    page = client.get("/").text
    for heading in ("pool-heading", "idle-heading", "interviews-heading", "overdue-heading", "funnels-heading"):
        assert f'aria-labelledby="{heading}"' in page


# Bounded queries ---------------------------------------------------------------------------------


def build_world(n_openings: int, n_candidates: int) -> None:
    """A pool of ``n_candidates`` spread over ``n_openings`` openings, with scores, interviews and hires."""
    interviewer = make_user(Role.INTERVIEWER)
    openings = [add_opening(f"Role {i}") for i in range(n_openings)]
    now = datetime.now(UTC)
    for i in range(n_candidates):
        candidate = add_candidate(f"Person {i}", list(PoolStatus)[i % len(PoolStatus)])
        add_score(candidate, Tier.A if i % 2 else Tier.B, (i % 10) / 10)
        if i % 3:
            stages = openings[i % n_openings].stages
            add_application(candidate, openings[i % n_openings], [(s, d) for d, s in enumerate(stages[: i % 5 + 1])])
        if i % 4 == 0:
            add_interview(candidate, now + timedelta(days=i % 5 - 2), cards=[(interviewer, i % 8 == 0)])
        if i % 5 == 0:
            add_hire(candidate, date.today() - timedelta(days=30 * (i % 11)), tier=Tier.A, months_observed=6)
    db.session.commit()


def statements_for_home(app, client) -> int:
    """Count the SQL statements the dashboard runs."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get("/")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_query_count_does_not_grow_with_the_pool(app, database, tmp_path, role):
    with app.app_context():
        user = make_user(role)
        build_world(2, 10)
    client = app.test_client()
    sign_in_as(client, user)
    small = statements_for_home(app, client)
    with app.app_context():
        build_world(4, 50)  # 6 openings, 60 candidates in all
        assert db.session.scalar(db.select(db.func.count(Candidate.id))) == 60
    large = statements_for_home(app, client)
    assert small == large, f"{small} statements for the small pool, {large} for the large one"
    assert large <= 30
