"""Forms of the rep pages: recording a hire, its details, monthly results, tier overrides, the list and the rule."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from hiring.candidate_forms import enum_choices
from hiring.forms import NumberRange, VersionedForm, strip
from hiring.rep_values import check_left_on, check_not_future, check_period, parse_amount, parse_period
from models import Hire, Profile, Segment, Tier


def checked(check, *args, **kwargs):
    """Run a hiring.rep_values check; turn its ValueError into the field's error."""
    try:
        return check(*args, **kwargs)
    except ValueError as error:
        raise ValidationError(str(error)) from None


class HireFields(FlaskForm):
    """What is known about a hire when it is recorded."""

    hire_fields = ("hired_on", "role", "territory", "segment")
    hired_on = DateField("Hired on", validators=[InputRequired(message="Give the date of the hire.")])
    role = StringField("Role", validators=[Optional(), Length(max=120)], filters=[strip])
    territory = StringField("Territory", validators=[Optional(), Length(max=120)], filters=[strip])
    segment = SelectField("Segment", choices=enum_choices(Segment, "Not set"), default="", validators=[Optional()])

    def validate_hired_on(self, field) -> None:
        """A hire that has happened: results are counted from its month."""
        if field.data:
            checked(check_not_future, field.data)

    def fill(self, hire: Hire) -> list[str]:
        """Copy the form onto ``hire``; return the names of the fields that changed."""
        changed = []
        for name in self.hire_fields:
            value = getattr(self, name).data
            if name == "segment":
                value = Segment(value) if value else None
            elif name in ("role", "territory"):
                value = value or ""
            if getattr(hire, name) != value:
                setattr(hire, name, value)
                changed.append(name)
        return changed


class RecordHireForm(HireFields):
    """Record that a candidate was hired: they become a rep. The reason is kept with the hiring decision."""

    reason = StringField(
        "Why hire (optional)",
        validators=[Optional(), Length(max=500)],
        filters=[strip],
        description="Kept with the decision record, beside the fit the model predicted.",
    )


class HireForm(VersionedForm, HireFields):
    """Edit a rep's hire details; a colleague's save in between is a conflict."""

    left_on = DateField(
        "Left on", validators=[Optional()], description="Leave blank while the rep is with the company."
    )
    hire_fields = ("hired_on", "left_on", "role", "territory", "segment")

    def validate_left_on(self, field) -> None:
        """Not in the future, and not before the hire."""
        if field.data:
            checked(check_not_future, field.data)
            checked(check_left_on, self.hired_on.data, field.data)


class PeriodForm(FlaskForm):
    """Enter one month's quota and bookings by hand; an existing month is replaced."""

    period = StringField(
        "Month",
        validators=[InputRequired(message="Give the month, as YYYY-MM.")],
        filters=[strip],
        description="YYYY-MM, for example 2025-03.",
        render_kw={"placeholder": "YYYY-MM", "maxlength": 7},
    )
    quota = StringField(
        "Quota",
        validators=[InputRequired(message="Give the quota.")],
        filters=[strip],
        render_kw={"inputmode": "decimal"},
    )
    booked = StringField(
        "Booked",
        validators=[InputRequired(message="Give the amount booked (0 if nothing).")],
        filters=[strip],
        render_kw={"inputmode": "decimal"},
    )

    def __init__(self, *args, hire: Hire, **kwargs):
        super().__init__(*args, **kwargs)
        self.hire = hire

    def validate_period(self, field) -> None:
        """A real month, within the rep's time with the company, not in the future."""
        period = checked(parse_period, field.data)
        checked(check_period, period, self.hire.hired_on, self.hire.left_on)

    def validate_quota(self, field) -> None:
        """More than 0, at most 2 decimals."""
        checked(parse_amount, field.data, "quota", positive=True)

    def validate_booked(self, field) -> None:
        """0 or more, at most 2 decimals."""
        checked(parse_amount, field.data, "booked")

    def values(self) -> tuple[str, Decimal, Decimal]:
        """Return the validated (period, quota, booked)."""
        return (
            parse_period(self.period.data),
            parse_amount(self.quota.data, "quota", positive=True),
            parse_amount(self.booked.data, "booked"),
        )


