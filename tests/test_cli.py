"""The create-user and demo commands."""

import itertools
import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from statistics import mean

import pytest

from hiring.calibration import calibration
from hiring.demo import (
    DEMO_CANDIDATES,
    DEMO_INTERVIEWER,
    DEMO_SIGN_INS,
    NEAR_DUPLICATE_NOTE,
    NEAR_DUPLICATES,
    demo_candidates,
    demo_people,
    demo_summary,
)
from hiring.demo_history import DEMO_REPS
from hiring.duplicates import duplicates_of
from hiring.pool import pool_query
from hiring.scorecards import DISAGREEMENT_SPREAD
from models import (
    Application,
    AuditEntry,
    Candidate,
    CandidateScore,
    Hire,
    Interview,
    InterviewKind,
    InterviewStatus,
    ModelVersion,
    Opening,
    OpeningStatus,
    PeriodResult,
    PoolStatus,
    Rating,
    Recommendation,
    Role,
    Scorecard,
    ScorecardStatus,
    StageMove,
    StatusChange,
    Tag,
    Touch,
    Trait,
    User,
    db,
)
from tests.factories import sign_in_as

# What the demo holds for the default seed 2026; every count below comes from that one seeded RNG.
# The pool alone has 170 interviews and 226 scorecards; the hired reps (hiring/demo_history.py) add the rest.
DEMO_SUMMARY = (
    f"8 users, {DEMO_CANDIDATES + DEMO_REPS} candidates, 3 openings, 1230 interviews, 1675 scorecards, "
    f"615 self-identifications, {DEMO_REPS} hired reps with 6637 months of results"
)


def users(app):
    with app.app_context():
        return db.session.execute(db.select(User.email, User.name, User.role).order_by(User.id)).all()


def test_create_user_reads_the_password_from_stdin(app, runner, client):
    result = runner.invoke(args=["create-user", "Ada@Example.com", "--role", "admin"], input="plum orchard lantern\n")
    assert result.exit_code == 0, result.output
    assert "Created admin ada@example.com." in result.output
    assert "plum orchard lantern" not in result.output
    assert users(app) == [("ada@example.com", "Ada", Role.ADMIN)]
    sign_in = client.post("/sign-in", data={"email": "ada@example.com", "password": "plum orchard lantern"})
    assert sign_in.status_code == 302
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.created")).one()
        assert entry.actor_label == "command line"


def test_create_user_refuses_a_password_in_the_arguments(runner):
    result = runner.invoke(args=["create-user", "ada@example.com", "--role", "admin", "--password", "x"])
    assert result.exit_code == 2
    assert "No such option '--password'" in result.output


@pytest.mark.parametrize(
    "args, password, message",
    [
        (["create-user", "ada@example.com", "--role", "owner"], "plum orchard lantern", "'owner' is not one of"),
        (["create-user", "not-an-email", "--role", "admin"], "plum orchard lantern", "not an e-mail address"),
        (["create-user", "ada@example.com", "--role", "admin"], "short", "10 to 128 characters"),
        (["create-user", "ada@example.com", "--role", "admin"], "password123", "too easy to guess"),
    ],
)
def test_create_user_explains_bad_input(app, runner, args, password, message):
    result = runner.invoke(args=args, input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert users(app) == []


def test_create_user_refuses_a_duplicate_email(app, runner):
    runner.invoke(args=["create-user", "ada@example.com", "--role", "admin"], input="plum orchard lantern\n")
    result = runner.invoke(args=["create-user", "ADA@example.com", "--role", "manager"], input="plum orchard lantern\n")
    assert result.exit_code == 1
    assert "A user with the e-mail ada@example.com already exists." in result.output
    assert len(users(app)) == 1


def test_demo_fills_an_empty_database_and_prints_working_sign_ins(app, runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert f"Loaded demo data: {DEMO_SUMMARY}." in result.output
    loaded = users(app)
    assert {role for _, _, role in loaded} == set(Role)
    with app.app_context():
        assert demo_summary() == DEMO_SUMMARY
        loaded_entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "demo.loaded")).one()
        assert (loaded_entry.details["interviews"], loaded_entry.details["scorecards"]) == (1230, 1675)
        assert (loaded_entry.details["hired_reps"], loaded_entry.details["months_of_results"]) == (DEMO_REPS, 6637)
        # The pool is the same with or without the hired reps: they are drawn after it.
        reps = db.select(Hire.candidate_id)
        pool_cards = db.select(db.func.count()).select_from(Scorecard).where(Scorecard.candidate_id.not_in(reps))
        pool_interviews = db.select(db.func.count()).select_from(Interview).where(Interview.candidate_id.not_in(reps))
        assert (db.session.scalar(pool_interviews), db.session.scalar(pool_cards)) == (170, 226)
        # The demo trains the first model version on the reps, and it finds the planted structure.
        version = db.session.scalars(db.select(ModelVersion)).one()
        assert version.active and version.report["beats"] == {"majority": True, "mean_rating": True}
        interviewed = db.select(db.func.count(db.distinct(Scorecard.candidate_id))).where(
            Scorecard.status == ScorecardStatus.SUBMITTED, Scorecard.candidate_id.not_in(reps)
        )
        scored = db.select(db.func.count()).select_from(CandidateScore)
        assert db.session.scalar(scored) == db.session.scalar(interviewed)
    for sign_in in DEMO_SIGN_INS:
        assert sign_in.email in result.output and sign_in.password in result.output
        response = client.post("/sign-in", data={"email": sign_in.email, "password": sign_in.password})
        assert response.status_code == 302, sign_in.email
        client.post("/sign-out")
    # Loaded already: `demo --if-empty` (what `make run` calls) prints the sign-ins again and loads nothing more.
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0
    assert DEMO_SIGN_INS[0].password in again.output
    assert users(app) == loaded


