"""Recording the decisions people make about candidates, with what the model said at that moment.

The model only advises: every Decision row is a person's act (a status change, a board move,
a recorded hire). Nothing here is called by training or ranking.
"""

from sqlalchemy.orm import joinedload

from hiring.audit import record
from models import Candidate, CandidateScore, Decision, DecisionKind, Opening, PoolStatus, Tier, User, db

# The selection order of pool statuses: a change to a later one moves the candidate forward.
# Hired and rejected are decisions of their own; not now and declined are a pause or the candidate's call.
STATUS_ORDER = (PoolStatus.PROSPECT, PoolStatus.ENGAGED, PoolStatus.INTERVIEWING, PoolStatus.OFFER)
REJECTED_STAGE, HIRED_STAGE = "rejected", "hired"


def against(kind: DecisionKind, tier: Tier | None) -> bool:
    """True if a person chose against the model: forward or hire a predicted C, or reject a predicted A."""
    if kind in (DecisionKind.FORWARD, DecisionKind.HIRE):
        return tier == Tier.C
    return kind == DecisionKind.REJECT and tier == Tier.A


def record_decision(
    candidate: Candidate,
    kind: DecisionKind,
    actor: User | None,
    reason: str,
    *,
    opening: Opening | None = None,
    from_state: str = "",
    to_state: str = "",
) -> Decision:
    """Add a person's decision, with the candidate's current fit score as the model's advice; the caller commits."""
    fit = db.session.scalar(
        db.select(CandidateScore)
        .options(joinedload(CandidateScore.model_version))
        .where(CandidateScore.candidate_id == candidate.id)
    )
    decision = Decision(
        candidate_id=candidate.id,
        opening_id=opening.id if opening is not None else None,
        kind=kind,
        from_state=(from_state or "")[:60],
        to_state=(to_state or "")[:60],
        reason=(reason or "")[:500],
        decided_by_id=actor.id if actor is not None else None,
        model_version_number=fit.model_version.number if fit else None,
        model_tier=fit.predicted_tier if fit else None,
        model_p_a=fit.p_a if fit else None,
        model_score=fit.score if fit else None,
        against_model=against(kind, fit.predicted_tier if fit else None),
    )
    db.session.add(decision)
    details = {"candidate_id": candidate.id, "kind": kind.value}
    if opening is not None:
        details["opening_id"] = opening.id
    record("decision.recorded", decision, actor=actor, details=details)
    return decision


def status_decision(previous: PoolStatus, status: PoolStatus) -> DecisionKind | None:
    """The decision a pool status change stands for, or None (a pause, the candidate's call, or a step back)."""
    if status == PoolStatus.REJECTED:
        return DecisionKind.REJECT
    if status == PoolStatus.HIRED:
        return DecisionKind.HIRE
    if previous in STATUS_ORDER and status in STATUS_ORDER:
        return DecisionKind.FORWARD if STATUS_ORDER.index(status) > STATUS_ORDER.index(previous) else None
    return None


def stage_decision(stages: list[str], from_stage: str, to_stage: str) -> DecisionKind | None:
    """The decision a move on an opening's board stands for, or None (a move back, or sideways)."""
    if to_stage == REJECTED_STAGE:
        return DecisionKind.REJECT
    if to_stage == HIRED_STAGE:
        return DecisionKind.HIRE
    if from_stage in stages and to_stage in stages and stages.index(to_stage) > stages.index(from_stage):
        return DecisionKind.FORWARD
    return None