TIER_CHOICES = [SelectChoice(tier.value, tier.label) for tier in Tier]


class OverrideForm(FlaskForm):
    """Set a rep's tier over the rule's, with the reason; or clear the override."""

    tier = SelectField(
        "Tier", choices=[SelectChoice("", "The rule's tier (no override)"), *TIER_CHOICES], validators=[Optional()]
    )
    reason = TextAreaField(
        "Reason", validators=[Length(max=500)], filters=[strip], render_kw={"rows": 2, "maxlength": 500}
    )

    def validate_reason(self, field) -> None:
        """An override needs a reason: it is kept and shown beside the tier."""
        if self.tier.data and not field.data:
            raise ValidationError("Give the reason for the override. It is shown beside the tier.")


class ActionForm(FlaskForm):
    """A button that changes something (deleting a month): CSRF only."""


TOO_EARLY = "early"
REP_SORTS = (
    "name", "hired_on", "role", "territory", "months_observed", "at_quota", "on_target", "trajectory", "tier",
    "profile",
)  # fmt: skip


class RepFilterForm(FlaskForm):
    """Search, filter and sort the rep list (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField("Name", validators=[Optional(), Length(max=200)], filters=[strip])
    tier = SelectField(
        "Tier",
        choices=[SelectChoice("", "Any tier"), *TIER_CHOICES, SelectChoice(TOO_EARLY, "Too early to tell")],
        default="",
        validators=[Optional()],
    )
    profile = SelectField("Profile", choices=enum_choices(Profile, "Any profile"), default="", validators=[Optional()])
    overridden = SelectField(
        "Override",
        choices=[SelectChoice("", "Any"), SelectChoice("yes", "Overridden"), SelectChoice("no", "Not overridden")],
        default="",
        validators=[Optional()],
    )
    sort = SelectField(
        "Sort",
        choices=[
            SelectChoice(f"{prefix}{key}", f"{key.replace('_', ' ').capitalize()} {arrow}")
            for key in REP_SORTS
            for prefix, arrow in (("", "↑"), ("-", "↓"))
        ],
        default="name",
        validators=[Optional()],
    )

    def filters(self) -> dict:
        """Return the filter values, without empty ones."""
        return {name: field.data for name, field in self._fields.items() if field.data}


def months_field(label: str, low: int, high: int, description: str) -> IntegerField:
    """A whole number of months between ``low`` and ``high``."""
    return IntegerField(
        label,
        validators=[
            InputRequired(message="Give a whole number."),
            NumberRange(min=low, max=high, message=f"Give a whole number from {low} to {high}."),
        ],
        description=description,
    )


class TierRuleForm(VersionedForm):
    """Edit the written A/B/C rule; a colleague's save in between is a conflict."""

    ramp_months = months_field(
        "Ramp months", 0, 24, "Months after the hire (the hire month included) that do not count against the rep."
    )
    min_observed_months = months_field(
        "Months needed for a tier", 1, 60, "With fewer months after ramp, the tier is “too early to tell”."
    )
    quota_months_hit = months_field("Quota hit in at least", 1, 12, "Months at or above quota …")
    quota_months_of = months_field("Out of every", 1, 12, "… out of this many observed months; fewer gives C.")
    a_attainment_pct = IntegerField(
        "A-player mean attainment (%)",
        validators=[
            InputRequired(message="Give a whole number."),
            NumberRange(min=50, max=300, message="Give a whole number from 50 to 300."),
        ],
        description="Reps who meet the quota rule with at least this mean attainment are A-players.",
    )

    def validate_quota_months_hit(self, field) -> None:
        """“X of every Y” needs X <= Y."""
        of = self.quota_months_of.data
        if field.data is not None and isinstance(of, int) and field.data > of:
            raise ValidationError(f"Cannot be more than the months it is out of ({of}).")
