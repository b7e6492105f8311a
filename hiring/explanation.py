"""What a candidate may be told about their assessment: what was assessed, the main factors, who decided.

Only counts, trait names and the model's stored reasons leave here: no individual ratings,
interviewer names, notes, or self-identification data.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import joinedload

from models import Candidate, CandidateScore, Decision, Opening, Rating, Scorecard, ScorecardStatus, Trait, db

# How each kind of stored reason reads to the candidate; "{label}" is the trait's name.
FACTOR_WORDS = {
    ("trait", "up"): "{label}: how the interviewers rated it raised the assessment, "
    "compared with a typical interviewed candidate.",
    ("trait", "down"): "{label}: how the interviewers rated it lowered the assessment, "
    "compared with a typical interviewed candidate.",
    ("recommendations", "up"): "The interviewers' overall recommendations raised the assessment.",
    ("recommendations", "down"): "The interviewers' overall recommendations lowered the assessment.",
    ("interviews", "up"): "The number of interviews raised the assessment.",
    ("interviews", "down"): "The number of interviews lowered the assessment.",
}  # fmt: skip


@dataclass(frozen=True)
class Assessed:
    """One trait that interviewers rated, and by how many of them."""

    trait: str
    interviewers: int


@dataclass(frozen=True)
class DecisionLine:
    """One decision as the candidate sees it: when, what, for which role, whether the model's advice was shown."""

    at: datetime
    decision: str
    opening: str | None
    model_shown: bool


def assessed_traits(candidate_id: int) -> list[Assessed]:
    """The traits rated on the candidate's submitted scorecards, each with the number of interviewers who rated it."""
    rows = db.session.execute(
        db.select(Trait.name, func.count(Scorecard.interviewer_id.distinct()))
        .join(Rating, Rating.trait_id == Trait.id)
        .join(Scorecard, Rating.scorecard_id == Scorecard.id)
        .where(
            Scorecard.candidate_id == candidate_id,
            Scorecard.status == ScorecardStatus.SUBMITTED,
            Rating.score.is_not(None),
        )
        .group_by(Trait.id, Trait.name)
        .order_by(Trait.name)
    ).all()
    return [Assessed(name, count) for name, count in rows]


def interview_counts(candidate_id: int) -> dict[str, int]:
    """How many interviews, scorecards and interviewers the submitted evidence comes from."""
    interviews, scorecards, interviewers = db.session.execute(
        db.select(
            func.count(Scorecard.interview_id.distinct()),
            func.count(Scorecard.id),
            func.count(Scorecard.interviewer_id.distinct()),
        ).where(Scorecard.candidate_id == candidate_id, Scorecard.status == ScorecardStatus.SUBMITTED)
    ).one()
    return {"interviews": interviews, "scorecards": scorecards, "interviewers": interviewers}


def factor_sentence(reason: dict, side: str) -> str:
    """One stored model reason in plain words."""
    kind = reason.get("key") if reason.get("key") in ("recommendations", "interviews") else "trait"
    return FACTOR_WORDS[(kind, side)].format(label=reason.get("label") or reason.get("key") or "A trait")


def factors(fit: CandidateScore | None) -> list[str]:
    """The model's main factors for the candidate, strongest first within each side, in plain words."""
    if fit is None:
        return []
    reasons = fit.reasons or {}
    return [factor_sentence(r, "up") for r in reasons.get("up", [])] + [
        factor_sentence(r, "down") for r in reasons.get("down", [])
    ]


def decision_lines(candidate_id: int) -> list[DecisionLine]:
    """The people's decisions about the candidate, oldest first, without who made them or why."""
    rows = db.session.execute(
        db.select(Decision, Opening.title)
        .outerjoin(Opening, Decision.opening_id == Opening.id)
        .where(Decision.candidate_id == candidate_id)
        .order_by(Decision.decided_at, Decision.id)
    ).all()
    return [DecisionLine(d.decided_at, d.kind.label, title, d.model_version_number is not None) for d, title in rows]


def explanation(candidate: Candidate) -> dict:
    """Everything the explanation page shows about one candidate."""
    fit = db.session.scalar(
        db.select(CandidateScore)
        .options(joinedload(CandidateScore.model_version))
        .where(CandidateScore.candidate_id == candidate.id)
    )
    decisions = decision_lines(candidate.id)
    return {
        "assessed": assessed_traits(candidate.id),
        "counts": interview_counts(candidate.id),
        "fit": fit,
        "factors": factors(fit),
        "decisions": decisions,
        "model_shown_before": fit is None and any(line.model_shown for line in decisions),
    }
