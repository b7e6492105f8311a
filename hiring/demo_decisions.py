"""The demo's decision records: one for every status change and board move that was a person's decision.

The demo writes its history as rows, not through the pages, so the decisions those pages
would have recorded are derived here from the status changes and stage moves. They predate
the first model, so none carries a model score.
"""

import random

from hiring.decision_records import stage_decision, status_decision
from models import Application, Decision, DecisionKind, Opening, StageMove, StatusChange, db


def add_demo_decisions(seed: int, rejection_reasons: list[str]) -> int:
    """Insert the decisions behind the demo's status changes and stage moves; return how many."""
    rng = random.Random(f"decisions-{seed}")  # noqa: S311 - reproducible demo data, its own stream
    rows = []
    hired_on_a_board = set()
    moves = db.session.execute(
        db.select(StageMove, Application.candidate_id, Application.opening_id, Opening.stages)
        .join(Application, Application.id == StageMove.application_id)
        .join(Opening, Opening.id == Application.opening_id)
        .order_by(StageMove.id)
    )
    for move, candidate_id, opening_id, stages in moves:
        kind = move.from_stage and stage_decision(stages, move.from_stage, move.to_stage)
        if not kind:
            continue
        if kind is DecisionKind.HIRE:
            hired_on_a_board.add(candidate_id)
        reason = rng.choice(rejection_reasons) if kind is DecisionKind.REJECT else ""
        rows.append(decision_row(candidate_id, opening_id, kind, move.from_stage, move.to_stage, reason,
                                 move.moved_by_id, move.at))  # fmt: skip
    for change in db.session.scalars(db.select(StatusChange).order_by(StatusChange.id)):
        kind = change.from_status and status_decision(change.from_status, change.to_status)
        if not kind or (kind is DecisionKind.HIRE and change.candidate_id in hired_on_a_board):
            continue  # a board's "hired" already recorded that hire
        rows.append(decision_row(change.candidate_id, None, kind, change.from_status.value, change.to_status.value,
                                 change.reason, change.changed_by_id, change.at))  # fmt: skip
    if rows:
        db.session.execute(db.insert(Decision), rows)
    return len(rows)


def decision_row(candidate_id, opening_id, kind, from_state, to_state, reason, decided_by_id, at) -> dict:
    """One Decision row without a model score (the demo's decisions predate the first model)."""
    return {
        "candidate_id": candidate_id,
        "opening_id": opening_id,
        "kind": kind,
        "from_state": from_state,
        "to_state": to_state,
        "reason": reason,
        "decided_by_id": decided_by_id,
        "decided_at": at,
        "against_model": False,
    }
