"""The demo's hiring history: hired reps with interviews and monthly results, and the structure planted in them."""

import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from difflib import SequenceMatcher
from statistics import correlation, mean

import pytest
from sqlalchemy.orm import selectinload

from hiring.demo import (
    BIASED_GROUP,
    DEMO_ACKNOWLEDGEMENT,
    DEMO_CANDIDATES,
    INTERVIEWER_LENIENCY,
    NEAR_DUPLICATE_NOTE,
    RATING_BIAS,
    demo_template,
    demo_users,
    recommendation_for,
)
from hiring.demo_history import (
    DEMO_REPS,
    QUOTA_BY_SEGMENT,
    QUOTA_VARIATION,
    REP_ROLES,
    RESULT_MONTHS,
    TRAIT_LOADINGS,
    add_hiring_history,
    first_day,
    month_number,
)
from hiring.duplicates import NAME_SIMILARITY, reasons_between
from hiring.fairness_data import model_flags
from models import (
    Candidate,
    Decision,
    DecisionKind,
    Hire,
    Interview,
    InterviewKind,
    ModelVersion,
    PeriodResult,
    PoolStatus,
    Rating,
    Role,
    Scorecard,
    ScorecardStatus,
    SelfIdentification,
    StatusChange,
    Trait,
    User,
    VeteranStatus,
    db,
)
from models.contact import fold
from scoring.tiers import Assessment, Month, Rule, assess

STRONG = ("coachability", "drive", "resilience")
MODERATE = ("process",)
SMOOTH_TALK = "communication"  # rated up by interviewers, tells against results


@pytest.fixture
def demo(demo_app, demo_day):
    """Yield the day the run's demo was loaded as "today", inside an app context of the demo database (read only)."""
    with demo_app.app_context():
        yield demo_day


def rep_candidates() -> dict[int, Candidate]:
    """Return the reps' candidates by id."""
    query = db.select(Candidate).join(Hire, Hire.candidate_id == Candidate.id)
    return {candidate.id: candidate for candidate in db.session.scalars(query)}


def results_by_hire() -> dict[int, list[PeriodResult]]:
    """Return every hire's results, oldest first."""
    results = defaultdict(list)
    for result in db.session.scalars(db.select(PeriodResult).order_by(PeriodResult.period)):
        results[result.hire_id].append(result)
    return results


def tiers_by_rule() -> dict[int, Assessment]:
    """Return each rep's assessment under the default rule, by candidate id, from the rows the demo wrote."""
    results = results_by_hire()
    return {
        hire.candidate_id: assess(
            hire.hired_on,
            [Month(r.period, float(r.quota), float(r.booked)) for r in results[hire.id]],
            Rule(),
            hire.left_on,
        )
        for hire in db.session.scalars(db.select(Hire))
    }


def ranks(values: list[float]) -> list[float]:
    """Return the rank of each value (1 = lowest), ties sharing their mean rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            result[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return result


def spearman(xs: list[float], ys: list[float]) -> float:
    """Return Spearman's rank correlation."""
    return correlation(ranks(xs), ranks(ys))


