"""Forms for planning interviews and filling scorecards."""

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from hiring.candidate_forms import enum_choices
from hiring.forms import VersionedForm, strip
from models import Application, Candidate, InterviewKind, Opening, Recommendation, ScorecardTemplate, User, db

NOT_ASSESSED = ""
RATING_CHOICES = [SelectChoice(NOT_ASSESSED, "Not assessed"), *(SelectChoice(str(p), str(p)) for p in range(1, 6))]


class InterviewForm(FlaskForm):
    """Schedule an interview. Interviewer, template and opening choices are set by the view."""

    kind = SelectField("Type", choices=enum_choices(InterviewKind), default=InterviewKind.BEHAVIOURAL.value)
    scheduled_at = DateTimeLocalField("When (UTC)", validators=[InputRequired()])
    interviewers = SelectMultipleField(
        "Interviewers", coerce=int, validators=[DataRequired(message="Choose at least one interviewer.")]
    )
    template_id = SelectField("Scorecard", coerce=int, validators=[InputRequired()])
    opening_id = SelectField("For opening", coerce=lambda v: int(v) if v else None, validators=[Optional()])


class CancelForm(FlaskForm):
    """Cancel an interview (CSRF only)."""


def scorecard_form_class(template: ScorecardTemplate) -> type[VersionedForm]:
    """Build the form of a template version: a rating and a note per trait, the prompts, the recommendation."""

    class ScorecardForm(VersionedForm):
        recommendation = RadioField(
            "Overall recommendation", choices=enum_choices(Recommendation), validators=[Optional()], filters=[strip]
        )
        reason = StringField("Why are you changing a submitted scorecard?", validators=[Length(max=500)],
                             filters=[strip])  # fmt: skip
        action = StringField()  # set by the "Save draft" and "Submit" buttons

        def validate(self, extra_validators=None) -> bool:
            """Drafts may be incomplete; a submit needs a recommendation, and a revision needs a reason."""
            valid = super().validate(extra_validators)
            if self.submitting and not self.recommendation.data:
                self.recommendation.errors.append("Choose an overall recommendation before submitting.")
                valid = False
            if self.record.submitted and not self.reason.data:
                self.reason.errors.append("Say why you are changing a submitted scorecard.")
                valid = False
            return valid

        @property
        def submitting(self) -> bool:
            return self.action.data == "submit" or self.record.submitted

    for item in template.items:
        setattr(
            ScorecardForm,
            f"rating_{item.trait_id}",
            RadioField(
                item.trait.name, choices=RATING_CHOICES, default=NOT_ASSESSED, validators=[Optional()], filters=[strip]
            ),
        )
        setattr(
            ScorecardForm, f"note_{item.trait_id}", TextAreaField("Note", validators=[Optional(), Length(max=2000)])
        )
    for number, prompt in enumerate(template.prompts):
        setattr(ScorecardForm, f"answer_{number}", TextAreaField(prompt, validators=[Optional(), Length(max=5000)]))
    return ScorecardForm


def planning_form(candidate: Candidate, **kwargs) -> InterviewForm:
    """The planning form with its choices: active users, current templates, the candidate's openings."""
    form = InterviewForm(**kwargs)
    users = db.session.scalars(db.select(User).where(User.active.is_(True)).order_by(User.name))
    form.interviewers.choices = [SelectChoice(u.id, f"{u.name} ({u.role.label.lower()})") for u in users]
    templates = db.session.scalars(
        db.select(ScorecardTemplate).where(ScorecardTemplate.is_current.is_(True)).order_by(ScorecardTemplate.name)
    )
    form.template_id.choices = [SelectChoice(t.id, f"{t.name} (v{t.version_number})") for t in templates]
    openings = db.session.scalars(
        db.select(Opening).join(Application).where(Application.candidate_id == candidate.id).order_by(Opening.title)
    )
    form.opening_id.choices = [SelectChoice("", "No opening"), *(SelectChoice(o.id, o.title) for o in openings)]
    return form
