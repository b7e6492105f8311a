"""The talent pool pages: the list, a candidate's page, adding and editing, status, touches, bulk actions."""

from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager
from wtforms.fields.choices import SelectChoice

from hiring import pool_actions, scorecards
from hiring.access import allow
from hiring.audit import record
from hiring.candidate_forms import (
    DUPLICATE_EXTERNAL_ID,
    BulkForm,
    CandidateForm,
    NewCandidateForm,
    NextTouchForm,
    PoolFilterForm,
    SavedViewForm,
    StatusForm,
    TouchForm,
)
from hiring.duplicates import duplicates_of, find_duplicates
from hiring.editing import commit_edit
from hiring.export import csv_response
from hiring.interview_forms import CancelForm, planning_form
from hiring.json_resume import export_view
from hiring.pool import pool_page, pool_query
from hiring.ranking import active_version, fit_panel, scores_of
from hiring.reps import hire_of
from hiring.timeline import timeline_page
from models import Application, Candidate, Opening, OpeningStatus, PoolStatus, Role, SavedView, TouchKind, User, db

bp = Blueprint("candidates", __name__, url_prefix="/candidates")
POOL_ROLES = (Role.MANAGER, Role.ADMIN)


def owner_choices() -> list[SelectChoice]:
    """Active managers and admins, who can own candidates and openings."""
    users = db.session.scalars(
        db.select(User).where(User.active.is_(True), User.role.in_(POOL_ROLES)).order_by(User.name)
    )
    return [SelectChoice(str(user.id), user.name) for user in users]


def owner_filter_choices(blank: str) -> list[SelectChoice]:
    """Owner choices for filters and bulk changes: a blank, "Nobody", then the users."""
    return [SelectChoice("", blank), SelectChoice("none", "Nobody"), *owner_choices()]


def opening_choices(blank: str, active_only: bool = False) -> list[SelectChoice]:
    """Openings to filter by or add candidates to."""
    query = db.select(Opening).order_by(Opening.title)
    if active_only:
        query = query.where(Opening.status.in_([s for s in OpeningStatus if s.active]))
    return [SelectChoice("", blank), *(SelectChoice(str(o.id), o.title) for o in db.session.scalars(query))]


def bulk_form(**kwargs) -> BulkForm:
    """The bulk-action form with its owner and opening choices."""
    form = BulkForm(**kwargs)
    form.owner.choices = owner_filter_choices("Choose an owner")
    form.opening.choices = opening_choices("Choose an opening", active_only=True)
    return form


def filter_form() -> PoolFilterForm:
    """The pool filter form read from the query string, with its choices."""
    form = PoolFilterForm(request.args)
    form.owner.choices = owner_filter_choices("Any owner")
    form.opening.choices = opening_choices("Any opening")
    return form


@bp.get("/")
@allow(*POOL_ROLES)
def index():
    """List the pool: search, filter, sort, page; select candidates for bulk actions."""
    form = filter_form()
    page = None
    if form.validate():
        page = pool_page(form.filters(), per_page=current_app.config["PAGE_SIZE"])
    views = db.session.scalars(
        db.select(SavedView).where(SavedView.user_id == current_user.id).order_by(SavedView.name)
    ).all()
    query_string = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "page" and v])
    return render_template(
        "candidates/index.html",
        form=form,
        page=page,
        fits=scores_of([candidate.id for candidate in page.items]) if page else {},
        fit_version=active_version(),
        bulk=bulk_form(),
        views=views,
        save_view=SavedViewForm(query=query_string),
        query_string=query_string,
        today=date.today(),
    )


@bp.get("/export.csv")
@allow(*POOL_ROLES)
def export():
    """Download the filtered list as CSV (streamed, safe to open in a spreadsheet)."""
    form = filter_form()
    if not form.validate():
        flash("The filters are not valid, so nothing was exported. Check them below.", "danger")
        return redirect(url_for("candidates.index", **request.args))
    record("candidates.exported", details={"filters": sorted(form.filters())})
    db.session.commit()
    return csv_response(pool_query(form.filters()), "candidates.csv")