def test_demo_fills_the_talent_pool_with_consistent_history(demo_app, demo_day):
    today = demo_day
    with demo_app.app_context():
        reps = db.select(Hire.candidate_id)  # the hired reps have a test of their own (test_demo_history.py)
        pool = db.select(Candidate).where(Candidate.id.not_in(reps)).order_by(Candidate.id)
        candidates = db.session.scalars(pool).all()
        managers = set(db.session.scalars(db.select(User.id).where(User.role == Role.MANAGER)))
        changes = db.session.scalars(db.select(StatusChange).order_by(StatusChange.at, StatusChange.id)).all()
        touches = db.session.scalars(db.select(Touch)).all()

        assert len(candidates) == DEMO_CANDIDATES
        assert {c.status for c in candidates} == set(PoolStatus)
        assert all(1 <= len(c.tags) <= 4 for c in candidates)
        assert sum(c.consent_on is not None for c in candidates) > 0.7 * len(candidates)
        assert all(c.consent_expires_on - c.consent_on == timedelta(days=730) for c in candidates if c.consent_on)

        # The status history leads to each candidate's status; closing it is explained and done by a manager.
        latest = {change.candidate_id: change for change in changes}
        assert all(latest[c.id].to_status == c.status for c in candidates)
        assert all(change.reason for change in changes if change.to_status.needs_reason)
        assert all(change.changed_by_id in managers for change in changes)
        now = datetime.now(UTC)
        assert all(row.at < now for row in (*changes, *touches))

        # Touches: last_touch_at is the latest touch; next touches are overdue, coming or unplanned.
        assert len(touches) > len(candidates)
        newest_touch = {}
        for touch in touches:
            newest_touch[touch.candidate_id] = max(touch.at, newest_touch.get(touch.candidate_id, touch.at))
        assert all(c.last_touch_at == newest_touch.get(c.id) for c in candidates)
        in_play = [
            c for c in candidates if c.status not in (PoolStatus.HIRED, PoolStatus.DECLINED, PoolStatus.REJECTED)
        ]
        assert sum(c.next_touch_on is not None and c.next_touch_on < today for c in in_play) >= 20
        assert sum(c.next_touch_on is not None and c.next_touch_on >= today for c in in_play) >= 20
        assert sum(c.next_touch_on is None for c in in_play) >= 20
        going_cold = pool_query({"touch": "cold"}, today).subquery()
        assert db.session.scalar(db.select(db.func.count()).select_from(going_cold)) >= 30

        # Openings: two open, one on hold, each with 10-30 applications spread over the stages.
        openings = db.session.scalars(db.select(Opening)).all()
        assert sorted(o.status for o in openings) == [OpeningStatus.ON_HOLD, OpeningStatus.OPEN, OpeningStatus.OPEN]
        applications = db.session.scalars(db.select(Application)).all()
        per_opening = Counter(a.opening_id for a in applications)
        assert all(10 <= per_opening[o.id] <= 30 for o in openings)
        assert len({a.stage for a in applications}) >= 5
        moves = db.session.scalars(db.select(StageMove).order_by(StageMove.at, StageMove.id)).all()
        last_move = {move.application_id: move for move in moves}
        assert all(last_move[a.id].to_stage == a.stage for a in applications)

        # Near-duplicates, for the duplicate finder: each second record finds its first one.
        copies = [c for c in candidates if c.notes == NEAR_DUPLICATE_NOTE]
        assert len(copies) == NEAR_DUPLICATES
        assert all(duplicates_of(c) for c in copies)


