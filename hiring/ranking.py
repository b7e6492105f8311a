"""The active fit model: loading it once per process, and scoring candidates with it."""

import logging
import threading
from pathlib import Path

from flask import current_app
from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from hiring.audit import record
from hiring.model_data import submitted_scorecards, trait_names
from models import (
    Application,
    Candidate,
    CandidateScore,
    Certainty,
    ModelVersion,
    Scorecard,
    ScorecardStatus,
    Tier,
    db,
    utcnow,
)
from scoring.persist import RankerFileError, load
from scoring.rank import Prediction, rank
from scoring.train import Ranker

log = logging.getLogger(__name__)
INSERT_BATCH = 2_000

# Loaded rankers by version id and file hash: each worker process reads a file once.
_loaded: dict[tuple[int, str], Ranker] = {}
_loading = threading.Lock()


def models_folder() -> Path:
    """The folder of the skops files, in the instance folder (a shared volume when there are several hosts)."""
    folder = Path(current_app.instance_path) / "models"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def active_version() -> ModelVersion | None:
    """The model version in use, or None before the first training."""
    return db.session.scalar(db.select(ModelVersion).where(ModelVersion.active.is_(True)))


def load_ranker(version: ModelVersion) -> Ranker:
    """Return the version's ranker, loaded and checked once per process; RankerFileError if unusable."""
    key = (version.id, version.file_sha256)
    with _loading:
        if key not in _loaded:
            _loaded[key] = load(models_folder() / version.file_name, version.file_sha256)
        return _loaded[key]


def ranker_problem(version: ModelVersion | None) -> str | None:
    """Why the version cannot score anyone right now (no model, file missing or changed), or None."""
    if version is None:
        return "No model has been trained yet."
    try:
        load_ranker(version)
    except RankerFileError as error:
        return f"Model version {version.number} is unavailable: {error}"
    return None


def score_row(prediction: Prediction, version: ModelVersion) -> dict:
    """A CandidateScore row for one prediction."""
    return {
        "candidate_id": prediction.candidate_id,
        "model_version_id": version.id,
        "p_a": prediction.p_a,
        "p_b": prediction.p_b,
        "p_c": prediction.p_c,
        "score": prediction.score,
        "predicted_tier": Tier(prediction.predicted_tier),
        "certainty": Certainty(prediction.certainty),
        "reasons": {
            "up": [reason_dict(r) for r in prediction.up],
            "down": [reason_dict(r) for r in prediction.down],
            "certainty": list(prediction.certainty_reasons),
        },
        "interviews": prediction.interviews,
        "computed_at": utcnow(),
    }


def reason_dict(reason) -> dict:
    """One reason as stored JSON."""
    return {"key": reason.key, "label": reason.label, "effect": round(reason.effect, 1), "value": reason.value}


def rank_candidates(
    candidate_ids: list[int] | None = None,
    version: ModelVersion | None = None,
    predictions: list[Prediction] | None = None,
) -> int:
    """Re-score candidates (all interviewed ones when ``candidate_ids`` is None) with the active model.

    ``predictions``: the version's predictions of those candidates, when the caller has just made
    them (training audits a new version's ranking before storing it): they are stored as they are.

    Hired reps are not scored: they are judged by their results, and the model learned from them.

    Old scores of those candidates are removed first, so a candidate whose scorecards were
    withdrawn, or a pool scored by an unusable model, never keeps a stale score. Returns the
    number scored; the caller commits.
    """
    version = version or active_version()
    stale = db.delete(CandidateScore)
    if candidate_ids is not None:
        if not candidate_ids:
            return 0
        stale = stale.where(CandidateScore.candidate_id.in_(candidate_ids))
    db.session.execute(stale)
    if version is None:
        return 0
    if predictions is None:
        try:
            ranker = load_ranker(version)
        except RankerFileError as error:
            log.warning("model version %s unavailable, candidates not scored: %s", version.number, error)
            return 0
        predictions = rank(ranker, submitted_scorecards(candidate_ids, without_reps=True), trait_names())
    rows = [score_row(prediction, version) for prediction in predictions]
    # Core executemany on the session's connection: the ORM's bulk path costs more per row.
    connection = db.session.connection()
    for start in range(0, len(rows), INSERT_BATCH):
        connection.execute(CandidateScore.__table__.insert(), rows[start : start + INSERT_BATCH])
    record(
        "model.ranked",
        version,
        details={
            "number": version.number,
            "scored": len(rows),
            "asked": "whole pool" if candidate_ids is None else f"{len(candidate_ids)} candidates",
        },
    )
    return len(rows)


def ranking_query(opening_id: int | None = None) -> Select:
    """Scored candidates with their scores, best first (of one opening's candidates, if given)."""
    query = (
        db.select(Candidate, CandidateScore)
        .join(CandidateScore, CandidateScore.candidate_id == Candidate.id)
        .options(joinedload(CandidateScore.model_version))
        .order_by(CandidateScore.score.desc(), Candidate.id)
    )
    if opening_id is not None:
        query = query.where(
            Candidate.id.in_(db.select(Application.candidate_id).where(Application.opening_id == opening_id))
        )
    return query


def ranking_row(candidate: Candidate, fit: CandidateScore) -> dict:
    """One line of the ranking as printed by ``flask rank``."""
    return {
        "external_id": candidate.external_id,
        "email": candidate.email,
        "name": candidate.name,
        "predicted_tier": fit.predicted_tier.value,
        "p_a": round(fit.p_a, 3),
        "p_b": round(fit.p_b, 3),
        "p_c": round(fit.p_c, 3),
        "score": round(fit.score, 1),
        "certainty": fit.certainty.value,
        "model_version": fit.model_version.number,
        "reasons_up": "; ".join(f"{r['label']} ({r['effect']:+.1f})" for r in fit.reasons["up"]),
        "reasons_down": "; ".join(f"{r['label']} ({r['effect']:+.1f})" for r in fit.reasons["down"]),
    }


def fit_panel(candidate_id: int, hired: bool) -> dict:
    """What a candidate page shows about fit: the score, the active version, whether interviewed, any problem.

    ``hired``: the candidate is a rep (the page has loaded their hire already).
    """
    version = active_version()
    fit = db.session.scalar(
        db.select(CandidateScore)
        .options(joinedload(CandidateScore.model_version))
        .where(CandidateScore.candidate_id == candidate_id)
    )
    interviewed = fit is not None or db.session.scalar(
        db.select(
            db.exists().where(Scorecard.candidate_id == candidate_id, Scorecard.status == ScorecardStatus.SUBMITTED)
        )
    )
    return {
        "fit": fit,
        "fit_version": version,
        "interviewed": interviewed,
        "hired": hired,
        "fit_problem": ranker_problem(version) if interviewed and fit is None else None,
    }


def scores_of(candidate_ids: list[int]) -> dict[int, CandidateScore]:
    """The scores of the candidates listed on a page, in one query."""
    if not candidate_ids:
        return {}
    rows = db.session.scalars(db.select(CandidateScore).where(CandidateScore.candidate_id.in_(candidate_ids)))
    return {row.candidate_id: row for row in rows}
