"""Openings: roles to fill, their candidates and the kanban board of stages."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from hiring.access import allow
from hiring.audit import record
from hiring.candidates import POOL_ROLES, owner_choices
from hiring.decision_records import record_decision, stage_decision
from hiring.editing import commit_edit
from hiring.opening_forms import MoveForm, NewOpeningForm, OpeningFilterForm, OpeningForm, stage_lines
from hiring.pool_actions import change_status
from hiring.ranking import active_version
from models import (
    DEFAULT_STAGES,
    Application,
    Candidate,
    CandidateScore,
    DecisionKind,
    Opening,
    PoolStatus,
    StageMove,
    db,
    utcnow,
)

bp = Blueprint("openings", __name__, url_prefix="/openings")
SORTS = {
    "status": (Opening.status, Opening.title, Opening.id),
    "title": (Opening.title, Opening.id),
    "-created": (Opening.created_at.desc(), Opening.id.desc()),
}
FIELDS = ("title", "territory", "segment", "headcount", "status", "hiring_manager_id")


def fill_opening(opening: Opening, form) -> list[str]:
    """Copy the form onto the opening; return the names of the fields that changed."""
    changed = []
    for name in FIELDS:
        value = getattr(form, name).data or None  # empty choices and texts are stored as NULL
        if getattr(opening, name) != value:
            setattr(opening, name, value)
            changed.append(name)
    stages = stage_lines(form.stages.data)
    if stages != opening.stages:
        opening.stages = stages
        changed.append("stages")
    return changed


def manager_choices() -> list[SelectChoice]:
    """Managers and admins who can be an opening's hiring manager."""
    return [SelectChoice("", "Nobody yet"), *owner_choices()]


@bp.get("/")
@allow(*POOL_ROLES)
def index():
    """List openings with their candidate counts: filter by status, search title or territory, page."""
    form = OpeningFilterForm(request.args)
    query = db.select(Opening).options(joinedload(Opening.hiring_manager))
    if form.validate():
        query = query.order_by(*SORTS[form.sort.data or "status"])
        if form.status.data:
            query = query.where(Opening.status == form.status.data)
        if form.q.data:
            term = form.q.data.strip()
            query = query.where(
                Opening.title.icontains(term, autoescape=True) | Opening.territory.icontains(term, autoescape=True)
            )
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    counts = dict(
        db.session.execute(
            db.select(Application.opening_id, func.count())
            .where(Application.opening_id.in_([opening.id for opening in page.items]))
            .group_by(Application.opening_id)
        ).all()
    )
    return render_template("openings/index.html", form=form, page=page, counts=counts)


@bp.route("/new", methods=["GET", "POST"])
@allow(*POOL_ROLES)
def create():
    """Open a new role (candidates can be added from the pool afterwards)."""
    form = NewOpeningForm()
    form.hiring_manager_id.choices = manager_choices()
    if request.method == "GET":
        form.stages.data = "\n".join(DEFAULT_STAGES)
        form.hiring_manager_id.data = current_user.id
    if form.validate_on_submit():
        opening = Opening()
        fill_opening(opening, form)
        db.session.add(opening)
        record("opening.created", opening)
        db.session.commit()
        flash(f"Created the opening {opening.title}.", "success")
        return redirect(url_for("openings.board", opening_id=opening.id))
    return render_template("openings/form.html", form=form, opening=None)


@bp.route("/<int:opening_id>/edit", methods=["GET", "POST"])
@allow(*POOL_ROLES)
def edit(opening_id: int):
    """Edit an opening: its details, status and stages. Closing it keeps every candidate in the pool."""
    opening = db.get_or_404(Opening, opening_id)
    form = OpeningForm(record=opening)
    form.hiring_manager_id.choices = manager_choices()
    if request.method == "GET":
        form.stages.data = "\n".join(opening.stages)
    if form.validate_on_submit():
        changed = fill_opening(opening, form)
        record("opening.updated", opening, details={"fields": changed})
        if commit_edit(form):
            flash(f"Saved {opening.title}.", "success")
            return redirect(url_for("openings.board", opening_id=opening.id))
    return render_template("openings/form.html", form=form, opening=opening)


