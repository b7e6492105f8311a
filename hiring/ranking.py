"""The active fit model: loading it once per process, and scoring candidates with it."""

import json
import logging
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from flask import current_app
from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from hiring.audit import record
from hiring.model_data import submitted_cards, trait_names
from models import (
    Application,
    Candidate,
    CandidateScore,
    ModelVersion,
    Scorecard,
    ScorecardStatus,
    db,
    utcnow,
)
from scoring.features import gc_paused
from scoring.persist import RankerFileError, load
from scoring.rank import Prediction, Ranked, Reason, rank_lists
from scoring.train import Ranker

log = logging.getLogger(__name__)
# What the "model unavailable" notices ask of an admin.
ADMIN_ACTION = "An admin can train a new model, or restore the model file from a backup."


class RankerCache:
    """Loaded rankers, a few per process, each re-read when its file is replaced.

    Loading a skops file (read, hash, check every type, rebuild) takes tens of milliseconds, and
    every page showing a fit score needs the ranker. An entry is keyed by model version and
    checked against the file's identity (size, modification and change times, inode: one ``stat``) on every
    use, so a retrained version or a restored or replaced file is seen at once. A file that
    cannot be loaded is remembered too, with its error, so that a broken file is neither
    re-read on every page nor logged more than once. Only ``size`` versions are kept (the active
    one, and one more for the model card or training of another), least recently used first out.
    """

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, str], tuple[tuple, Ranker | RankerFileError]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version: ModelVersion, folder: Path) -> Ranker:
        """The version's ranker; RankerFileError (logged once per file state) if it cannot be used."""
        path = folder / version.file_name
        key = (version.id, str(path))  # the path too: test apps (and tenants) reuse version ids
        try:
            found = os.stat(path)
            identity = (version.file_sha256, found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino)
        except OSError:
            identity = (version.file_sha256, None, None, None, None)  # missing: load says so
        # One lock for loads too: two requests after a retrain load the new file once, not twice.
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != identity:
                try:
                    entry = (identity, load(path, version.file_sha256))
                except RankerFileError as error:
                    log.warning("Model version %s unavailable: %s", version.number, error)
                    entry = (identity, error)
                self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        if isinstance(entry[1], RankerFileError):
            raise entry[1]
        return entry[1]

    def clear(self) -> None:
        """Forget every loaded ranker."""
        with self._lock:
            self._entries.clear()


rankers = RankerCache()


def models_folder() -> Path:
    """The folder of the skops files, in the instance folder (a shared volume when there are several hosts)."""
    folder = Path(current_app.instance_path) / "models"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def active_version() -> ModelVersion | None:
    """The model version in use, or None before the first training."""
    return db.session.scalar(db.select(ModelVersion).where(ModelVersion.active.is_(True)))


def load_ranker(version: ModelVersion) -> Ranker:
    """Return the version's ranker, loaded once per process and file; RankerFileError if unusable."""
    return rankers.get(version, models_folder())


def ranker_problem(version: ModelVersion | None) -> str | None:
    """Why the version cannot score anyone right now (no model, file missing or damaged), or None."""
    if version is None:
        return "No model has been trained yet."
    try:
        load_ranker(version)
    except RankerFileError as error:
        return f"Model version {version.number} is unavailable: {error} {ADMIN_ACTION}"
    return None


# The columns rank_candidates writes, in the order of its rows.
SCORE_COLUMNS = (
    "candidate_id",
    "model_version_id",
    "p_a",
    "p_b",
    "p_c",
    "score",
    "predicted_tier",
    "certainty",
    "reasons",
    "interviews",
    "computed_at",
)


class ReasonsText:
    """Writes a prediction's stored reasons as JSON text, the very text ``json.dumps`` gives.

    Stored as {"up": [{"key", "label", "effect", "value"}...], "down": [...], "certainty": [...]}.
    A pool has a few dozen distinct labels, values and certainty lists, so each is encoded once
    and a reason is three joined pieces: encoding 100,000 dicts took longer than predicting them.
    An effect is written with ``:.1f``: the very text json.dumps gives of ``round(effect, 1)``
    (both round correctly to one decimal; repr turns to exponents only past 1e16, far beyond
    100 score points), in a third of the time.
    """

    def __init__(self) -> None:
        self._heads: dict[tuple[str, str], str] = {}
        self._tails: dict[str, str] = {}
        self._doubts: dict[tuple[str, ...], str] = {}

    def head(self, key: str, label: str) -> str:
        """A reason's JSON up to its effect."""
        head = self._heads.get((key, label))
        if head is None:
            head = self._heads[(key, label)] = f'{{"key": {json.dumps(key)}, "label": {json.dumps(label)}, "effect": '
        return head

    def tail(self, value: str) -> str:
        """A reason's JSON after its effect."""
        tail = self._tails.get(value)
        if tail is None:
            tail = self._tails[value] = f', "value": {json.dumps(value)}}}'
        return tail

    def reason(self, reason: Reason) -> str:
        """One reason as JSON; its effect rounded to 0.1 score point."""
        return f"{self.head(reason.key, reason.label)}{reason.effect:.1f}{self.tail(reason.value)}"

    def whole(self, up: Iterable[str], down: Iterable[str], doubts: list[str]) -> str:
        """The stored reasons from the reasons' JSON pieces and the certainty reasons."""
        key = tuple(doubts)
        said = self._doubts.get(key)
        if said is None:
            said = self._doubts[key] = json.dumps(doubts)
        return f'{{"up": [{", ".join(up)}], "down": [{", ".join(down)}], "certainty": {said}}}'

    def __call__(self, prediction: Prediction) -> str:
        """The prediction's reasons as JSON."""
        return self.whole(
            map(self.reason, prediction.up), map(self.reason, prediction.down), prediction.certainty_reasons
        )

    def all_of(self, ranked: Ranked) -> list[str]:
        """The reasons of every prediction in ``ranked`` as JSON, in its order.

        From the lists' indexes, without a Reason object each: the pieces of every group and
        value text are looked up once.
        """
        heads = [self.head(key, label) for key, label in zip(ranked.group_keys, ranked.group_labels, strict=True)]
        tails = [self.tail(value) for value in ranked.texts]
        with gc_paused():
            return [
                self.whole(
                    [f"{heads[g]}{effect:.1f}{tails[t]}" for g, effect, t in up],
                    [f"{heads[g]}{effect:.1f}{tails[t]}" for g, effect, t in down],
                    doubts,
                )
                for up, down, doubts in zip(ranked.up, ranked.down, ranked.doubts, strict=True)
            ]


