"""A small hiring history with a planted structure, written in bulk, for the fit model's app tests."""

import random

import pytest

from models import (
    Candidate,
    Hire,
    Interview,
    InterviewKind,
    Rating,
    Recommendation,
    Role,
    Scorecard,
    ScorecardStatus,
    ScorecardTemplate,
    Tier,
    Trait,
    User,
    db,
    utcnow,
)
from tests.snapshots import Snapshot, build_snapshot

# The planted truth: coachability and drive follow a rep's latent quality; the other traits are noise.
PREDICTIVE = {"coachability": 1.3, "drive": 0.9}


def rating(rng: random.Random, loading: float, quality: float) -> int | None:
    """One 1-5 rating: ``loading`` x quality plus rater noise; one in ten left not assessed."""
    if rng.random() < 0.1:
        return None
    return max(1, min(5, round(3 + loading * quality + rng.gauss(0, 0.7))))


def add_scorecards(rng, candidate: Candidate, quality: float, interviewers, template, traits, count: int) -> None:
    """Add ``count`` submitted scorecards, each from its own interview, to a candidate."""
    db.session.add(candidate)
    db.session.flush()
    for interviewer in rng.sample(interviewers, count):
        interview = Interview(
            candidate=candidate, kind=InterviewKind.BEHAVIOURAL, scheduled_at=utcnow(), template_id=template.id
        )
        scores = {key: rating(rng, PREDICTIVE.get(key, 0.0), quality) for key in traits}
        given = [s for s in scores.values() if s]
        mean = sum(given) / len(given) if given else 3
        recommendation = (
            Recommendation.STRONG_YES if mean >= 3.8 else Recommendation.YES if mean >= 3 else Recommendation.NO
        )
        interview.scorecards.append(
            Scorecard(
                interviewer_id=interviewer.id,
                candidate_id=candidate.id,
                template_id=template.id,
                recommendation=recommendation,
                status=ScorecardStatus.SUBMITTED,
                submitted_at=utcnow(),
                ratings=[Rating(trait_id=traits[key], score=score) for key, score in scores.items()],
            )
        )
        db.session.add(interview)


def make_history(reps: int = 60, pool: int = 6, seed: int = 1) -> dict:
    """Create hired reps with tiers (set directly) and pool candidates, all with scorecards; return their ids.

    ``pool_quality`` holds each pool candidate's hidden quality, to check the ranking against.
    """
    rng = random.Random(seed)
    interviewers = [User(email=f"rater{n}@example.com", name=f"Rater {n}", role=Role.INTERVIEWER) for n in range(3)]
    db.session.add_all(interviewers)
    db.session.flush()
    template = db.session.scalars(db.select(ScorecardTemplate).where(ScorecardTemplate.is_current.is_(True))).first()
    traits = {trait.key: trait.id for trait in db.session.scalars(db.select(Trait))}
    qualities = sorted((rng.gauss(0, 1) for _ in range(reps)), reverse=True)
    rep_ids, pool_ids = [], []
    for number, quality in enumerate(qualities):
        # The top quarter are A-players, the bottom third C-players.
        tier = Tier.A if number < reps // 4 else Tier.C if number >= reps - reps // 3 else Tier.B
        candidate = Candidate(name=f"Rep {number}", email=f"rep{number}@example.org")
        db.session.add(Hire(candidate=candidate, hired_on=utcnow().date(), tier=tier))
        add_scorecards(rng, candidate, quality, interviewers, template, traits, rng.choice([1, 2, 2, 3]))
        rep_ids.append(candidate)
    pool_quality = {}
    for number in range(pool):
        candidate = Candidate(name=f"Prospect {number}", email=f"prospect{number}@example.org")
        pool_quality[candidate] = rng.gauss(0, 1)
        add_scorecards(rng, candidate, pool_quality[candidate], interviewers, template, traits, 2)
        pool_ids.append(candidate)
    unseen = Candidate(name="Not Interviewed", email="new@example.org")
    db.session.add(unseen)
    db.session.commit()
    return {
        "reps": [c.id for c in rep_ids],
        "pool": [c.id for c in pool_ids],
        "pool_quality": {c.id: quality for c, quality in pool_quality.items()},
        "unseen": unseen.id,
        "interviewers": [u.id for u in interviewers],
    }


def train_on_history(app) -> dict:
    """Make a history (60 reps, 12 scored pool candidates) and train model version 1 on it from the command line;
    return the history's ids."""
    with app.app_context():
        history = make_history(pool=12)
    result = app.test_cli_runner().invoke(args=["train"])
    assert result.exit_code == 0, result.output
    return history


@pytest.fixture(scope="module")
def trained_snapshot(migrated_database, tmp_path_factory) -> tuple[Snapshot, dict]:
    """``train_on_history``, made once per test module (``restore_snapshot`` puts it in a test's database)."""
    return build_snapshot(migrated_database, tmp_path_factory.mktemp("trained"), train_on_history)
