"""Hired reps: recording a hire, the rep list, a rep's page with monthly results, and tier overrides.

Rep performance is for managers and admins; interviewers never see it.
"""

from dataclasses import dataclass
from decimal import Decimal

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Float, Select, case, cast, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from hiring import pool_actions
from hiring.access import allow
from hiring.audit import record
from hiring.editing import commit_edit
from hiring.ranking import rank_candidates
from hiring.rep_forms import TOO_EARLY, ActionForm, HireForm, OverrideForm, PeriodForm, RecordHireForm, RepFilterForm
from hiring.rep_tiers import assess_hire, current_rule, refresh_tiers, write_unversioned
from hiring.rep_values import parse_period
from models import Candidate, Hire, PeriodResult, PoolStatus, Profile, Role, Tier, db, utcnow
from scoring.tiers import MIN_MONTHS_FOR_TRAJECTORY, Assessment, MonthView, Rule

bp = Blueprint("reps", __name__, url_prefix="/reps")
REP_ROLES = (Role.MANAGER, Role.ADMIN)

EFFECTIVE_TIER = func.coalesce(Hire.tier_override, Hire.tier)
PROFILE_ORDER = case({profile: rank for rank, profile in enumerate(Profile)}, value=Hire.profile)
QUOTA_SHARE = case((Hire.months_observed > 0, cast(Hire.months_at_quota, Float) / Hire.months_observed))
SORT_COLUMNS = {
    "name": Candidate.name,
    "hired_on": Hire.hired_on,
    "role": Hire.role,
    "territory": Hire.territory,
    "months_observed": Hire.months_observed,
    "at_quota": QUOTA_SHARE,
    "on_target": Hire.on_target_pct,
    "trajectory": Hire.trajectory_pct,
    "tier": EFFECTIVE_TIER,
    "profile": PROFILE_ORDER,
}
PROFILE_MEANING = {
    Profile.DEVELOPING: "Below target and bookings not growing yet: coach the basics.",
    Profile.EMERGING: "Below target, but bookings are growing: the coaching is working.",
    Profile.STABILIZING: "On target with steady bookings: look for the next step up.",
    Profile.EXCELLING: "On target and still growing.",
}
NO_PROFILE = f"No profile yet: it needs {MIN_MONTHS_FOR_TRAJECTORY} observed months with bookings."


@bp.app_template_global()
def record_hire_form() -> RecordHireForm:
    """A blank record-hire form, for the rep panel on a candidate's page."""
    return RecordHireForm(formdata=None)


def hire_of(candidate_id: int) -> Hire | None:
    """Return the candidate's hire, or None: what the rep panel of a candidate's page needs."""
    return db.session.scalar(db.select(Hire).where(Hire.candidate_id == candidate_id))


def rep_query(filters: dict) -> Select:
    """Return the SELECT of hires (with their candidate) for validated filter values, sorted."""
    query = db.select(Hire).join(Hire.candidate).options(contains_eager(Hire.candidate))
    if filters.get("q"):
        query = query.where(Candidate.name.icontains(filters["q"], autoescape=True))
    if filters.get("tier") == TOO_EARLY:
        query = query.where(Hire.tier.is_(None), Hire.tier_override.is_(None))
    elif filters.get("tier"):
        query = query.where(EFFECTIVE_TIER == Tier(filters["tier"]))
    if filters.get("profile"):
        query = query.where(Hire.profile == Profile(filters["profile"]))
    if filters.get("overridden") == "yes":
        query = query.where(Hire.tier_override.is_not(None))
    elif filters.get("overridden") == "no":
        query = query.where(Hire.tier_override.is_(None))
    sort = filters.get("sort") or "name"
    descending = sort.startswith("-")
    column = SORT_COLUMNS.get(sort.lstrip("-"), Candidate.name)
    order = column.desc().nulls_last() if descending else column.asc().nulls_last()
    return query.order_by(order, Hire.id.desc() if descending else Hire.id)


