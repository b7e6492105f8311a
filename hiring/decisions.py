"""Human decision records, the decisions that went against the model, and a candidate's explanation."""

from datetime import UTC, datetime, time

from flask import Blueprint, current_app, render_template, request
from flask_wtf import FlaskForm
from sqlalchemy import Select
from sqlalchemy.orm import contains_eager, joinedload
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from hiring.access import allow
from hiring.audit import record
from hiring.candidate_forms import enum_choices
from hiring.candidates import POOL_ROLES, opening_choices
from hiring.explanation import explanation
from models import Candidate, Decision, DecisionKind, User, db, utcnow

bp = Blueprint("decisions", __name__)
AGAINST, ALL = "against", "all"
SORTS = {
    "newest": (Decision.decided_at.desc(), Decision.id.desc()),
    "oldest": (Decision.decided_at, Decision.id),
    "candidate": (Candidate.name, Candidate.id, Decision.decided_at.desc(), Decision.id.desc()),
}


class DecisionFilterForm(FlaskForm):
    """Filter and sort the decisions list (GET, no CSRF). Who-decided choices are set by the view."""

    class Meta:
        csrf = False

    show = SelectField(
        "Show",
        choices=[SelectChoice(AGAINST, "Against the model"), SelectChoice(ALL, "All decisions")],
        default=AGAINST,
        validators=[Optional()],
    )
    kind = SelectField(
        "Decision", choices=enum_choices(DecisionKind, "Any decision"), default="", validators=[Optional()]
    )
    decided_by = SelectField("Decided by", validators=[Optional()])
    opening = SelectField("Opening", validators=[Optional()])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
    sort = SelectField(
        "Order",
        choices=[
            SelectChoice("newest", "Newest first"),
            SelectChoice("oldest", "Oldest first"),
            SelectChoice("candidate", "By candidate"),
        ],
        default="newest",
        validators=[Optional()],
    )

    def validate_until(self, field) -> None:
        """The range must not end before it starts."""
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date is before the start date.")


def decision_query(form: DecisionFilterForm) -> Select:
    """Return the SELECT of decisions (with candidate, decider and opening) matching a validated filter form."""
    query = (
        db.select(Decision)
        .join(Decision.candidate)
        .options(contains_eager(Decision.candidate), joinedload(Decision.decided_by), joinedload(Decision.opening))
    )
    if form.show.data != ALL:
        query = query.where(Decision.against_model.is_(True))
    if form.kind.data:
        query = query.where(Decision.kind == DecisionKind(form.kind.data))
    if form.decided_by.data:
        query = query.where(Decision.decided_by_id == int(form.decided_by.data))
    if form.opening.data:
        query = query.where(Decision.opening_id == int(form.opening.data))
    if form.since.data:
        query = query.where(Decision.decided_at >= datetime.combine(form.since.data, time.min, UTC))
    if form.until.data:
        query = query.where(Decision.decided_at <= datetime.combine(form.until.data, time.max, UTC))
    return query.order_by(*SORTS.get(form.sort.data, SORTS["newest"]))


def decider_choices() -> list[SelectChoice]:
    """The people who have recorded a decision, by name."""
    users = db.session.scalars(
        db.select(User).where(User.id.in_(db.select(Decision.decided_by_id).distinct())).order_by(User.name, User.id)
    )
    return [SelectChoice("", "Anyone"), *(SelectChoice(str(user.id), user.name) for user in users)]


@bp.get("/decisions/")
@allow(*POOL_ROLES)
def index():
    """List people's decisions, by default those against the model's advice, for review: filter, sort, page."""
    form = DecisionFilterForm(request.args)
    form.decided_by.choices = decider_choices()
    form.opening.choices = opening_choices("Any opening")
    page = None
    if form.validate():
        page = db.paginate(decision_query(form), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("decisions/index.html", form=form, page=page), 200 if page is not None else 400


@bp.get("/candidates/<int:candidate_id>/explanation")
@allow(*POOL_ROLES)
def explain(candidate_id: int):
    """A printable explanation to hand to the candidate on request: what was assessed, the factors, who decided."""
    candidate = db.get_or_404(Candidate, candidate_id)
    record("candidate.explanation_viewed", candidate)
    db.session.commit()
    return render_template(
        "decisions/explanation.html",
        candidate=candidate,
        notice=current_app.config["AUTOMATED_ASSESSMENT_NOTICE"],
        now=utcnow(),
        **explanation(candidate),
    )
