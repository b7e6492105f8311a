"""Forms of the talent pool: a candidate's record, status, touches, filters, bulk actions and saved views."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from hiring.forms import NumberRange, VersionedForm, strip
from hiring.pool import SORT_COLUMNS
from models import Candidate, ConsentMethod, PoolStatus, Segment, Source, Tier, TouchKind, db

DUPLICATE_EXTERNAL_ID = "Another candidate already has this external id."


def enum_choices(enum_class, blank: str | None = None) -> list[SelectChoice]:
    """Return select choices for an enum's members, optionally led by a blank choice."""
    choices = [SelectChoice(member.value, member.label) for member in enum_class]
    return [SelectChoice("", blank), *choices] if blank is not None else choices


def optional_email(label: str) -> EmailField:
    """An optional, validated e-mail field."""
    return EmailField(
        label, validators=[Optional(), Email(check_deliverability=False), Length(max=254)], filters=[strip]
    )


class CandidateFields(FlaskForm):
    """Every editable field of a candidate's record."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[strip])
    email = optional_email("E-mail")
    alt_email = optional_email("Second e-mail")
    phone = StringField("Phone", validators=[Optional(), Length(max=40)], filters=[strip])
    location = StringField("Location", validators=[Optional(), Length(max=120)], filters=[strip])
    linkedin_url = URLField("LinkedIn or web page", validators=[Optional(), Length(max=300)], filters=[strip])
    company = StringField("Current company", validators=[Optional(), Length(max=200)], filters=[strip])
    title = StringField("Current title", validators=[Optional(), Length(max=200)], filters=[strip])
    segment = SelectField(
        "Segment sold to", choices=enum_choices(Segment, "Unknown"), default="", validators=[Optional()]
    )
    typical_deal_size = IntegerField(
        "Typical deal size (USD)", validators=[Optional(), NumberRange(min=0, max=1_000_000_000)]
    )
    sales_cycle_days = IntegerField("Sales cycle (days)", validators=[Optional(), NumberRange(min=0, max=3650)])
    quota_years = DecimalField(
        "Years in quota-carrying roles", places=1, validators=[Optional(), NumberRange(min=0, max=60)]
    )
    past_attainment_pct = IntegerField(
        "Past quota attainment (%)", validators=[Optional(), NumberRange(min=0, max=1000)]
    )
    attainment_verified = BooleanField("Attainment verified (not only claimed)")
    source = SelectField("Source", choices=enum_choices(Source, "Unknown"), default="", validators=[Optional()])
    referrer = StringField("Referred by", validators=[Optional(), Length(max=200)], filters=[strip])
    owner_id = SelectField("Owner", coerce=lambda v: int(v) if v else None, validators=[Optional()])
    tags = StringField(
        "Tags", validators=[Optional(), Length(max=1000)], description="Separate tags with commas or semicolons."
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=20000)])
    external_id = StringField("External id", validators=[Optional(), Length(max=100)], filters=[strip])
    next_touch_on = DateField("Next touch", validators=[Optional()])
    consent_on = DateField("Consent given on", validators=[Optional()])
    consent_method = SelectField(
        "Consent obtained by",
        choices=enum_choices(ConsentMethod, "No consent recorded"),
        default="",
        validators=[Optional()],
    )
    consent_expires_on = DateField("Consent expires on", validators=[Optional()])

    def validate_external_id(self, field) -> None:
        """External ids (from another system) identify one candidate each."""
        if not field.data:
            return
        query = db.select(Candidate.id).where(Candidate.external_id == field.data)
        record = getattr(self, "record", None)
        if record is not None:
            query = query.where(Candidate.id != record.id)
        if db.session.scalar(query) is not None:
            raise ValidationError(DUPLICATE_EXTERNAL_ID)

    def validate(self, extra_validators=None) -> bool:
        """Validate the fields, then the rules that tie an empty field to another one."""
        valid = super().validate(extra_validators)
        if self.source.data == Source.REFERRAL and not self.referrer.data:
            self.referrer.errors.append("Say who referred this candidate.")
            valid = False
        if self.consent_on.data and not self.consent_method.data:
            self.consent_method.errors.append("Say how consent was obtained.")
            valid = False
        return valid

    def validate_consent_expires_on(self, field) -> None:
        """Consent ends after it starts."""
        if field.data and self.consent_on.data and field.data <= self.consent_on.data:
            raise ValidationError("The expiry date must be after the consent date.")


class NewCandidateForm(CandidateFields):
    """Add a candidate; ``confirm_duplicate`` is ticked after reviewing possible duplicates."""

    status = SelectField("Status", choices=enum_choices(PoolStatus), default=PoolStatus.PROSPECT.value)
    confirm_duplicate = HiddenField()


class CandidateForm(VersionedForm, CandidateFields):
    """Edit a candidate's record (status changes have their own form)."""