@bp.get("/")
@allow(*REP_ROLES)
def index():
    """List hired reps with their tier and the numbers behind it: filter, sort, page."""
    form = RepFilterForm(request.args)
    page = None
    if form.validate():
        page = db.paginate(rep_query(form.filters()), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("reps/index.html", form=form, page=page, rule=current_rule())


@bp.route("/hire/<int:candidate_id>", methods=["GET", "POST"])
@allow(*REP_ROLES)
def record_hire(candidate_id: int):
    """Record that a candidate was hired: they become a rep, and their pool status becomes hired."""
    candidate = db.get_or_404(Candidate, candidate_id)
    existing = hire_of(candidate.id)
    if existing is not None:
        flash(f"{candidate.name} is already a rep.", "info")
        return redirect(url_for("reps.detail", hire_id=existing.id))
    form = RecordHireForm()
    if form.validate_on_submit():
        hire = Hire(candidate_id=candidate.id)
        form.fill(hire)
        db.session.add(hire)
        try:
            record("hire.created", hire, details={"candidate_id": candidate.id})  # flushes: a double submit fails here
        except IntegrityError:
            db.session.rollback()
            flash(f"A hire of {candidate.name} was recorded a moment ago.", "info")
            return redirect(url_for("candidates.detail", candidate_id=candidate_id))
        # Records the hiring decision with the fit score the manager saw, before rank_candidates removes it.
        # (A candidate already hired on an opening's board has that decision recorded: no second one.)
        pool_actions.change_status(candidate, PoolStatus.HIRED, form.reason.data or "Hire recorded", current_user)
        refresh_tiers([hire])
        rank_candidates([candidate.id])  # a rep is judged by results now, not by a predicted fit
        db.session.commit()
        flash(f"Recorded the hire of {candidate.name}. Enter their monthly results as they come in.", "success")
        return redirect(url_for("reps.detail", hire_id=hire.id))
    status = 400 if request.method == "POST" else 200
    return render_template("reps/record.html", form=form, candidate=candidate), status


@dataclass(frozen=True)
class MonthRow:
    """One stored month on the rep's page, with how the rule counted it (None: outside the rep's time)."""

    period: str
    quota: Decimal
    booked: Decimal
    view: MonthView | None

    @property
    def attainment_pct(self) -> float:
        """Booked / quota, in %."""
        return round(100 * float(self.booked) / float(self.quota), 1)


def month_rows(hire: Hire, assessment: Assessment) -> list[MonthRow]:
    """Every stored month of the rep, newest first, with the rule's view of it."""
    counted = {month.period: month for month in assessment.months}
    rows = [MonthRow(r.period, r.quota, r.booked, counted.get(r.period)) for r in hire.results]
    return sorted(rows, key=lambda row: row.period, reverse=True)


def tier_reason(assessment: Assessment, rule: Rule) -> str:
    """Say in one sentence why the rule gives the tier it gives."""
    quota = f"quota hit in {assessment.months_at_quota} of {assessment.months_observed} observed months"
    share = f"{rule.quota_months_hit} of every {rule.quota_months_of}"
    if assessment.too_early:
        return f"The rule waits for {rule.min_observed_months} observed months after the ramp."
    if assessment.tier == Tier.C:
        return f"C: {quota}, fewer than {share}."
    mean = f"mean attainment {assessment.on_target_pct:.1f} %"
    if assessment.tier == Tier.A:
        return f"A: {quota} (at least {share}) and {mean}, at least {rule.a_attainment_pct} %."
    return f"B: {quota} (at least {share}), but {mean}, under the {rule.a_attainment_pct} % of an A-player."


def render_rep(hire: Hire, status: int = 200, **forms):
    """Render a rep's page; ``forms`` replace the blank forms (to show errors and keep input)."""
    rule = current_rule()
    assessment = assess_hire(hire, rule)
    forms.setdefault("hire_form", HireForm(formdata=None, record=hire))
    forms.setdefault("period_form", PeriodForm(formdata=None, hire=hire))
    forms.setdefault(
        "override_form",
        OverrideForm(
            formdata=None, tier=hire.tier_override.value if hire.tier_override else "", reason=hire.override_reason
        ),
    )
    page = render_template(
        "reps/detail.html",
        hire=hire,
        candidate=hire.candidate,
        rule=rule,
        assessment=assessment,
        tier_reason=tier_reason(assessment, rule),
        months=month_rows(hire, assessment),
        profile_meaning=PROFILE_MEANING.get(hire.profile, NO_PROFILE),
        **forms,
    )
    return page, status


def tier_note(before: Tier | None, hire: Hire) -> str:
    """Say how the rule's tier moved, if it did."""
    if before == hire.tier:
        return ""
    name = hire.tier.label if hire.tier else "too early to tell"
    return f" By the rule, {hire.candidate.name} is now {name}."


@bp.route("/<int:hire_id>", methods=["GET", "POST"])
@allow(*REP_ROLES)
def detail(hire_id: int):
    """A rep's page: the tier with the numbers behind it, the months, and the hire's details (editable)."""
    hire = db.get_or_404(Hire, hire_id)
    if request.method == "GET":
        return render_rep(hire)
    form = HireForm(record=hire)
    if form.validate_on_submit():
        before = hire.tier
        changed = form.fill(hire)
        if changed:
            record("hire.updated", hire, details={"fields": changed})
        # Without autoflush, the edit is written by commit_edit, whose version check reports a colleague's save.
        with db.session.no_autoflush:
            refresh_tiers([hire])
        if commit_edit(form):
            flash(f"Saved the hire details of {hire.candidate.name}.{tier_note(before, hire)}", "success")
            return redirect(url_for("reps.detail", hire_id=hire.id))
    return render_rep(hire, 400 if not form.conflict else 200, hire_form=form)


def store_month(hire: Hire, period: str, quota: Decimal, booked: Decimal) -> str:
    """Add a month's results, or replace the month entered before, with its audit entry; return what happened."""
    result = db.session.scalar(
        db.select(PeriodResult).where(PeriodResult.hire_id == hire.id, PeriodResult.period == period)
    )
    replaced = result is not None
    if replaced:
        message = f"Replaced {period}: it was quota {result.quota:,.2f} and booked {result.booked:,.2f}."
        result.quota, result.booked, result.entered_by_id = quota, booked, current_user.id
    else:
        message = f"Saved {period}."
        db.session.add(
            PeriodResult(hire_id=hire.id, period=period, quota=quota, booked=booked, entered_by_id=current_user.id)
        )
    record("hire.result_saved", hire, details={"period": period, "replaced": replaced})
    return message


@bp.post("/<int:hire_id>/results")
@allow(*REP_ROLES)
def save_result(hire_id: int):
    """Enter one month's quota and bookings; a month entered before is replaced."""
    hire = db.get_or_404(Hire, hire_id)
    form = PeriodForm(hire=hire)
    if not form.validate_on_submit():
        flash("The month was not saved: see the problems in “Enter a month” below. Your input is kept.", "danger")
        return render_rep(hire, 400, period_form=form)
    period, quota, booked = form.values()
    message = store_month(hire, period, quota, booked)
    before = hire.tier
    try:
        refresh_tiers([hire])  # flushes the month first: a colleague's entry of the same month fails here
    except IntegrityError:
        db.session.rollback()
        flash(f"Someone entered {period} a moment ago. Enter it again to replace theirs.", "warning")
        return redirect(url_for("reps.detail", hire_id=hire_id))
    db.session.commit()
    flash(message + tier_note(before, hire), "success")
    return redirect(url_for("reps.detail", hire_id=hire.id))


@bp.post("/<int:hire_id>/results/<period>/delete")
@allow(*REP_ROLES)
def delete_result(hire_id: int, period: str):
    """Delete one month's results."""
    hire = db.get_or_404(Hire, hire_id)
    if not ActionForm().validate_on_submit():
        return render_rep(hire, 400)
    try:
        period = parse_period(period)
    except ValueError:
        period = ""
    result = db.one_or_404(
        db.select(PeriodResult).where(PeriodResult.hire_id == hire.id, PeriodResult.period == period)
    )
    db.session.delete(result)
    record("hire.result_deleted", hire, details={"period": period})
    before = hire.tier
    refresh_tiers([hire])
    db.session.commit()
    flash(f"Deleted {period}.{tier_note(before, hire)}", "success")
    return redirect(url_for("reps.detail", hire_id=hire.id))


@bp.post("/<int:hire_id>/override")
@allow(*REP_ROLES)
def override(hire_id: int):
    """Set a tier over the rule's, with a reason, or clear the override."""
    hire = db.get_or_404(Hire, hire_id)
    form = OverrideForm()
    if not form.validate_on_submit():
        flash("The tier was not overridden: see the problems in the override form below.", "danger")
        return render_rep(hire, 400, override_form=form)
    old = hire.tier_override
    new = Tier(form.tier.data) if form.tier.data else None
    if old is None and new is None:
        flash("There is no override to clear.", "info")
        return redirect(url_for("reps.detail", hire_id=hire.id))
    # Like the derived tier, the override is not part of the details form: it does not bump the version.
    values = {
        "tier_override": new,
        "override_reason": form.reason.data if new else "",
        "override_by_id": current_user.id if new else None,
        "overridden_at": utcnow() if new else None,
    }
    write_unversioned([(hire, values)])
    details = {"from": old.value if old else None, "to": new.value if new else None}
    details["rule_tier"] = hire.tier.value if hire.tier else None
    record("hire.tier_overridden" if new else "hire.override_cleared", hire, details=details)
    db.session.commit()
    if new:
        flash(f"{hire.candidate.name} is now {new.label} by your override.", "success")
    else:
        flash(f"Cleared the override: {hire.candidate.name} has the rule's tier again.", "success")
    return redirect(url_for("reps.detail", hire_id=hire.id))
