"""The fit model pages: what the active model knows and how good it is, training, versions."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from hiring.access import allow
from hiring.audit import record
from hiring.fairness_data import model_flags
from hiring.model_card import BASELINES, METRICS, card_context
from hiring.ranking import active_version, ranker_problem
from hiring.rep_tiers import current_rule
from hiring.training import activate, claim_training, running_job
from models import AuditEntry, JobStatus, ModelVersion, Role, TrainingJob, User, db
from scoring.tiers import Rule

bp = Blueprint("fit", __name__, url_prefix="/model")
MODEL_ROLES = (Role.MANAGER, Role.ADMIN)


class ActionForm(FlaskForm):
    """A button that changes something: CSRF only."""


class AcknowledgeForm(FlaskForm):
    """Activating a version whose audit flags a group: the admin writes why it may go ahead."""

    acknowledgement = TextAreaField(
        "Why this version may be used despite the flags",
        validators=[
            InputRequired("Write why this version may be used although its audit flags a group."),
            Length(min=40, max=2000, message="Write at least %(min)d characters (at most %(max)d)."),
        ],
        description="Kept with the version, shown on its model card and written to the audit log. "
        "Say what you looked at (the groups, their sizes, the p-values) and why the flag does not stop its use.",
    )


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


def render_version(shown: ModelVersion | None, status: int = 200, acknowledge_form: AcknowledgeForm | None = None):
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
        acknowledge_form=acknowledge_form or AcknowledgeForm(),
        needs_acknowledgement=needs_acknowledgement(shown) if shown else False,
        model_flags=model_flags(shown.audit) if shown else [],
        blocked={v.number for v in versions if needs_acknowledgement(v)},
    ), status


def needs_acknowledgement(version: ModelVersion) -> bool:
    """True when the version's audit flags a group and no admin has acknowledged it yet."""
    return bool(model_flags(version.audit)) and not version.acknowledgement


def strongest_first(rows: list[dict]) -> list[dict]:
    """Validity rows by the strength of the correlation, either sign; "not enough data" last."""
    return sorted(rows, key=lambda row: abs(row["rho"]) if row["enough"] else -1.0, reverse=True)


@bp.post("/train")
@allow(*MODEL_ROLES)
def train():
    """Start training a new version in the background and show its progress."""
    if not ActionForm().validate_on_submit():
        abort(400)
    job, started = claim_training(current_user)
    if not started:  # a job was running already, or another request started one this instant
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
    """Make an earlier (or later) version the active one and re-score the pool with it.

    A version whose audit flags a group is activated only with the admin's written acknowledgement.
    """
    chosen = db.one_or_404(db.select(ModelVersion).where(ModelVersion.number == number))
    acknowledge_form = AcknowledgeForm()
    if needs_acknowledgement(chosen):
        if not acknowledge_form.validate_on_submit():
            return render_version(chosen, 400, acknowledge_form)
    elif not ActionForm().validate_on_submit():
        abort(400)
    problem = ranker_problem(chosen)
    if problem:
        flash(f"{problem} It was not activated.", "danger")
        return redirect(url_for("fit.version", number=number))
    try:
        scored = activate(chosen, current_user, acknowledge_form.acknowledgement.data)
        db.session.commit()
    except IntegrityError:  # a training job activated its own version this instant (one active version at most)
        db.session.rollback()
        flash("Another version was activated meanwhile; check the model page and try again.", "warning")
        return redirect(url_for("fit.version", number=number))
    flash(f"Model version {number} is now active; {scored} candidates were scored with it.", "success")
    return redirect(url_for("fit.index"))


@bp.get("/versions/<int:number>/card")
@allow(*MODEL_ROLES)
def card(number: int):
    """The version's model card: intended use, data, features, metrics, calibration, audit, caveats."""
    version = db.one_or_404(db.select(ModelVersion).where(ModelVersion.number == number))
    return render_template("fit/model_card.html", **card_context(version))


@bp.get("/versions/<int:number>/card.md")
@allow(*MODEL_ROLES)
def card_markdown(number: int):
    """The model card as a Markdown file, to file with the company's records."""
    version = db.one_or_404(db.select(ModelVersion).where(ModelVersion.number == number))
    text = render_template("fit/model_card.md", **card_context(version))
    record("model.card_exported", version, details={"number": number})
    db.session.commit()
    return Response(
        text,
        mimetype="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="bench-model-card-v{number}.md"'},
    )


@bp.get("/events")
@allow(Role.ADMIN)
def events():
    """The model's event log: every training, activation, acknowledgement, ranking run, audit and export."""
    page = db.paginate(
        db.select(AuditEntry)
        .where(AuditEntry.action.startswith("model.", autoescape=True))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template("fit/events.html", page=page)
