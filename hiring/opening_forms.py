"""Forms for openings and their boards."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from hiring.candidate_forms import enum_choices
from hiring.decision_records import REJECTED_STAGE
from hiring.forms import NumberRange, VersionedForm, strip
from models import Application, OpeningStatus, Segment, db

MAX_STAGES = 15


def stage_lines(text: str | list[str] | None) -> list[str]:
    """Split the stages text box into stage names, one per line, blank lines dropped.

    A form posted without the box keeps the opening's saved stages, which arrive as a list.
    """
    lines = text if isinstance(text, list) else (text or "").splitlines()
    return [line.strip().lower() for line in lines if line.strip()]


class OpeningFields(FlaskForm):
    """The fields of an opening. Hiring manager choices are set by the view."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)], filters=[strip])
    territory = StringField("Territory", validators=[Optional(), Length(max=120)], filters=[strip])
    segment = SelectField("Segment", choices=enum_choices(Segment, "Any"), default="", validators=[Optional()])
    headcount = IntegerField("Headcount", default=1, validators=[InputRequired(), NumberRange(min=1, max=500)])
    status = SelectField("Status", choices=enum_choices(OpeningStatus), default=OpeningStatus.DRAFT.value)
    hiring_manager_id = SelectField("Hiring manager", coerce=lambda v: int(v) if v else None, validators=[Optional()])
    stages = TextAreaField(
        "Stages",
        validators=[DataRequired()],
        description="One stage per line, in order; candidates start at the first.",
    )

    def validate_stages(self, field) -> None:
        """Stages are unique, short, at most MAX_STAGES, and none in use may be removed."""
        stages = stage_lines(field.data)
        if len(set(stages)) != len(stages):
            raise ValidationError("Each stage may appear only once.")
        if len(stages) > MAX_STAGES:
            raise ValidationError(f"Use at most {MAX_STAGES} stages.")
        if any(len(stage) > 60 for stage in stages):
            raise ValidationError("A stage name may have at most 60 characters.")
        record = getattr(self, "record", None)
        if record is not None:
            in_use = set(db.session.scalars(db.select(Application.stage).where(Application.opening_id == record.id)))
            missing = sorted(in_use - set(stages))
            if missing:
                raise ValidationError(f"Candidates are still at {', '.join(missing)}; move them before removing it.")


class NewOpeningForm(OpeningFields):
    """Open a new role."""


class OpeningForm(VersionedForm, OpeningFields):
    """Edit an opening."""


class MoveForm(FlaskForm):
    """Move a candidate on an opening's board. Stage choices are the opening's stages."""

    stage = SelectField("Move to", validators=[DataRequired()])
    reason = StringField("Reason", validators=[Optional(), Length(max=500)], filters=[strip])

    def validate(self, extra_validators=None) -> bool:
        """Validate the fields; a rejection also needs the reason a person gave (it is kept with the decision)."""
        # Not a validate_reason method: Optional() stops the chain before it when the reason is blank.
        valid = super().validate(extra_validators)
        if valid and self.stage.data == REJECTED_STAGE and not self.reason.data:
            self.reason.errors.append("Give a reason for rejecting: it is kept with the decision.")
            valid = False
        return valid


class OpeningFilterForm(FlaskForm):
    """Filter the openings list (GET, no CSRF)."""

    class Meta:
        csrf = False

    status = SelectField(
        "Status", choices=enum_choices(OpeningStatus, "Any status"), default="", validators=[Optional()]
    )
    q = StringField("Title or territory", validators=[Optional(), Length(max=100)])
    sort = SelectField(
        "Sort",
        choices=[SelectChoice("status", "Status"), SelectChoice("title", "Title"), SelectChoice("-created", "Newest")],
        default="status",
        validators=[Optional()],
    )