def score_rows(predictions: list[Prediction] | Ranked, version: ModelVersion) -> list[tuple]:
    """CandidateScore rows (as SCORE_COLUMNS) for the predictions, by candidate id.

    By candidate id, the primary key's order: SQLite inserted them twice as fast as in score order.
    """
    text = ReasonsText()
    now = utcnow()
    if isinstance(predictions, Ranked):
        reasons = text.all_of(predictions)
        columns = zip(
            predictions.candidate_ids,
            predictions.proba,
            predictions.score,
            predictions.tiers,
            predictions.levels,
            reasons,
            predictions.interviews,
            strict=True,
        )
    else:
        columns = (
            (p.candidate_id, (p.p_a, p.p_b, p.p_c), p.score, p.predicted_tier, p.certainty, text(p), p.interviews)
            for p in predictions
        )
    with gc_paused():
        rows = [
            (candidate_id, version.id, p_a, p_b, p_c, score, tier, level, reasons, interviews, now)
            for candidate_id, (p_a, p_b, p_c), score, tier, level, reasons, interviews in columns
        ]
    rows.sort()
    return rows


def insert_scores(rows: list[tuple]) -> None:
    """Insert CandidateScore rows (as SCORE_COLUMNS) on the session's connection, in one executemany.

    The rows go to the driver as they are: SQLAlchemy's per-row parameter handling cost more
    than the insert itself. So values are given as stored: enum values, reasons as JSON text,
    and the timestamp through the column type's own conversion.
    """
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    table = CandidateScore.__table__
    to_stored = table.c.computed_at.type.bind_processor(dialect)
    now = rows[0][-1]
    if to_stored is not None:
        now = to_stored(now)
    adapt = sqlite3.adapters.get((type(now), sqlite3.PrepareProtocol)) if dialect.name == "sqlite" else None
    if adapt is not None:
        now = adapt(now)  # the text sqlite3 would make of it for every row, made once
    if now is not rows[0][-1]:
        rows = [(*row[:-1], now) for row in rows]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"  # sqlite3, or psycopg (format / pyformat)
    # PostgreSQL is told the JSON text is JSON; SQLite stores it as it is.
    markers = [
        f"CAST({marker} AS JSON)" if name == "reasons" and dialect.name == "postgresql" else marker
        for name in SCORE_COLUMNS
    ]
    sql = f"INSERT INTO {table.name} ({', '.join(SCORE_COLUMNS)}) VALUES ({', '.join(markers)})"  # noqa: S608 - fixed names
    connection.exec_driver_sql(sql, rows)


def rank_candidates(
    candidate_ids: list[int] | None = None,
    version: ModelVersion | None = None,
    predictions: list[Prediction] | Ranked | None = None,
) -> int:
    """Re-score candidates (all interviewed ones when ``candidate_ids`` is None) with the active model.

    ``predictions``: the version's predictions of those candidates (or their Ranked lists), when
    the caller has just made them (training audits a new version's ranking before storing it):
    they are stored as they are.

    Hired reps are not scored: they are judged by their results, and the model learned from them.

    Old scores of those candidates are removed first (one DELETE), so a candidate whose scorecards
    were withdrawn, or a pool scored by an unusable model, never keeps a stale score. Returns the
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
        except RankerFileError:
            return 0  # logged by the cache; the pages say the model is unavailable
        cards = submitted_cards(ranker.trait_keys, candidate_ids, without_reps=True)
        predictions = rank_lists(ranker, cards, trait_names())
    rows = score_rows(predictions, version)
    insert_scores(rows)
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

    ``fit_problem`` says why the model cannot score this candidate now (no model, its file missing
    or damaged), also when a score stored earlier is shown.

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
        # Asked even beside a stored score (a cached check): a broken file stops new scoring.
        "fit_problem": ranker_problem(version) if interviewed and not hired and (version or not fit) else None,
    }


def scores_of(candidate_ids: list[int]) -> dict[int, CandidateScore]:
    """The scores of the candidates listed on a page, in one query."""
    if not candidate_ids:
        return {}
    rows = db.session.scalars(db.select(CandidateScore).where(CandidateScore.candidate_id.in_(candidate_ids)))
    return {row.candidate_id: row for row in rows}