def test_demo_interviews_show_leniency_disagreements_and_work_to_do(demo_app):
    with demo_app.app_context():
        now = datetime.now(UTC)
        interviews = db.session.scalars(db.select(Interview)).all()
        cards = db.session.scalars(db.select(Scorecard)).all()
        submitted = [card for card in cards if card.status == ScorecardStatus.SUBMITTED]
        roles = dict(db.session.execute(db.select(User.id, User.role)).all())
        statuses = dict(db.session.execute(db.select(Candidate.id, Candidate.status)).all())
        rows = db.session.execute(
            db.select(Rating.scorecard_id, Scorecard.candidate_id, Rating.trait_id, Rating.score, Rating.note)
            .join(Scorecard)
            .where(Scorecard.status == ScorecardStatus.SUBMITTED)
        ).all()

        # Interviews of every kind, with 1-3 interviewers each; past ones are done, their scorecards submitted.
        assert {interview.kind for interview in interviews} == set(InterviewKind)
        assert all(1 <= len(interview.scorecards) <= 3 for interview in interviews)
        assert len({c.interviewer_id for c in submitted if roles[c.interviewer_id] is Role.INTERVIEWER}) >= 4
        assert any(roles[c.interviewer_id] is Role.MANAGER for c in submitted)
        assert all(c.interview.scheduled_at <= c.submitted_at <= now for c in submitted)
        interviewed = Counter(statuses[interview.candidate_id] for interview in interviews)
        assert interviewed[PoolStatus.PROSPECT] == 0
        assert {PoolStatus.HIRED, PoolStatus.REJECTED, PoolStatus.NOT_NOW} <= set(interviewed)

        # Every submitted scorecard has a recommendation and rates most traits, some left blank, a few notes.
        scores_of = defaultdict(list)
        for scorecard_id, _, _, score, _ in rows:
            scores_of[scorecard_id].append(score)
        assert all(c.recommendation is not None and any(scores_of[c.id]) for c in submitted)
        assert 0.03 < sum(score is None for *_, score, _ in rows) / len(rows) < 0.25
        assert sum(bool(note) for *_, note in rows) > 0.1 * len(rows)
        assert sum(all(c.answers.values()) for c in submitted) > 0.6 * len(submitted)
        # The recommendation follows the mean rating (no overlap between calls); better candidates rated higher.
        by_call = defaultdict(list)
        for card in submitted:
            by_call[card.recommendation].append(mean(s for s in scores_of[card.id] if s is not None))
        calls = [Recommendation.STRONG_NO, Recommendation.NO, Recommendation.YES, Recommendation.STRONG_YES]
        assert all(by_call[call] for call in calls)
        assert all(max(by_call[lower]) < min(by_call[higher]) for lower, higher in itertools.pairwise(calls))
        by_status = defaultdict(list)
        for _, candidate_id, _, score, _ in rows:
            if score is not None:
                by_status[statuses[candidate_id]].append(score)
        assert mean(by_status[PoolStatus.HIRED]) > mean(by_status[PoolStatus.REJECTED]) + 0.5

        # Calibration: one clearly lenient interviewer, one clearly severe; and colleagues who disagree.
        _, calibrated = calibration()
        offsets = sorted(row.overall_offset for row in calibrated if row.overall_offset is not None)
        assert offsets[-1] > 0.3 and offsets[0] < -0.3
        ratings_of = defaultdict(list)
        for _, candidate_id, trait_id, score, _ in rows:
            if score is not None:
                ratings_of[candidate_id, trait_id].append(score)
        disagreements = [key for key, scores in ratings_of.items() if max(scores) - min(scores) >= DISAGREEMENT_SPREAD]
        assert len({candidate_id for candidate_id, _ in disagreements}) >= 5

        # The demo interviewer has work to do: upcoming drafts, an overdue one, and a cancelled interview.
        mine = [c for c in cards if c.interviewer.email == DEMO_INTERVIEWER.email and c.status == ScorecardStatus.DRAFT]
        scheduled = [c.interview for c in mine if c.interview.status == InterviewStatus.SCHEDULED]
        assert sum(interview.scheduled_at > now for interview in scheduled) >= 3
        assert sum(interview.scheduled_at < now for interview in scheduled) == 1
        assert sum(c.interview.status == InterviewStatus.CANCELLED for c in mine) == 1
        assert all(c.recommendation is None and not c.answers for c in mine)

        interviewer = db.session.scalars(db.select(User).where(User.email == DEMO_INTERVIEWER.email)).one()
    client = demo_app.test_client()
    sign_in_as(client, interviewer)  # not through the form: the demo database is shared, and signing in writes
    page = client.get("/interviews/mine").text
    assert page.count("Overdue: scorecard not submitted") == 1
    assert page.count(">Due</span>") >= 3


