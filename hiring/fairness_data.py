"""The people an adverse-impact audit looks at, with their self-identification, and running the audit."""

from flask import current_app

from hiring.audit import record
from hiring.model_data import submitted_scorecards, trait_names
from hiring.ranking import load_ranker
from models import (
    Application,
    Candidate,
    Decision,
    DecisionKind,
    Hire,
    ModelVersion,
    Opening,
    PoolStatus,
    RaceEthnicity,
    SelfIdentification,
    Sex,
    StageMove,
    User,
    db,
    utcnow,
)
from scoring.fairness import Subject, build_report, decision_analyses, model_analyses
from scoring.rank import Prediction, rank

# Stages that are not a step forward: where an application starts is its opening's first stage.
NOT_FORWARD = {"rejected"}
UNKNOWN = Subject(sex=None, race_ethnicity=None)


def self_identifications() -> dict[int, Subject]:
    """Candidate id -> Subject for everyone who answered; "prefer not to say" counts as unknown."""
    rows = db.session.execute(
        db.select(SelfIdentification.candidate_id, SelfIdentification.sex, SelfIdentification.race_ethnicity)
    )
    return {
        candidate_id: Subject(
            sex=None if sex is Sex.NOT_SAID else sex.label,
            race_ethnicity=None if race is RaceEthnicity.NOT_SAID else race.label,
        )
        for candidate_id, sex, race in rows
    }


def applicant_ids(opening_id: int) -> list[int]:
    """The ids of an opening's candidates."""
    return list(db.session.scalars(db.select(Application.candidate_id).where(Application.opening_id == opening_id)))


def model_predictions(version: ModelVersion, opening_id: int | None = None) -> list[Prediction]:
    """The version's predictions for the interviewed candidates (of one opening), best first, not stored.

    Raises RankerFileError when the version's file is missing or changed.
    """
    ranker = load_ranker(version)
    ids = applicant_ids(opening_id) if opening_id is not None else None
    predictions = rank(ranker, submitted_scorecards(ids, without_reps=True), trait_names())
    # The ranking's own order: best score first, then the older record.
    return sorted(predictions, key=lambda p: (-p.score, p.candidate_id))


def decision_outcomes(opening_id: int | None = None) -> dict[int, tuple[bool, bool]]:
    """Candidate id -> (moved forward, hired) for everyone considered for an opening (of one opening, if given).

    Moved forward: the application reached a stage past its opening's first one (other than
    "rejected"), or a person recorded a decision to move them forward or hire them. Hired: an
    application reached "hired", or the candidate is a recorded hire or has the pool status hired.
    """
    applications = db.select(Application.id, Application.candidate_id, Application.stage, Opening.stages).join(
        Opening, Opening.id == Application.opening_id
    )
    moves = db.select(StageMove.application_id, StageMove.to_stage).join(
        Application, Application.id == StageMove.application_id
    )
    decisions = db.select(Decision.candidate_id, Decision.kind)
    if opening_id is not None:
        applications = applications.where(Application.opening_id == opening_id)
        moves = moves.where(Application.opening_id == opening_id)
        decisions = decisions.where(Decision.opening_id == opening_id)
    reached: dict[int, set[str]] = {}
    for application_id, stage in db.session.execute(moves):
        reached.setdefault(application_id, set()).add(stage)
    outcomes: dict[int, tuple[bool, bool]] = {}
    for application_id, candidate_id, stage, stages in db.session.execute(applications):
        stages_seen = reached.get(application_id, set()) | {stage}
        forward = bool(stages_seen - NOT_FORWARD - {stages[0] if stages else None})
        hired = "hired" in stages_seen
        was_forward, was_hired = outcomes.get(candidate_id, (False, False))
        outcomes[candidate_id] = (was_forward or forward, was_hired or hired)
    for candidate_id, kind in db.session.execute(decisions):
        was_forward, was_hired = outcomes.get(candidate_id, (False, False))
        outcomes[candidate_id] = (True, was_hired or kind is DecisionKind.HIRE)
    if opening_id is None and outcomes:
        hired_ids = set(db.session.scalars(db.select(Hire.candidate_id))) | set(
            db.session.scalars(db.select(Candidate.id).where(Candidate.status == PoolStatus.HIRED))
        )
        outcomes = {
            candidate_id: (forward or candidate_id in hired_ids, hired or candidate_id in hired_ids)
            for candidate_id, (forward, hired) in outcomes.items()
        }
    return outcomes


def default_top_n(sample: int) -> int:
    """The audit's "top N": AUDIT_TOP_SHARE of the sample, at least one person when there is anyone."""
    return max(1, round(current_app.config["AUDIT_TOP_SHARE"] * sample)) if sample else 0


def run_audit(
    version: ModelVersion,
    opening: Opening | None = None,
    top_n: int | None = None,
    *,
    by: User | None = None,
    predictions: list[Prediction] | None = None,
) -> dict:
    """Audit the version's ranking and the recorded decisions, on the whole pool or one opening.

    ``predictions``: the version's ranking of that pool or opening, best first, if the caller has
    made it already. Written to the model's event log (the audit log) as "model.audited". Raises
    RankerFileError when the version's file is unusable.
    """
    opening_id = opening.id if opening else None
    known = self_identifications()
    if predictions is None:
        predictions = model_predictions(version, opening_id)
    top_n = default_top_n(len(predictions)) if top_n is None else min(top_n, len(predictions))
    model = model_analyses(
        [known.get(p.candidate_id, UNKNOWN) for p in predictions],
        [p.predicted_tier for p in predictions],
        [p.score for p in predictions],
        top_n,
    )
    outcomes = decision_outcomes(opening_id)
    people = sorted(outcomes)
    decisions = decision_analyses(
        [known.get(candidate_id, UNKNOWN) for candidate_id in people],
        [outcomes[candidate_id][0] for candidate_id in people],
        [outcomes[candidate_id][1] for candidate_id in people],
    )
    scope = {
        "model_version": version.number,
        "opening_id": opening_id,
        "opening": opening.title if opening else None,
        "top_n": top_n,
        "generated_at": utcnow().isoformat(timespec="seconds"),
    }
    report = build_report(scope, model + decisions)
    record(
        "model.audited",
        version,
        actor=by,
        details=audit_details(report),
    )
    return report


def audit_details(report: dict, **extra) -> dict:
    """What the event log keeps about an audit run: version, scope, top N and the number of flags."""
    scope = report["scope"]
    details = {"number": scope["model_version"], "top_n": scope["top_n"], "flags": len(report["flags"]), **extra}
    if scope["opening_id"] is not None:
        details["opening_id"] = scope["opening_id"]
    return details


def model_flags(report: dict | None) -> list[dict]:
    """The flags a report raises about the model's ranking (the decisions' flags are about people)."""
    return [flag for flag in (report or {}).get("flags", []) if flag["source"] == "model"]
