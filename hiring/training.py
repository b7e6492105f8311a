"""Training a new model version from the company's history, from the command line or a background job."""

import logging
import platform
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from importlib.metadata import version as package_version

from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError

from hiring.audit import record
from hiring.fairness_data import model_flags, model_predictions, run_audit
from hiring.model_data import labelled_reps, submitted_scorecards, trained_trait_keys, trait_names
from hiring.ranking import models_folder, rank_candidates
from hiring.rep_tiers import current_rule
from models import Hire, JobStatus, ModelVersion, PeriodResult, TrainingJob, User, db, utcnow
from scoring.persist import save
from scoring.rank import Prediction
from scoring.train import NotEnoughData, train

log = logging.getLogger(__name__)
# A running job writes a heartbeat with every progress step; one silent this long died with its process.
STALE_AFTER = timedelta(minutes=10)
LIBRARIES = ("scikit-learn", "scipy", "numpy", "skops")

Progress = Callable[[float, str], None]


def library_versions() -> dict[str, str]:
    """The versions that produced a model, recorded with it."""
    return {"python": platform.python_version(), **{name: package_version(name) for name in LIBRARIES}}


class ActivationBlocked(Exception):
    """The version's adverse-impact audit flags a group and no admin has acknowledged it in writing."""


def train_version(trained_by: User | None, progress: Progress | None = None) -> ModelVersion:
    """Train, evaluate, store and audit a new model version; activate it unless the audit flags a group.

    A flagged version stays inactive (the previous one stays in use) until an admin activates it
    with a written acknowledgement. Raises NotEnoughData (with what is missing) before anything is written.
    """
    progress = progress or (lambda fraction, message: None)
    progress(0.0, "Reading scorecards and results")
    labels = labelled_reps()
    cards = list(submitted_scorecards())
    keys = trained_trait_keys(cards, labels)
    result = train(
        cards,
        labels,
        keys,
        n_repeats=current_app.config["FIT_CV_REPEATS"],
        progress=lambda f, m: progress(0.05 + 0.8 * f, m),
        trait_names=trait_names(),
    )
    progress(0.84, "Saving the model")
    result.report["history"] = history_dates(list(labels))
    version = store_version(result, keys, trained_by)
    progress(0.86, "Ranking the pool with it and auditing the ranking for adverse impact")
    predictions = model_predictions(version)  # once: the audit judges the ranking that activation stores
    version.audit = run_audit(version, by=trained_by, predictions=predictions)
    if not model_flags(version.audit):
        progress(0.95, "Storing the ranking")
        activate(version, trained_by, predictions=predictions)
    db.session.commit()
    progress(1.0, outcome_message(version))
    return version


def outcome_message(version: ModelVersion) -> str:
    """What became of a newly trained version, in one sentence."""
    if version.active:
        return f"Model version {version.number} trained and active."
    flags = len(model_flags(version.audit))
    return (
        f"Model version {version.number} trained but not activated: its adverse-impact audit flags "
        f"{flags} group{'s' if flags != 1 else ''}. An admin can activate it with a written acknowledgement."
    )


def history_dates(candidate_ids: list[int]) -> dict:
    """When the reps trained on were hired, and the months their results cover (for the model card)."""
    if not candidate_ids:
        return {}
    hired = db.session.execute(
        db.select(db.func.min(Hire.hired_on), db.func.max(Hire.hired_on)).where(Hire.candidate_id.in_(candidate_ids))
    ).one()
    periods = db.session.execute(
        db.select(db.func.min(PeriodResult.period), db.func.max(PeriodResult.period))
        .join(Hire, Hire.id == PeriodResult.hire_id)
        .where(Hire.candidate_id.in_(candidate_ids))
    ).one()
    return {
        "hired_from": hired[0].isoformat() if hired[0] else None,
        "hired_to": hired[1].isoformat() if hired[1] else None,
        "results_from": periods[0],
        "results_to": periods[1],
    }


def store_version(result, trait_keys: list[str], trained_by: User | None) -> ModelVersion:
    """Write the ranker file and its version row; the next free number wins even if two jobs race."""
    folder = models_folder()
    scratch = folder / f"training-{threading.get_ident()}-{time.monotonic_ns()}.skops"
    sha256 = save(result.ranker, scratch)
    rule = current_rule().as_dict()
    for _attempt in range(5):
        number = (db.session.scalar(db.select(db.func.max(ModelVersion.number))) or 0) + 1
        version = ModelVersion(
            number=number,
            trained_by_id=trained_by.id if trained_by else None,
            file_name=f"ranker-v{number}.skops",
            file_sha256=sha256,
            rule=rule,
            features=list(result.ranker.feature_names_),
            data=result.fingerprint,
            libraries=library_versions(),
            report={**result.report, "trait_keys": trait_keys},
        )
        db.session.add(version)
        try:
            db.session.flush()
        except IntegrityError:  # another job took that number meanwhile
            db.session.rollback()
            continue
        scratch.rename(folder / version.file_name)
        record(
            "model.trained", version, actor=trained_by, details={"number": number, "rows": result.fingerprint["rows"]}
        )
        return version
    scratch.unlink(missing_ok=True)
    raise RuntimeError("could not claim a model version number")


