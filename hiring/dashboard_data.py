"""The numbers behind the manager's dashboard, each panel in a fixed number of aggregate queries.

Nothing here runs a query per candidate, opening or hire: the page's cost does
not grow with the pool (tests/test_dashboard.py counts the statements).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, case, func, literal, or_, union_all
from sqlalchemy.orm import contains_eager

from hiring.pool import CLOSED_STATUSES, going_cold_clause
from models import (
    Application,
    Candidate,
    CandidateScore,
    Hire,
    Interview,
    InterviewStatus,
    Opening,
    OpeningStatus,
    PoolStatus,
    Scorecard,
    ScorecardStatus,
    StageMove,
    Tier,
    User,
    db,
)

# The stage that ends an application without it moving along: counted, but not a step of the funnel.
REJECTED = "rejected"
ACTIVE_OPENING_STATUSES = [status for status in OpeningStatus if status.active]
# Open roles first: they are what the manager is working on this week.
OPENING_ORDER = case({OpeningStatus.OPEN: 0, OpeningStatus.ON_HOLD: 1, OpeningStatus.DRAFT: 2}, value=Opening.status)
MAX_OPENINGS = 20
LIST_LIMIT = 10
DUE_DAYS = 7
HIRE_MONTHS = 12
MAX_HIRES = 25


def pool_by_status() -> list[tuple[PoolStatus, int]]:
    """Every pool status (in the enum's order, zeros included) with how many candidates have it."""
    counts = dict(db.session.execute(db.select(Candidate.status, func.count()).group_by(Candidate.status)).all())
    return [(status, counts.get(status, 0)) for status in PoolStatus]


def idle_a_fit_query() -> Select:
    """Candidates the model predicts to be A-players who are in no active process, best P(A) first.

    Not in a process: no application to a draft, open or on-hold opening, and not hired,
    rejected or declined. Selects the scores, each with its candidate loaded.
    """
    in_process = (
        db.select(Application.candidate_id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(Opening.status.in_(ACTIVE_OPENING_STATUSES))
    )
    return (
        db.select(CandidateScore)
        .join(CandidateScore.candidate)
        # The owner is shown on the full list: joined here, not loaded row by row.
        .options(contains_eager(CandidateScore.candidate).joinedload(Candidate.owner))
        .where(
            CandidateScore.predicted_tier == Tier.A,
            Candidate.status.not_in(CLOSED_STATUSES),
            Candidate.id.not_in(in_process),
        )
        .order_by(CandidateScore.p_a.desc(), Candidate.id)
    )


def idle_a_fit(limit: int = LIST_LIMIT) -> tuple[int, list[CandidateScore]]:
    """Return how many predicted A-players are idle, and the scores of the ``limit`` best of them."""
    query = idle_a_fit_query()
    return count_of(query), list(db.session.scalars(query.limit(limit)))


def going_cold_count(today: date, cold_days: int) -> int:
    """How many candidates still in play are due a touch or untouched for ``cold_days``."""
    return db.session.scalar(db.select(func.count(Candidate.id)).where(going_cold_clause(today, cold_days)))


@dataclass
class InterviewsDue:
    """Interviews of the coming days, and scorecards still drafts after their interview."""

    upcoming_total: int
    upcoming: list  # (Interview, candidate name, opening title or None), soonest first
    overdue_total: int
    overdue: list  # (Scorecard id, Interview, candidate name, interviewer name), oldest first


def interviews_due(now: datetime, days: int = DUE_DAYS, limit: int = LIST_LIMIT) -> InterviewsDue:
    """Scheduled interviews of the next ``days`` days, and draft scorecards of interviews already held."""
    upcoming = (
        db.select(Interview, Candidate.name, Opening.title)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .outerjoin(Opening, Opening.id == Interview.opening_id)
        .where(
            Interview.status == InterviewStatus.SCHEDULED,
            Interview.scheduled_at >= now,
            Interview.scheduled_at < now + timedelta(days=days),
        )
        .order_by(Interview.scheduled_at, Interview.id)
    )
    overdue = (
        db.select(Scorecard.id, Interview, Candidate.name, User.name)
        .join(Interview, Interview.id == Scorecard.interview_id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .join(User, User.id == Scorecard.interviewer_id)
        .where(
            Scorecard.status == ScorecardStatus.DRAFT,
            Interview.status == InterviewStatus.SCHEDULED,
            Interview.scheduled_at < now,
        )
        .order_by(Interview.scheduled_at, Scorecard.id)
    )
    return InterviewsDue(
        upcoming_total=count_of(upcoming),
        upcoming=db.session.execute(upcoming.limit(limit)).all(),
        overdue_total=count_of(overdue),
        overdue=db.session.execute(overdue.limit(limit)).all(),
    )


def count_of(query: Select) -> int:
    """Return how many rows a SELECT finds."""
    return db.session.scalar(db.select(func.count()).select_from(query.order_by(None).subquery()))


# Funnels ---------------------------------------------------------------------


@dataclass
class FunnelStep:
    """One stage of an opening's funnel."""

    stage: str
    now: int  # applications at this stage now
    reached: int  # applications that ever got this far
    passed: int | None  # of those, how many got further (None for the last step)
    median_days: float | None  # median days spent here by applications that left the stage

    @property
    def pass_rate(self) -> float | None:
        """Share of the applications that reached this stage and went on to the next one."""
        if self.passed is None or not self.reached:
            return None
        return self.passed / self.reached


@dataclass
class Funnel:
    """An active opening with its steps and how many applications were rejected."""

    opening: Opening
    steps: list[FunnelStep] = field(default_factory=list)
    rejected: int = 0

    @property
    def total(self) -> int:
        """Every application of the opening, rejected ones included."""
        return sum(step.now for step in self.steps) + self.rejected


def funnel_steps(stages: list[str]) -> list[str]:
    """The opening's stages that make up its funnel: every one but "rejected", in order."""
    return [stage for stage in stages if stage != REJECTED]


def build_funnel(opening: Opening, now: dict[str, int], furthest: dict[int, int], medians: dict[str, float]) -> Funnel:
    """Assemble an opening's funnel from its aggregates.

    ``now``: stage -> applications there now. ``furthest``: step position -> applications whose
    furthest step is that one. ``medians``: stage -> median days spent there.
    An application that reached a step is counted as having reached every step before it,
    so a candidate moved straight from "screen" to "final" still passed "interviews".
    """
    steps = funnel_steps(opening.stages)
    reached = [sum(n for position, n in furthest.items() if position >= index) for index in range(len(steps))]
    funnel = Funnel(opening=opening, rejected=now.get(REJECTED, 0))
    for index, stage in enumerate(steps):
        passed = reached[index + 1] if index + 1 < len(steps) else None
        funnel.steps.append(FunnelStep(stage, now.get(stage, 0), reached[index], passed, medians.get(stage)))
    return funnel


def active_openings(limit: int = MAX_OPENINGS) -> tuple[int, list[Opening]]:
    """Return how many openings are active, and up to ``limit`` of them (open ones first, newest first)."""
    active = Opening.status.in_(ACTIVE_OPENING_STATUSES)
    total = db.session.scalar(db.select(func.count(Opening.id)).where(active))
    openings = db.session.scalars(
        db.select(Opening)
        .where(active)
        .order_by(OPENING_ORDER, Opening.created_at.desc(), Opening.id.desc())
        .limit(limit)
    ).all()
    return total, list(openings)


def opening_funnels(openings: list[Opening]) -> list[Funnel]:
    """Return the funnel of each opening, in three queries whatever the number of openings and applications."""
    if not openings:
        return []
    ids = [opening.id for opening in openings]
    now: dict[int, dict[str, int]] = {opening_id: {} for opening_id in ids}
    for opening_id, stage, n in db.session.execute(
        db.select(Application.opening_id, Application.stage, func.count())
        .where(Application.opening_id.in_(ids))
        .group_by(Application.opening_id, Application.stage)
    ):
        now[opening_id][stage] = n
    furthest: dict[int, dict[int, int]] = {opening_id: {} for opening_id in ids}
    for opening_id, position, n in db.session.execute(furthest_step_counts(openings)):
        furthest[opening_id][position] = n
    medians: dict[int, dict[str, float]] = {opening_id: {} for opening_id in ids}
    for opening_id, stage, days in db.session.execute(median_days_in_stage(ids)):
        medians[opening_id][stage] = float(days)
    return [build_funnel(o, now[o.id], furthest[o.id], medians[o.id]) for o in openings]


def furthest_step_counts(openings: list[Opening]) -> Select:
    """SELECT (opening id, step position, applications whose furthest step it is).

    A stage counts as reached if an application is there now, or a recorded move
    went to or came from it; stages no longer in the opening's list are ignored.
    """
    ids = [opening.id for opening in openings]
    move_stages = db.select(StageMove.application_id, Application.opening_id).join(
        Application, Application.id == StageMove.application_id
    )
    seen = union_all(
        move_stages.add_columns(StageMove.to_stage.label("stage")).where(Application.opening_id.in_(ids)),
        move_stages.add_columns(StageMove.from_stage.label("stage")).where(
            Application.opening_id.in_(ids), StageMove.from_stage.is_not(None)
        ),
        db.select(Application.id, Application.opening_id, Application.stage).where(Application.opening_id.in_(ids)),
    ).subquery()
    # Each opening has its own stage list, so the position is looked up per (opening, stage).
    positions = [
        (and_(seen.c.opening_id == opening.id, seen.c.stage == stage), literal(index))
        for opening in openings
        for index, stage in enumerate(funnel_steps(opening.stages))
    ]
    per_application = (
        db.select(seen.c.opening_id, func.max(case(*positions, else_=None)).label("furthest"))
        .group_by(seen.c.application_id, seen.c.opening_id)
        .subquery()
    )
    return (
        db.select(per_application.c.opening_id, per_application.c.furthest, func.count())
        .where(per_application.c.furthest.is_not(None))
        .group_by(per_application.c.opening_id, per_application.c.furthest)
    )


def days_between(start, end):
    """SQL expression: the days (fractional) from ``start`` to ``end``, on SQLite or PostgreSQL."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400.0


def median_days_in_stage(opening_ids: list[int]) -> Select:
    """SELECT (opening id, stage, median days) over the stays that ended with a move out of the stage.

    A stay runs from the move into a stage to the application's next move. Stays still going
    on are left out: they have no length yet, and counting them as "so far" would make a stage
    look quicker than it is.
    """
    moves = (
        db.select(
            Application.opening_id,
            StageMove.to_stage.label("stage"),
            StageMove.at,
            func.lead(StageMove.at)
            .over(partition_by=StageMove.application_id, order_by=(StageMove.at, StageMove.id))
            .label("left_at"),
        )
        .join(Application, Application.id == StageMove.application_id)
        .where(Application.opening_id.in_(opening_ids))
        .subquery()
    )
    stays = (
        db.select(moves.c.opening_id, moves.c.stage, days_between(moves.c.at, moves.c.left_at).label("days"))
        .where(moves.c.left_at.is_not(None))
        .subquery()
    )
    group = (stays.c.opening_id, stays.c.stage)
    ranked = db.select(
        stays.c.opening_id,
        stays.c.stage,
        stays.c.days,
        func.row_number().over(partition_by=group, order_by=stays.c.days).label("rank"),
        func.count().over(partition_by=group).label("n"),
    ).subquery()
    # The middle stay, or the mean of the two middle ones for an even count (integer division).
    middle = or_(ranked.c.rank == (ranked.c.n + 1) // 2, ranked.c.rank == (ranked.c.n + 2) // 2)
    return (
        db.select(ranked.c.opening_id, ranked.c.stage, func.avg(ranked.c.days))
        .where(middle)
        .group_by(ranked.c.opening_id, ranked.c.stage)
    )


# Hires -------------------------------------------------------------------------


def hired_since(today: date, months: int = HIRE_MONTHS) -> date:
    """The day before the first hire day that counts as recent: ``months`` months before ``today``."""
    return today - timedelta(days=round(months * 365.25 / 12))


def recent_hires(today: date, months: int = HIRE_MONTHS, limit: int = MAX_HIRES) -> list[Hire]:
    """Return the newest ``limit`` reps hired in the last ``months`` months, with their candidates."""
    recent = Hire.hired_on > hired_since(today, months)
    hires = db.session.scalars(
        db.select(Hire)
        .join(Hire.candidate)
        .options(contains_eager(Hire.candidate))
        .where(recent)
        .order_by(Hire.hired_on.desc(), Hire.id.desc())
        .limit(limit)
    ).all()
    return list(hires)


def hire_tiers(today: date, months: int = HIRE_MONTHS) -> list[tuple[str, int]]:
    """How many reps hired in the last ``months`` months are A, B and C players (a manager's override first),
    and how many are too early to tell."""
    since = hired_since(today, months)
    effective = func.coalesce(Hire.tier_override, Hire.tier)
    found = dict(
        db.session.execute(db.select(effective, func.count()).where(Hire.hired_on > since).group_by(effective)).all()
    )
    return [(tier.label, found.get(tier, 0)) for tier in Tier] + [("Too early to tell", found.get(None, 0))]
