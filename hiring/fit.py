"""The fit model pages: what the active model knows and how good it is, training, versions."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from hiring.access import allow
from hiring.ranking import active_version, ranker_problem
from hiring.rep_tiers import current_rule
from hiring.training import activate, running_job, start_training
from models import JobStatus, ModelVersion, Role, TrainingJob, User, db
from scoring.tiers import Rule

bp = Blueprint("fit", __name__, url_prefix="/model")
MODEL_ROLES = (Role.MANAGER, Role.ADMIN)
# Each measure's name and what it means, in words for a hiring manager.
METRICS = {
    "spearman": (
        "Rank correlation",
        "How well the order of predicted fit matches the order of actual tiers (1 is perfect, 0 is chance).",
    ),
    "auc_a": (
        "A-player detection (AUC)",
        "The chance that a random A-player gets a higher P(A) than a random other rep (0.5 is chance).",
    ),
    "qwk": (
        "Tier agreement (weighted kappa)",
        "Agreement of the predicted tier with the actual tier, near misses counting less (0 is chance).",
    ),
    "brier": ("Probability error (Brier)", "How far the probabilities were from what happened; lower is better."),
    "top20_precision": (
        "A-players in the top 20 %",
        "Of the reps the model ranked in its top fifth, the share who were A-players.",
    ),
}
BASELINES = {"model": "This model", "mean_rating": "Mean of ratings", "majority": "Always the most common tier"}


class ActionForm(FlaskForm):
    """A button that changes something: CSRF only."""


@bp.get("/")
@allow(*MODEL_ROLES)
def index():
    """The active model: metrics against baselines, calibration, what predicts, history."""
    return render_version(active_version())


@bp.get("/versions/<int:number>")
@allow(*MODEL_ROLES)
def version(number: int):
    """Any trained version's page."""
    return render_version(db.one_or_404(db.select(ModelVersion).where(ModelVersion.number == number)))


def render_version(shown: ModelVersion | None):
    """The model page for ``shown`` (None before the first training)."""
    versions = db.session.scalars(db.select(ModelVersion).order_by(ModelVersion.number.desc())).all()
    interviewer_ids = [row["interviewer_id"] for row in (shown.report["interviewer_validity"] if shown else [])]
    interviewers = dict(db.session.execute(db.select(User.id, User.name).where(User.id.in_(interviewer_ids))).all())
    return render_template(
        "fit/index.html",
        shown=shown,
        active=next((v for v in versions if v.active), None),
        problem=ranker_problem(shown) if shown else None,
        versions=versions,
        job=running_job(),
        interviewers=interviewers,
        trait_validity=strongest_first(shown.report["trait_validity"]) if shown else [],
        rule=current_rule(),
        shown_rule=Rule(**shown.rule) if shown else None,
        metrics=METRICS,
        baselines=BASELINES,
        form=ActionForm(),
    )


def strongest_first(rows: list[dict]) -> list[dict]:
    """Validity rows by the strength of the correlation, either sign; "not enough data" last."""
    return sorted(rows, key=lambda row: abs(row["rho"]) if row["enough"] else -1.0, reverse=True)


@bp.post("/train")
@allow(*MODEL_ROLES)
def train():
    """Start training a new version in the background and show its progress."""
    if not ActionForm().validate_on_submit():
        abort(400)
    already = running_job()
    job = already or start_training(current_user)
    if already:
        flash("A training job is already running; here is its progress.", "info")
    return redirect(url_for("fit.job", job_id=job.id))


@bp.get("/jobs/<int:job_id>")
@allow(*MODEL_ROLES)
def job(job_id: int):
    """A training job's progress; the page refreshes itself until the job ends."""
    running_job()  # marks a job whose process died as failed
    return render_template("fit/job.html", job=db.get_or_404(TrainingJob, job_id), JobStatus=JobStatus)


@bp.post("/versions/<int:number>/activate")
@allow(Role.ADMIN)
def activate_version(number: int):
    """Make an earlier (or later) version the active one and re-score the pool with it."""
    if not ActionForm().validate_on_submit():
        abort(400)
    chosen = db.one_or_404(db.select(ModelVersion).where(ModelVersion.number == number))
    problem = ranker_problem(chosen)
    if problem:
        flash(f"{problem} It was not activated.", "danger")
        return redirect(url_for("fit.version", number=number))
    scored = activate(chosen, current_user)
    db.session.commit()
    flash(f"Model version {number} is now active; {scored} candidates were scored with it.", "success")
    return redirect(url_for("fit.index"))