def delete_demo(app):
    """Delete what the demo loaded (the append-only audit log stays)."""
    with app.app_context():
        history = (CandidateScore, ModelVersion, Rating, Scorecard, Interview, StageMove, Application, Touch)
        history = (*history, StatusChange, PeriodResult, Hire)
        models = (*history, Opening, Candidate, Tag)
        for model in (*models, User):
            db.session.execute(db.delete(model))
        db.session.commit()


def candidate_rows(app):
    with app.app_context():
        columns = (Candidate.name, Candidate.email, Candidate.alt_email, Candidate.phone, Candidate.company)
        return db.session.execute(db.select(*columns).order_by(Candidate.id)).all()


def rating_rows(app):
    """Return (candidate e-mail, interviewer e-mail, trait key, score) of every rating, in the order they were made."""
    with app.app_context():
        return db.session.execute(
            db.select(Candidate.email, User.email, Trait.key, Rating.score)
            .select_from(Rating)
            .join(Scorecard)
            .join(Candidate, Candidate.id == Scorecard.candidate_id)
            .join(User, User.id == Scorecard.interviewer_id)
            .join(Trait, Trait.id == Rating.trait_id)
            .order_by(Scorecard.id, Rating.id)
        ).all()


def rep_rows(app):
    """Return (candidate e-mail, hired on, left on, role, territory, segment) of every rep, with their results."""
    with app.app_context():
        hires = db.session.execute(
            db.select(Candidate.email, Hire.hired_on, Hire.left_on, Hire.role, Hire.territory, Hire.segment)
            .join(Candidate, Candidate.id == Hire.candidate_id)
            .order_by(Hire.id)
        ).all()
        results = db.session.execute(
            db.select(Candidate.email, PeriodResult.period, PeriodResult.quota, PeriodResult.booked)
            .select_from(PeriodResult)
            .join(Hire)
            .join(Candidate, Candidate.id == Hire.candidate_id)
            .order_by(Hire.id, PeriodResult.period)
        ).all()
        return hires, results


def test_demo_is_reproducible_from_its_seed(app, runner):
    runner.invoke(args=["demo", "--seed", "7", "--no-train"])
    expected = [(email, name, role) for email, name, role, _ in demo_people(random.Random(7))]
    assert users(app) == expected
    assert expected != [(email, name, role) for email, name, role, _ in demo_people(random.Random(8))]
    first_load = candidate_rows(app)
    assert len(first_load) == DEMO_CANDIDATES + DEMO_REPS
    first_ratings = rating_rows(app)
    assert len(first_ratings) > 1000
    first_reps = rep_rows(app)
    assert len(first_reps[0]) == DEMO_REPS and len(first_reps[1]) > 10 * DEMO_REPS

    delete_demo(app)
    assert runner.invoke(args=["demo", "--seed", "7", "--no-train"]).exit_code == 0
    assert users(app) == expected
    assert candidate_rows(app) == first_load
    assert rating_rows(app) == first_ratings
    assert rep_rows(app) == first_reps

    # Another seed, another pool (drawn without the database, in the order load_demo draws).
    rng = random.Random(8)
    fake_users = [User(id=n, email=e, name=name, role=role) for n, (e, name, role, _) in enumerate(demo_people(rng), 1)]
    other = [(p.candidate.name, p.candidate.email) for p in demo_candidates(rng, fake_users, date.today())]
    assert other != [(name, email) for name, email, *_ in first_load[:DEMO_CANDIDATES]]


def test_demo_refuses_a_database_with_data(app, runner):
    runner.invoke(args=["create-user", "ada@example.com", "--role", "admin"], input="plum orchard lantern\n")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "goes only into an empty one" in result.output
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "no demo data loaded" in result.output
    assert len(users(app)) == 1