def test_reps_are_hired_candidates_with_interviews_before_the_hire(demo):
    today = demo
    now = datetime.now(UTC)
    reps = rep_candidates()
    hires = {hire.candidate_id: hire for hire in db.session.scalars(db.select(Hire))}
    managers = set(db.session.scalars(db.select(User.id).where(User.role == Role.MANAGER)))
    assert len(reps) == len(hires) == DEMO_REPS
    assert db.session.scalar(db.select(db.func.count()).select_from(Candidate)) == DEMO_CANDIDATES + DEMO_REPS

    # Fictional contact details, as in the pool; an owner; hired between about 6 and 30 months ago.
    assert all(c.status is PoolStatus.HIRED and c.owner_id in managers for c in reps.values())
    assert all(c.email.split("@")[1].split(".")[-1] == "example" or "@example." in c.email for c in reps.values())
    assert all(c.title in REP_ROLES and c.segment is REP_ROLES[c.title][0] for c in reps.values())
    months_ago = [month_number(today) - month_number(hire.hired_on) for hire in hires.values()]
    assert min(months_ago) == 6 and max(months_ago) == 30

    # The status history leads from prospect to hired, the last change on the day the rep started.
    changes = defaultdict(list)
    for change in db.session.scalars(db.select(StatusChange).order_by(StatusChange.at, StatusChange.id)):
        changes[change.candidate_id].append(change)
    for candidate_id, candidate in reps.items():
        path = [change.to_status for change in changes[candidate_id]]
        assert path[0] is PoolStatus.PROSPECT and path[-1] is PoolStatus.HIRED
        assert changes[candidate_id][-1].at.date() == hires[candidate_id].hired_on
        assert candidate.created_at == changes[candidate_id][0].at
        assert all(change.changed_by_id in managers for change in changes[candidate_id])

    # 1-4 interviews each, a phone screen first, all before the hire, each with 1-3 submitted scorecards.
    interviews = defaultdict(list)
    query = db.select(Interview).where(Interview.candidate_id.in_(list(reps)))
    query = query.options(selectinload(Interview.scorecards))
    for interview in db.session.scalars(query):
        interviews[interview.candidate_id].append(interview)
    counts = Counter(len(interviews[candidate_id]) for candidate_id in reps)
    assert set(counts) == {1, 2, 3, 4}
    for candidate_id, held in interviews.items():
        hired_at = changes[candidate_id][-1].at
        held.sort(key=lambda interview: interview.scheduled_at)
        assert held[0].kind is InterviewKind.PHONE_SCREEN
        assert all(reps[candidate_id].created_at <= interview.scheduled_at < hired_at for interview in held)
        for interview in held:
            assert 1 <= len(interview.scorecards) <= 3
            assert all(card.status is ScorecardStatus.SUBMITTED for card in interview.scorecards)
            assert all(interview.scheduled_at <= card.submitted_at <= now for card in interview.scorecards)
            assert all(card.submitted_at.date() <= hires[candidate_id].hired_on for card in interview.scorecards)

    # Ratings on all ten traits, about one in ten not assessed; the recommendation follows the mean rating.
    cards = db.session.scalars(db.select(Scorecard).where(Scorecard.candidate_id.in_(list(reps)))).all()
    scores = defaultdict(list)
    for card_id, score in db.session.execute(
        db.select(Rating.scorecard_id, Rating.score).join(Scorecard).where(Scorecard.candidate_id.in_(list(reps)))
    ):
        scores[card_id].append(score)
    assert all(len(scores[card.id]) == 10 for card in cards)
    blank = sum(score is None for card in cards for score in scores[card.id]) / (10 * len(cards))
    assert 0.07 < blank < 0.15
    assert all(card.recommendation is recommendation_for([s for s in scores[card.id] if s]) for card in cards)
    assert sum(all(card.answers.values()) for card in cards) > 0.6 * len(cards)
    assert len(set(Counter(card.recommendation for card in cards))) == 4

    # The interviewers keep their leniency: the lenient colleague rates reps well above the severe one.
    interviewers = db.session.scalars(db.select(User).where(User.role == Role.INTERVIEWER).order_by(User.id)).all()
    leans = INTERVIEWER_LENIENCY[: len(interviewers)]
    lenient, severe = (interviewers[leans.index(lean)].id for lean in (max(leans), min(leans)))
    given = defaultdict(list)
    for card in cards:
        given[card.interviewer_id] += [score for score in scores[card.id] if score]
    assert mean(given[lenient]) - mean(given[severe]) > 0.7 * (max(leans) - min(leans))
    assert any(card.interviewer_id in managers for card in cards)

    # None of them looks like a duplicate of someone in the pool, or of another rep (the same check finds
    # the pool's planted near-duplicates).
    assert not any(reasons_between(rep, other) for rep, other in lookalike_pairs(reps))
    copies = {c.id: c for c in db.session.scalars(db.select(Candidate).where(Candidate.notes == NEAR_DUPLICATE_NOTE))}
    assert {copy.id for copy, other in lookalike_pairs(copies) if reasons_between(copy, other)} == set(copies)


def lookalike_pairs(reps: dict[int, Candidate]) -> list[tuple[Candidate, Candidate]]:
    """Return (rep, other candidate) pairs that the duplicate finder might match, found cheaply.

    Pairs sharing an e-mail, phone or LinkedIn profile, and pairs at one company whose names could be
    similar (difflib's quick ratio bounds the real one from above); ``reasons_between`` then decides.
    """
    candidates = db.session.scalars(db.select(Candidate)).all()
    by_detail, by_company = defaultdict(list), defaultdict(list)
    for candidate in candidates:
        for detail in (*candidate.emails, candidate.phone_normalized, candidate.linkedin_key):
            if detail:
                by_detail[detail].append(candidate)
        if candidate.company:
            by_company[candidate.company.strip().lower()].append(candidate)
    pairs = []
    for rep in reps.values():
        others = [c for d in (*rep.emails, rep.phone_normalized, rep.linkedin_key) if d for c in by_detail[d]]
        for other in by_company[rep.company.strip().lower()] if rep.company else []:
            if SequenceMatcher(None, fold(rep.name), fold(other.name)).quick_ratio() >= NAME_SIMILARITY:
                others.append(other)
        pairs += [(rep, other) for other in others if other is not rep]
    return pairs