@bp.route("/new", methods=["GET", "POST"])
@allow(*POOL_ROLES)
def create():
    """Add a candidate; likely duplicates are shown before saving."""
    form = NewCandidateForm()
    form.owner_id.choices = [SelectChoice("", "Nobody"), *owner_choices()]
    if request.method == "GET":
        form.owner_id.data = current_user.id
    matches = []
    if form.validate_on_submit():
        matches = find_duplicates(
            name=form.name.data, emails=[form.email.data, form.alt_email.data], phone=form.phone.data,
            linkedin_url=form.linkedin_url.data, company=form.company.data,
        )  # fmt: skip
        if not matches or form.confirm_duplicate.data == "yes":
            candidate = pool_actions.create_candidate(form, current_user)
            try:
                db.session.commit()
            except IntegrityError:  # the same external id saved by someone else a moment ago
                db.session.rollback()
                flash(DUPLICATE_EXTERNAL_ID, "danger")
            else:
                flash(f"Added {candidate.name} to the pool.", "success")
                return redirect(url_for("candidates.detail", candidate_id=candidate.id))
        form.confirm_duplicate.data = "yes"
    return render_template("candidates/new.html", form=form, matches=matches)


@bp.get("/<int:candidate_id>")
@allow(*POOL_ROLES)
def detail(candidate_id: int):
    """A candidate's record, status, openings, timeline, and one-click touches."""
    return render_detail(db.get_or_404(Candidate, candidate_id))


def render_detail(candidate: Candidate, status: int = 200, **forms):
    """Render a candidate's page; ``forms`` replace the blank action forms (to show errors and keep input)."""
    applications = db.session.scalars(
        db.select(Application)
        .join(Opening)
        .options(contains_eager(Application.opening))
        .where(Application.candidate_id == candidate.id)
        .order_by(Opening.title)
    ).all()
    forms.setdefault("status_form", StatusForm(formdata=None, status=candidate.status.value))
    forms.setdefault("touch_form", TouchForm(formdata=None))
    forms.setdefault("next_touch_form", NextTouchForm(formdata=None, next_touch_on=candidate.next_touch_on))
    forms.setdefault("add_form", bulk_form(formdata=None, ids=[candidate.id], action="opening"))
    forms.setdefault("interview_form", planning_form(candidate, formdata=None))
    submitted = scorecards.visible_scorecards(candidate.id, current_user)
    hire = hire_of(candidate.id)
    page = render_template(
        "candidates/detail.html",
        candidate=candidate,
        timeline=timeline_page(candidate.id, request.args.get("timeline", 1, type=int)),
        applications=applications,
        duplicates=duplicates_of(candidate),
        interviews=scorecards.interviews_of(candidate.id),
        combined=scorecards.combined_view(submitted) if submitted else None,
        revisions=scorecards.revisions_of(candidate.id),
        cancel_form=CancelForm(),
        **fit_panel(candidate.id, hired=hire is not None),
        hire=hire,
        **forms,
    )
    return page, status


@bp.get("/<int:candidate_id>/resume.json")
@allow(*POOL_ROLES)
def json_resume(candidate_id: int):
    """Download the candidate as a JSON Resume document (audited)."""
    return export_view(candidate_id)


@bp.route("/<int:candidate_id>/edit", methods=["GET", "POST"])
@allow(*POOL_ROLES)
def edit(candidate_id: int):
    """Edit a candidate's record; a colleague's save in between is detected, and the input kept."""
    candidate = db.get_or_404(Candidate, candidate_id)
    form = CandidateForm(record=candidate)
    form.owner_id.choices = [SelectChoice("", "Nobody"), *owner_choices()]
    if request.method == "GET":
        form.tags.data = ", ".join(candidate.tag_names)
    if form.validate_on_submit():
        changed = pool_actions.fill_record(candidate, form)
        record("candidate.updated", candidate, details={"fields": changed})
        if commit_edit(form, integrity_message=DUPLICATE_EXTERNAL_ID):
            flash(f"Saved {candidate.name}.", "success")
            return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    return render_template("candidates/edit.html", form=form, candidate=candidate)