class StatusForm(FlaskForm):
    """Change a candidate's pool status, with a reason where one is required."""

    status = SelectField("New status", choices=enum_choices(PoolStatus), validators=[DataRequired()])
    reason = StringField("Why", validators=[Optional(), Length(max=500)], filters=[strip])

    def validate(self, extra_validators=None) -> bool:
        """Validate the fields; declines and rejections also need a reason."""
        valid = super().validate(extra_validators)
        if valid and PoolStatus(self.status.data).needs_reason and not self.reason.data:
            self.reason.errors.append("Give a reason for declining or rejecting.")
            valid = False
        return valid


class TouchForm(FlaskForm):
    """Log a call, e-mail, meeting or note; optionally set the next touch."""

    kind = SelectField("Kind", choices=enum_choices(TouchKind), default=TouchKind.CALL.value)
    summary = TextAreaField("What happened", validators=[Optional(), Length(max=2000)])
    next_touch_on = DateField("Then touch again on (optional)", validators=[Optional()])


class NextTouchForm(FlaskForm):
    """Set or clear the next-touch date."""

    # Its own id: the touch form on the same page has a next_touch_on field too.
    next_touch_on = DateField("Next touch", validators=[Optional()], id="next-touch-only")


TOUCH_FILTERS = [
    SelectChoice("", "Any"),
    SelectChoice("due", "Next touch due"),
    SelectChoice("cold", "Going cold"),
    SelectChoice("none", "No next touch"),
]
SORT_LABELS = {"fit": "Predicted fit", "p_a": "P(A)"}
SORT_CHOICES = [
    SelectChoice(f"{prefix}{key}", f"{SORT_LABELS.get(key) or key.replace('_', ' ').capitalize()} {arrow}")
    for key in SORT_COLUMNS
    for prefix, arrow in (("", "↑"), ("-", "↓"))
]


FIT_FILTERS = [
    SelectChoice("", "Any fit"),
    *(SelectChoice(tier.value, f"Predicted {tier.label}") for tier in Tier),
    SelectChoice("unscored", "Not scored"),
]


class PoolFilterForm(FlaskForm):
    """Search, filter and sort the pool list (GET, no CSRF). Owner, tag and opening choices are set by the view."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=200)])
    status = SelectField("Status", choices=enum_choices(PoolStatus, "Any status"), default="", validators=[Optional()])
    source = SelectField("Source", choices=enum_choices(Source, "Any source"), default="", validators=[Optional()])
    segment = SelectField("Segment", choices=enum_choices(Segment, "Any segment"), default="", validators=[Optional()])
    owner = SelectField("Owner", default="", validators=[Optional()], filters=[strip])
    tag = StringField("Tag", validators=[Optional(), Length(max=60)], filters=[strip])
    opening = SelectField("Opening", default="", validators=[Optional()], filters=[strip])
    stage = StringField("Stage", validators=[Optional(), Length(max=60)], filters=[strip])
    touch = SelectField("Keep warm", choices=TOUCH_FILTERS, default="", validators=[Optional()])
    fit = SelectField("Predicted fit", choices=FIT_FILTERS, default="", validators=[Optional()])
    sort = SelectField("Sort", choices=SORT_CHOICES, default="-updated", validators=[Optional()])

    def filters(self) -> dict:
        """Return the filter values for ``pool_query``, without empty ones."""
        return {name: field.data for name, field in self._fields.items() if field.data}


BULK_ACTIONS = [
    SelectChoice("tag", "Add tag"),
    SelectChoice("owner", "Change owner"),
    SelectChoice("next_touch", "Set next touch"),
    SelectChoice("opening", "Add to opening"),
]


class BulkForm(FlaskForm):
    """Apply one action to the candidates ticked on the list. Owner and opening choices are set by the view."""

    ids = SelectMultipleField("Candidates", coerce=int, validate_choice=False, validators=[DataRequired()])
    # Ids of their own: the pool's filter form on the same page has tag, owner and opening fields too,
    # and a label must point at its own field.
    action = SelectField("Action", choices=BULK_ACTIONS, validators=[DataRequired()], id="bulk-action")
    tag = StringField("Tag", validators=[Optional(), Length(max=60)], filters=[strip], id="bulk-tag")
    owner = SelectField("Owner", default="", validators=[Optional()], filters=[strip], id="bulk-owner")
    next_touch_on = DateField("Next touch", validators=[Optional()], id="bulk-next-touch")
    opening = SelectField("Opening", default="", validators=[Optional()], filters=[strip], id="bulk-opening")

    def validate_ids(self, field) -> None:
        """Bound the work of one request."""
        if len(field.data) > 500:
            raise ValidationError("Select at most 500 candidates at a time.")

    def validate_action(self, field) -> None:
        """Each action needs its value."""
        needed = {"tag": self.tag, "owner": self.owner, "next_touch": self.next_touch_on, "opening": self.opening}
        value_field = needed.get(field.data)
        if value_field is not None and not value_field.data:
            raise ValidationError(f"Choose the {value_field.label.text.lower()} to apply.")


class SavedViewForm(FlaskForm):
    """Save the current list query under a name."""

    name = StringField("Name of this view", validators=[DataRequired(), Length(max=80)], filters=[strip])
    query = HiddenField(validators=[Length(max=2000)])