def test_reps_have_a_month_of_results_for_every_month_since_their_hire(demo):
    today = demo
    reps = rep_candidates()
    results = results_by_hire()
    hires = db.session.scalars(db.select(Hire)).all()
    leavers = [hire for hire in hires if hire.left_on]
    assert 0.04 < len(leavers) / len(hires) < 0.14
    assert all(hire.hired_on < hire.left_on < today for hire in leavers)
    assert {hire.role for hire in hires} == set(REP_ROLES)
    assert all(hire.segment is REP_ROLES[hire.role][0] for hire in hires)
    assert sum(bool(hire.territory) for hire in hires) > 0.9 * len(hires)
    for hire in hires:
        rows = results[hire.id]
        # From the hire month (or the first month the team recorded) to last month, or the month they left.
        first = max(month_number(hire.hired_on), month_number(today) - RESULT_MONTHS)
        last = month_number(hire.left_on) if hire.left_on else month_number(today) - 1
        assert [row.period for row in rows] == [f"{first_day(month):%Y-%m}" for month in range(first, last + 1)]
        assert 6 <= len(rows) <= 24
        # One quota per rep, set by segment; bookings never negative; entered by the rep's owner after the month.
        assert len({row.quota for row in rows}) == 1
        quota = float(rows[0].quota)
        assert abs(quota / QUOTA_BY_SEGMENT[hire.segment] - 1) <= QUOTA_VARIATION + 0.02
        assert all(row.booked >= 0 for row in rows)
        assert all(row.entered_by_id == reps[hire.candidate_id].owner_id for row in rows)
        assert all(row.updated_at.date() <= today for row in rows)


def test_rep_tiers_under_the_default_rule_follow_the_planted_traits(demo):
    assessed = tiers_by_rule()
    tiers = Counter(assessment.tier for assessment in assessed.values())
    tiered = len(assessed) - tiers[None]
    assert 0.10 <= tiers[None] / len(assessed) <= 0.20  # too early to tell
    assert 0.20 <= tiers["A"] / tiered <= 0.25
    assert 0.40 <= tiers["B"] / tiered <= 0.50
    assert 0.25 <= tiers["C"] / tiered <= 0.35
    assert {assessment.profile for assessment in assessed.values()} >= {
        "developing",
        "emerging",
        "stabilizing",
        "excelling",
    }

    # Each rep's mean rating of each trait against their tier (C < B < A).
    ordinal = {"C": 0, "B": 1, "A": 2}
    rows = db.session.execute(
        db.select(Scorecard.candidate_id, Trait.key, Rating.score).select_from(Rating).join(Scorecard).join(Trait)
    )
    ratings = defaultdict(list)
    for candidate_id, key, score in rows:
        if score is not None and candidate_id in assessed and assessed[candidate_id].tier:
            ratings[key, candidate_id].append(score)
    strength = {}
    for key in {key for key, _ in ratings}:
        reps = [candidate_id for k, candidate_id in ratings if k == key]
        means = [mean(ratings[key, candidate_id]) for candidate_id in reps]
        tier_values = [ordinal[assessed[candidate_id].tier] for candidate_id in reps]
        strength[key] = (spearman(means, tier_values), correlation(means, tier_values))
    noise = [key for key in strength if key not in TRAIT_LOADINGS]
    assert len(noise) == 5
    loudest_noise = max(abs(value) for key in noise for value in strength[key])
    assert loudest_noise < 0.2  # independent by construction; ~340 reps leave chance correlations of about 0.05
    assert all(min(strength[key]) > 0.45 for key in STRONG)
    assert all(min(strength[key]) > 0.25 for key in MODERATE)
    assert max(strength[SMOOTH_TALK]) < -0.2
    assert all(min(abs(value) for value in strength[key]) > loudest_noise + 0.1 for key in TRAIT_LOADINGS)


def test_hiring_history_can_be_added_on_its_own(app):
    today = date(2026, 3, 10)
    with app.app_context():
        rng = random.Random(5)
        users = demo_users(rng)
        db.session.add_all(users)
        db.session.flush()
        counts = add_hiring_history(rng, users, demo_template(), today, count=12)
        assert counts["hired_reps"] == 12 and counts["interviews"] >= 12
        assert counts["scorecards"] >= counts["interviews"]
        hires = db.session.scalars(db.select(Hire)).all()
        assert len(hires) == 12
        # Tiers are left to the rule (hiring.rep_tiers), not written here.
        assert all(hire.tier is None and hire.months_observed == 0 for hire in hires)
        assert db.session.scalar(db.select(db.func.count()).select_from(PeriodResult)) == counts["months_of_results"]

        # Without a scorecard template the reps come without interviews.
        counts = add_hiring_history(rng, users, None, today, count=3)
        assert counts == {**counts, "hired_reps": 3, "interviews": 0, "scorecards": 0}
        assert db.session.scalar(db.select(db.func.count()).select_from(Hire)) == 15