@bp.post("/<int:candidate_id>/status")
@allow(*POOL_ROLES)
def change_status(candidate_id: int):
    """Change the pool status, with a reason when declining or rejecting."""
    candidate = db.get_or_404(Candidate, candidate_id)
    form = StatusForm()
    if form.validate_on_submit():
        if pool_actions.change_status(candidate, PoolStatus(form.status.data), form.reason.data, current_user):
            db.session.commit()
            flash(f"{candidate.name} is now {candidate.status.label.lower()}.", "success")
        return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    return render_detail(candidate, 400, status_form=form)


@bp.post("/<int:candidate_id>/touches")
@allow(*POOL_ROLES)
def log_touch(candidate_id: int):
    """Log a call, e-mail, meeting or note (one click from the candidate's page)."""
    candidate = db.get_or_404(Candidate, candidate_id)
    form = TouchForm()
    if form.validate_on_submit():
        kind = TouchKind(form.kind.data)
        if pool_actions.repeated_touch(candidate, kind, form.summary.data, current_user):
            flash(f"That {kind.label.lower()} was logged a moment ago; it is not logged twice.", "info")
        else:
            pool_actions.log_touch(candidate, kind, form.summary.data, current_user, form.next_touch_on.data)
            db.session.commit()
            flash(f"{kind.label} logged.", "success")
        return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    return render_detail(candidate, 400, touch_form=form)


@bp.post("/<int:candidate_id>/next-touch")
@allow(*POOL_ROLES)
def set_next_touch(candidate_id: int):
    """Set or clear the next-touch date."""
    candidate = db.get_or_404(Candidate, candidate_id)
    form = NextTouchForm()
    if form.validate_on_submit():
        pool_actions.set_next_touch(candidate, form.next_touch_on.data)
        db.session.commit()
        flash("Next touch saved." if form.next_touch_on.data else "Next touch cleared.", "success")
        return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    return render_detail(candidate, 400, next_touch_form=form)


@bp.post("/bulk")
@allow(*POOL_ROLES)
def bulk():
    """Apply an action to the candidates ticked on the list."""
    form = bulk_form()
    back = request.form.get("back") or url_for("candidates.index")
    if not back.startswith("/candidates/"):
        back = url_for("candidates.index")
    if form.validate_on_submit():
        changed = pool_actions.bulk_apply(form, current_user)
        db.session.commit()
        flash(f"Done: {changed} of {len(set(form.ids.data))} selected candidates changed.", "success")
    else:
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "danger")
    return redirect(back)


@bp.post("/views")
@allow(*POOL_ROLES)
def save_view():
    """Save the current list query under a name, for this user."""
    form = SavedViewForm()
    if form.validate_on_submit():
        view = db.session.scalar(
            db.select(SavedView).where(SavedView.user_id == current_user.id, SavedView.name == form.name.data)
        ) or SavedView(user_id=current_user.id, name=form.name.data)
        view.query = form.query.data or ""
        db.session.add(view)
        db.session.commit()
        flash(f"Saved the view “{view.name}”.", "success")
    else:
        flash("Give the view a name of at most 80 characters.", "danger")
    return redirect(url_for("candidates.index") + ("?" + form.query.data if form.query.data else ""))


@bp.post("/views/<int:view_id>/delete")
@allow(*POOL_ROLES)
def delete_view(view_id: int):
    """Delete one of the user's saved views."""
    view = db.one_or_404(db.select(SavedView).where(SavedView.id == view_id, SavedView.user_id == current_user.id))
    db.session.delete(view)
    db.session.commit()
    flash(f"Deleted the view “{view.name}”.", "success")
    return redirect(url_for("candidates.index"))
