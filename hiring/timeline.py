"""A candidate's activity timeline: touches, status changes, stage moves, scorecards and decisions, newest first."""

from dataclasses import dataclass
from datetime import datetime

from models import Application, Decision, Interview, Opening, Scorecard, StageMove, StatusChange, Touch, User, db

TIMELINE_PAGE = 50  # entries per page of a candidate's timeline, newest first
# Pages past this one show nothing: it bounds what a typed-in page number makes the queries read (50,000 rows).
LAST_TIMELINE_PAGE = 1000


@dataclass(frozen=True)
class Event:
    """One line of the timeline."""

    at: datetime
    kind: str  # "touch", "status", "stage", "scorecard" or "decision"
    title: str
    body: str
    author: str | None


@dataclass(frozen=True)
class TimelinePage:
    """One page of a candidate's timeline: its entries, its number (1 = the newest), and whether older ones exist."""

    events: list[Event]
    number: int
    has_older: bool

    @property
    def first(self) -> int:
        """The position of the page's first entry, counted from the newest (1)."""
        return (self.number - 1) * TIMELINE_PAGE + 1


def timeline_page(candidate_id: int, number: int) -> TimelinePage:
    """Return page ``number`` of the candidate's timeline (pages below 1 are page 1; past LAST_TIMELINE_PAGE, none)."""
    number = max(number, 1)
    if number > LAST_TIMELINE_PAGE:
        return TimelinePage([], number, has_older=False)
    newest = timeline(candidate_id, limit=number * TIMELINE_PAGE + 1)  # one more tells whether older ones exist
    start = (number - 1) * TIMELINE_PAGE
    return TimelinePage(newest[start : start + TIMELINE_PAGE], number, len(newest) > number * TIMELINE_PAGE)


def timeline(candidate_id: int, limit: int) -> list[Event]:
    """Return the candidate's most recent events, newest first (five queries, whatever the count)."""
    touches = db.session.execute(
        db.select(Touch, User.name)
        .outerjoin(User, Touch.author_id == User.id)
        .where(Touch.candidate_id == candidate_id)
        .order_by(Touch.at.desc(), Touch.id.desc())
        .limit(limit)
    ).all()
    changes = db.session.execute(
        db.select(StatusChange, User.name)
        .outerjoin(User, StatusChange.changed_by_id == User.id)
        .where(StatusChange.candidate_id == candidate_id)
        .order_by(StatusChange.at.desc(), StatusChange.id.desc())
        .limit(limit)
    ).all()
    moves = db.session.execute(
        db.select(StageMove, Opening.title, User.name)
        .join(Application, StageMove.application_id == Application.id)
        .join(Opening, Application.opening_id == Opening.id)
        .outerjoin(User, StageMove.moved_by_id == User.id)
        .where(Application.candidate_id == candidate_id)
        .order_by(StageMove.at.desc(), StageMove.id.desc())
        .limit(limit)
    ).all()
    cards = db.session.execute(
        db.select(Scorecard, Interview.kind, User.name)
        .join(Interview, Scorecard.interview_id == Interview.id)
        .join(User, Scorecard.interviewer_id == User.id)
        .where(Scorecard.candidate_id == candidate_id, Scorecard.submitted_at.is_not(None))
        .order_by(Scorecard.submitted_at.desc(), Scorecard.id.desc())
        .limit(limit)
    ).all()
    decisions = db.session.execute(
        db.select(Decision, User.name)
        .outerjoin(User, Decision.decided_by_id == User.id)
        .where(Decision.candidate_id == candidate_id)
        .order_by(Decision.decided_at.desc(), Decision.id.desc())
        .limit(limit)
    ).all()
    events = [Event(t.at, "touch", t.kind.label, t.summary, author) for t, author in touches]
    events += [Event(d.decided_at, "decision", decision_title(d), d.reason, author) for d, author in decisions]
    events += [
        Event(card.submitted_at, "scorecard", f"Scorecard: {kind.label}",
              f"Recommendation: {card.recommendation.label}" if card.recommendation else "", author)
        for card, kind, author in cards
    ]  # fmt: skip
    events += [Event(c.at, "status", status_title(c), c.reason, author) for c, author in changes]
    events += [Event(m.at, "stage", stage_title(m, opening), "", author) for m, opening, author in moves]
    # A stable sort: entries at the same time keep their order above (each query breaks ties by id), so a
    # page boundary falls in the same place on every request.
    return sorted(events, key=lambda event: event.at, reverse=True)[:limit]


def status_title(change: StatusChange) -> str:
    """Describe a status change, e.g. "Status: Engaged → Not now"."""
    if change.from_status is None:
        return f"Added to the pool as {change.to_status.label}"
    return f"Status: {change.from_status.label} → {change.to_status.label}"


def stage_title(move: StageMove, opening_title: str) -> str:
    """Describe a stage move, e.g. "SMB AE: screen → interviews"."""
    if move.from_stage is None:
        return f"Considered for {opening_title} ({move.to_stage})"
    return f"{opening_title}: {move.from_stage} → {move.to_stage}"


def decision_title(decision: Decision) -> str:
    """Describe a person's decision and the model's advice, e.g. "Decision: Rejected (model: A-player, against it)"."""
    if decision.model_tier is None:
        return f"Decision: {decision.kind.label} (not scored by the model)"
    against = ", against it" if decision.against_model else ""
    return f"Decision: {decision.kind.label} (model: {decision.model_tier.label}{against})"
