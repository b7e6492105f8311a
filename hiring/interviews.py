"""Interview plans, "my interviews", and filling scorecards independently."""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from hiring import scorecards as service
from hiring.access import allow, signed_in
from hiring.calibration import calibration as compute_calibration
from hiring.candidates import POOL_ROLES, render_detail
from hiring.editing import commit_edit
from hiring.interview_forms import CancelForm, planning_form, scorecard_form_class
from hiring.ranking import rank_candidates
from models import Candidate, Interview, InterviewStatus, Role, Scorecard, ScorecardRevision, ScorecardStatus, db

bp = Blueprint("interviews", __name__, url_prefix="/interviews")


@bp.post("/plan/<int:candidate_id>")
@allow(*POOL_ROLES)
def plan(candidate_id: int):
    """Schedule an interview for a candidate, with one or more interviewers."""
    candidate = db.get_or_404(Candidate, candidate_id)
    form = planning_form(candidate)
    if form.validate_on_submit():
        interview = service.plan_interview(candidate, form, current_user)
        if interview is None:
            flash("This interview is already planned (same type and time); nothing was added.", "info")
        else:
            db.session.commit()
            flash(f"{interview.kind.label} planned with {len(interview.scorecards)} interviewer(s).", "success")
        return redirect(url_for("candidates.detail", candidate_id=candidate.id) + "#interviews")
    return render_detail(candidate, 400, interview_form=form)


@bp.post("/<int:interview_id>/cancel")
@allow(*POOL_ROLES)
def cancel(interview_id: int):
    """Cancel a planned interview."""
    interview = db.get_or_404(Interview, interview_id)
    if CancelForm().validate_on_submit() and interview.status == InterviewStatus.SCHEDULED:
        service.cancel_interview(interview)
        db.session.commit()
        flash("Interview cancelled. Submitted scorecards are kept.", "success")
    return redirect(url_for("candidates.detail", candidate_id=interview.candidate_id) + "#interviews")


@bp.get("/mine")
@signed_in
def mine():
    """The signed-in user's interviews: overdue and upcoming drafts first, then submitted ones."""
    show = request.args.get("show", "open")
    query = (
        db.select(Scorecard)
        .join(Interview)
        .where(Scorecard.interviewer_id == current_user.id)
        .options(joinedload(Scorecard.interview).joinedload(Interview.candidate))
    )
    if show == "open":
        query = query.where(
            Scorecard.status == ScorecardStatus.DRAFT, Interview.status == InterviewStatus.SCHEDULED
        ).order_by(Interview.scheduled_at, Scorecard.id)
    elif show == "submitted":
        query = query.where(Scorecard.status == ScorecardStatus.SUBMITTED).order_by(
            Scorecard.submitted_at.desc(), Scorecard.id.desc()
        )
    else:
        show = "all"
        query = query.order_by(Interview.scheduled_at.desc(), Scorecard.id.desc())
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("interviews/mine.html", page=page, show=show, now=datetime.now(UTC))


def own_scorecard_or_403(scorecard_id: int) -> Scorecard:
    """Return the scorecard if it belongs to the signed-in user; anyone else gets 403."""
    scorecard = db.get_or_404(Scorecard, scorecard_id)
    if scorecard.interviewer_id != current_user.id:
        abort(403)
    return scorecard


@bp.route("/scorecards/<int:scorecard_id>", methods=["GET", "POST"])
@signed_in
def scorecard(scorecard_id: int):
    """Fill, save, submit or revise one's own scorecard; others' appear only after one's own is submitted."""
    card = own_scorecard_or_403(scorecard_id)
    template = service.template_with_traits(card.template_id)  # the form and the page share its items
    form_class = scorecard_form_class(template)
    form = form_class(record=card, data=initial_data(card) if request.method == "GET" else None)
    if request.method == "POST":
        if card.interview.status == InterviewStatus.CANCELLED and not card.submitted:
            flash("This interview was cancelled, so the scorecard cannot be saved. Your input is below.", "danger")
        elif card.submitted and form.action.data == "submit":  # a second tab, or a second click
            already_submitted(form)
        elif form.validate_on_submit():
            if form.action.data == "submit" and not service.claim_submission(card):  # another tab won the race
                db.session.rollback()
                already_submitted(form)
            else:
                outcome = service.save_scorecard(card, form, current_user)
                if commit_edit(form):
                    if outcome != "saved":  # new or revised evidence: the candidate's fit changes
                        rank_candidates([card.candidate_id])
                        db.session.commit()
                    flash(OUTCOME_MESSAGES[outcome], "success")
                    return redirect(url_for("interviews.scorecard", scorecard_id=card.id))
    # After the POST: a race lost to another tab may have submitted the card meanwhile.
    editing = card.submitted and (request.method == "POST" or request.args.get("edit") == "1")
    # Interviewers see colleagues' scorecards only once this interview's own card is in.
    own_turn_done = card.submitted or current_user.role != Role.INTERVIEWER
    submitted = service.visible_scorecards(card.candidate_id, current_user) if own_turn_done else []
    revisions = db.session.scalars(
        db.select(ScorecardRevision).where(ScorecardRevision.scorecard_id == card.id).order_by(ScorecardRevision.id)
    ).all()
    return render_template(
        "interviews/scorecard.html",
        card=card,
        items=template.items,
        form=form,
        editing=editing,
        locked=card.submitted and not editing,
        others=service.combined_view(submitted) if submitted else None,
        revisions=revisions,
    )


@bp.get("/calibration")
@allow(*POOL_ROLES)
def calibration():
    """How each interviewer rates compared with colleagues who interviewed the same candidates."""
    traits, rows = compute_calibration()
    return render_template("interviews/calibration.html", traits=traits, rows=rows)


def already_submitted(form) -> None:
    """Tell the user the scorecard was submitted meanwhile; keep their input for a deliberate revision."""
    flash(ALREADY_SUBMITTED, "warning")
    form.take_current_version()


ALREADY_SUBMITTED = (
    "This scorecard was submitted already (from another tab or window), so nothing was changed. "
    "Your input is kept below: to change the submitted scorecard, say why and save the change."
)

OUTCOME_MESSAGES = {
    "saved": "Draft saved. Submit it when you are done; until then only you can see it.",
    "submitted": "Scorecard submitted. You can now see the other interviewers' scorecards for this candidate.",
    "revised": "Change saved as a new revision; the previous version is kept.",
}


def initial_data(card: Scorecard) -> dict:
    """The form's values from the saved scorecard."""
    data = {"version": card.version, "recommendation": card.recommendation.value if card.recommendation else None}
    for rating in card.ratings:
        data[f"rating_{rating.trait_id}"] = str(rating.score) if rating.score else ""
        data[f"note_{rating.trait_id}"] = rating.note
    for number, prompt in enumerate(card.template.prompts):
        data[f"answer_{number}"] = card.answers.get(prompt, "")
    return data