def test_most_candidates_self_identify_and_the_pools_interviewers_mark_one_group_down(demo):
    answers = {row.candidate_id: row for row in db.session.scalars(db.select(SelfIdentification))}
    candidates = db.session.scalar(db.select(db.func.count()).select_from(Candidate))
    assert 0.85 <= len(answers) / candidates <= 0.95
    reps = set(db.session.scalars(db.select(Hire.candidate_id)))
    pool_answers = [row for candidate_id, row in answers.items() if candidate_id not in reps]
    races = Counter(row.race_ethnicity for row in pool_answers)
    assert 0.15 <= races[BIASED_GROUP] / len(pool_answers) <= 0.3
    assert len(races) >= 6 and len({row.sex for row in answers.values()}) == 4
    assert {row.veteran for row in answers.values()} >= {None, VeteranStatus.PROTECTED}

    # Mean rating per trait, group and (pool or reps): the pool's interviewers rate the group lower on the
    # traits that predict results, and on nothing else; the reps (the model's training data) were rated fairly.
    rows = db.session.execute(
        db.select(Scorecard.candidate_id, Trait.key, Rating.score, Scorecard.recommendation)
        .select_from(Rating)
        .join(Scorecard)
        .join(Trait)
        .where(Rating.score.is_not(None), Scorecard.status == ScorecardStatus.SUBMITTED)
    )
    scores = defaultdict(list)
    for candidate_id, key, score, _ in rows:
        if candidate_id in answers:
            biased = answers[candidate_id].race_ethnicity is BIASED_GROUP
            scores[candidate_id in reps, biased, key].append(score)
    gap = {
        (rep, key): mean(scores[rep, False, key]) - mean(scores[rep, True, key])
        for rep in (False, True)
        for key in TRAIT_LOADINGS | {"integrity": 0, "ownership": 0}
    }
    assert all(gap[False, key] > 0.6 for key in RATING_BIAS)
    assert all(abs(gap[False, key]) < 0.5 for key in ("integrity", "ownership", "communication"))
    assert all(abs(gap[True, key]) < 0.3 for key in TRAIT_LOADINGS)
    # Recommendations follow the lowered ratings.
    cards = db.session.scalars(db.select(Scorecard).where(Scorecard.status == ScorecardStatus.SUBMITTED)).all()
    ratings = defaultdict(list)
    for card_id, score in db.session.execute(db.select(Rating.scorecard_id, Rating.score)):
        if score is not None:
            ratings[card_id].append(score)
    assert all(card.recommendation is recommendation_for(ratings[card.id]) for card in cards)


def test_the_demo_model_is_flagged_for_the_planted_bias_and_activated_with_an_acknowledgement(demo):
    version = db.session.scalars(db.select(ModelVersion)).one()
    assert version.active and version.acknowledgement == DEMO_ACKNOWLEDGEMENT
    flags = [
        flag
        for flag in model_flags(version.audit)
        if flag["analysis"] == "predicted_a" and flag["dimension"] == "race_ethnicity"
    ]
    planted = next(flag for flag in flags if flag["group"] == BIASED_GROUP.label)
    assert planted["impact_ratio"] < 0.8 and planted["significant"]


def test_every_decision_in_the_demo_history_has_its_record(demo):
    """Rejections (with their reasons), hires (once each) and steps forward are all decision records."""
    decisions = db.session.scalars(db.select(Decision)).all()
    rejected = set(
        db.session.scalars(db.select(StatusChange.candidate_id).where(StatusChange.to_status == PoolStatus.REJECTED))
    )
    rejections = [d for d in decisions if d.kind is DecisionKind.REJECT]
    assert rejected <= {d.candidate_id for d in rejections}
    assert all(d.reason for d in rejections)
    hires = Counter(d.candidate_id for d in decisions if d.kind is DecisionKind.HIRE)
    assert set(hires) == set(db.session.scalars(db.select(Hire.candidate_id))) | set(
        db.session.scalars(db.select(Candidate.id).where(Candidate.status == PoolStatus.HIRED))
    )
    assert max(hires.values()) == 1
    assert any(d.kind is DecisionKind.FORWARD and d.opening_id for d in decisions)
    assert all(d.model_tier is None and not d.against_model for d in decisions)  # before the first model