def activate(
    version: ModelVersion,
    by: User | None,
    acknowledgement: str | None = None,
    predictions: list[Prediction] | None = None,
) -> int:
    """Make ``version`` the active model and re-score every interviewed candidate with it; caller commits.

    A version whose audit flags a group needs ``acknowledgement``: an admin's written reason to
    go ahead, kept with the version and audited. Without it (and none given before), ActivationBlocked.
    ``predictions``: the version's ranking of the pool, if the caller has just made it.
    """
    flags = model_flags(version.audit)
    acknowledgement = (acknowledgement or "").strip()
    if flags and not version.acknowledgement:
        if not acknowledgement:
            raise ActivationBlocked(f"Model version {version.number}'s audit flags {len(flags)} group(s).")
        version.acknowledgement = acknowledgement
        version.acknowledged_at = utcnow()
        version.acknowledged_by_id = by.id if by else None
        record("model.acknowledged", version, actor=by, details={"number": version.number, "flags": len(flags)})
    db.session.execute(db.update(ModelVersion).where(ModelVersion.id != version.id).values(active=False))
    version.active = True
    version.activated_at = utcnow()
    version.activated_by_id = by.id if by else None
    db.session.flush()
    scored = rank_candidates(version=version, predictions=predictions)
    record("model.activated", version, actor=by, details={"number": version.number, "scored": scored})
    return scored


def running_job() -> TrainingJob | None:
    """The queued or running job that is still alive, if any; dead ones are marked failed."""
    jobs = db.session.scalars(
        db.select(TrainingJob).where(TrainingJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
    ).all()
    alive = None
    for job in jobs:
        if utcnow() - job.heartbeat_at > STALE_AFTER:
            finish(job, JobStatus.FAILED, "The job stopped without finishing (its worker process ended).")
        else:
            alive = job
    db.session.commit()
    return alive


def finish(job: TrainingJob, status: JobStatus, message: str) -> None:
    """Record how a job ended."""
    job.status = status
    job.message = message
    job.finished_at = job.heartbeat_at = utcnow()


def claim_job(user: User | None) -> tuple[TrainingJob, bool]:
    """Create a running training job, or find the one already running; return it and whether it is new.

    The job is created running, so the unique index on running jobs fails the second of two
    simultaneous starts (on PostgreSQL and SQLite alike), which then gets the first one's job.
    """
    for _attempt in range(3):
        job = running_job()
        if job:
            return job, False
        job = TrainingJob(status=JobStatus.RUNNING, started_by_id=user.id if user else None, message="Waiting to start")
        db.session.add(job)
        try:
            record("model.training_started", job, actor=user)
            db.session.commit()
        except IntegrityError:  # another request started a job between our check and our insert
            db.session.rollback()
            continue
        return job, True
    raise RuntimeError("could not start a training job")


def claim_training(user: User) -> tuple[TrainingJob, bool]:
    """Start a training job in a background thread, or find the running one; return it and whether it is new."""
    job, new = claim_job(user)
    if new:
        app = current_app._get_current_object()
        thread = threading.Thread(target=run_job, args=(app, job.id), name=f"training-job-{job.id}", daemon=True)
        _threads[job.id] = thread
        thread.start()
    return job, new


# The threads of this process's jobs, so that tests and shutdown can wait for them.
_threads: dict[int, threading.Thread] = {}


def wait_for_job(job_id: int, timeout: float = 120) -> None:
    """Wait until this process's thread for ``job_id`` ends."""
    thread = _threads.get(job_id)
    if thread:
        thread.join(timeout)


def wait_for_all_jobs(timeout: float = 120) -> None:
    """Wait until every training thread this process started has ended."""
    for job_id in list(_threads):
        wait_for_job(job_id, timeout)
        _threads.pop(job_id, None)


def run_job(app: Flask, job_id: int, echo: Progress | None = None) -> None:
    """Train, writing progress to the job row as it goes (and to ``echo``, if given, at every step)."""
    with app.app_context():
        job = db.session.get(TrainingJob, job_id)
        job.status = JobStatus.RUNNING
        db.session.commit()
        last = [0.0]

        def progress(fraction: float, message: str) -> None:
            if echo:
                echo(fraction, message)
            # Commit at most a few times a second: the page polls, it does not need every step.
            now = time.monotonic()
            if now - last[0] < 0.3 and fraction < 1:
                return
            last[0] = now
            db.session.execute(
                db.update(TrainingJob)
                .where(TrainingJob.id == job_id)
                .values(progress=int(100 * fraction), message=message[:1000], heartbeat_at=utcnow())
            )
            db.session.commit()

        try:
            version = train_version(job.started_by, progress)
        except NotEnoughData as error:
            db.session.rollback()
            finish(job, JobStatus.FAILED, f"Not enough history to train a model. {error}")
        except Exception:
            db.session.rollback()
            log.exception("training job %s failed", job_id)
            finish(job, JobStatus.FAILED, "Training failed with an internal error; the log has the details.")
        except BaseException:  # Ctrl+C on `flask train`: the job must not stay "running" for 10 minutes
            db.session.rollback()
            finish(job, JobStatus.FAILED, "Training was interrupted before it finished.")
            db.session.commit()
            raise
        else:
            job = db.session.get(TrainingJob, job_id)
            finish(job, JobStatus.SUCCEEDED, outcome_message(version))
            job.progress = 100
            job.model_version_id = version.id
        db.session.commit()
        db.session.remove()