@bp.get("/<int:opening_id>")
@allow(*POOL_ROLES)
def board(opening_id: int):
    """The opening's board: a column per stage, a card per candidate (latest move or best fit first)."""
    return render_board(db.get_or_404(Opening, opening_id))


def render_board(opening: Opening, status: int = 200, failed: tuple[int, MoveForm] | None = None):
    """Render the board; ``failed`` is (application id, its move form) to show that card's errors and input."""
    by_fit = request.args.get("sort") == "fit"
    rows = db.session.execute(
        db.select(Application, Candidate, CandidateScore)
        .join(Candidate, Application.candidate_id == Candidate.id)
        .outerjoin(CandidateScore, CandidateScore.candidate_id == Candidate.id)
        .where(Application.opening_id == opening.id)
        .order_by(
            *([CandidateScore.score.desc().nulls_last()] if by_fit else []),
            Application.moved_at.desc(),
        )
    ).all()
    columns = {stage: [] for stage in opening.stages}
    for application, candidate, fit in rows:
        columns.setdefault(application.stage, []).append((application, candidate, fit))
    move_form = MoveForm(formdata=None)
    move_form.stage.choices = [SelectChoice(stage, stage.capitalize()) for stage in opening.stages]
    page = render_template(
        "openings/board.html",
        opening=opening,
        columns=columns,
        move_form=move_form,
        failed_id=failed[0] if failed else None,
        failed_form=failed[1] if failed else None,
        total=len(rows),
        by_fit=by_fit,
        fit_version=active_version(),
    )
    return page, status


def record_move(application: Application, to_stage: str, reason: str) -> None:
    """Move an application to a stage, with its history, audit entry and the person's decision (if it is one)."""
    opening, from_stage = application.opening, application.stage
    db.session.add(
        StageMove(application_id=application.id, from_stage=from_stage, to_stage=to_stage, moved_by_id=current_user.id)
    )
    record("application.moved", application, details={"from": from_stage, "to": to_stage})
    kind = stage_decision(opening.stages, from_stage, to_stage)
    if kind is not None:
        record_decision(
            application.candidate, kind, current_user, reason, opening=opening, from_state=from_stage, to_state=to_stage
        )
    application.stage, application.moved_at = to_stage, utcnow()
    if kind == DecisionKind.HIRE:
        status_reason = f"Hired for {opening.title}" + (f": {reason}" if reason else "")
        change_status(application.candidate, PoolStatus.HIRED, status_reason[:500], current_user, decided=True)


def move_problem(form: MoveForm) -> str:
    """Say in one sentence why a move form was refused."""
    if form.stage.errors:
        return "Choose one of the opening's stages."
    if form.reason.errors:
        return form.reason.errors[0]
    return "The form expired: reload the board and try again."


@bp.post("/applications/<int:application_id>/move")
@allow(*POOL_ROLES)
def move(application_id: int):
    """Move a candidate to another stage of the opening; reaching "hired" marks them hired in the pool.

    Rejecting needs a reason; without one nothing moves and the board comes back with the input kept.
    """
    application = db.get_or_404(Application, application_id)
    opening = application.opening
    form = MoveForm()
    form.stage.choices = [SelectChoice(stage) for stage in opening.stages]
    if not form.validate_on_submit():
        problem = move_problem(form)
        flash(f"{application.candidate.name} was not moved. {problem}", "danger")
        return render_board(opening, 400, failed=(application.id, form))
    if form.stage.data != application.stage:
        record_move(application, form.stage.data, form.reason.data)
        db.session.commit()
        flash(f"Moved {application.candidate.name} to {application.stage}.", "success")
    return redirect(url_for("openings.board", opening_id=opening.id) + f"#stage-{application.stage}")


@bp.post("/applications/<int:application_id>/remove")
@allow(*POOL_ROLES)
def remove(application_id: int):
    """Stop considering a candidate for this opening; they stay in the pool."""
    application = db.get_or_404(Application, application_id)
    opening_id, name = application.opening_id, application.candidate.name
    record("application.removed", application, details={"opening_id": opening_id})
    db.session.delete(application)
    db.session.commit()
    flash(f"{name} is no longer considered for this opening (still in the pool).", "success")
    return redirect(url_for("openings.board", opening_id=opening_id))
