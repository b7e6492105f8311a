"""Forms of the privacy pages: the consents list, renewing a consent, and confirming an erasure."""

from datetime import date

from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from hiring.candidate_forms import enum_choices
from hiring.forms import strip
from models import ConsentMethod

ERASE_WORD = "ERASE"
CONSENT_SHOW_CHOICES = [
    SelectChoice("expiring", "Expiring soon: ask again"),
    SelectChoice("expired", "Expired: to be anonymised"),
]
CONSENT_SORT_CHOICES = [
    SelectChoice("expiry", "Expiry, soonest first"),
    SelectChoice("-expiry", "Expiry, latest first"),
    SelectChoice("name", "Name A–Z"),
    SelectChoice("-name", "Name Z–A"),
    SelectChoice("owner", "Owner A–Z"),
    SelectChoice("-owner", "Owner Z–A"),
]


class ConsentFilterForm(FlaskForm):
    """Which consents to list, whose, and in what order (GET, no CSRF). Owner choices are set by the view."""

    class Meta:
        csrf = False

    show = SelectField("Show", choices=CONSENT_SHOW_CHOICES, default="expiring", validators=[Optional()])
    owner = SelectField("Owner", default="", validators=[Optional()], filters=[strip])
    sort = SelectField("Sort", choices=CONSENT_SORT_CHOICES, default="expiry", validators=[Optional()])


class RenewConsentForm(FlaskForm):
    """A candidate said yes again: when, and how we know."""

    given_on = DateField("Consent given on", default=date.today, validators=[InputRequired("Give the date.")])
    method = SelectField(
        "Obtained by",
        choices=enum_choices(ConsentMethod, "Choose how"),
        default="",
        validators=[DataRequired("Say how consent was obtained.")],
    )

    def validate_given_on(self, field) -> None:
        """Consent is given today or earlier, and recently enough to still be valid."""
        if field.data is None:
            return
        today = date.today()
        if field.data > today:
            raise ValidationError("Consent cannot be given in the future.")
        if field.data + relativedelta(months=int(current_app.config["CONSENT_MONTHS"])) < today:
            raise ValidationError("Consent given on that date would already have expired.")


class EraseForm(FlaskForm):
    """Type the word to confirm an erasure: it cannot be undone."""

    confirm = StringField(
        f"Type {ERASE_WORD} to confirm",
        validators=[DataRequired(f"Type {ERASE_WORD} to confirm."), Length(max=20)],
        filters=[strip],
    )

    def validate_confirm(self, field) -> None:
        """Only the exact word confirms."""
        if field.data != ERASE_WORD:
            raise ValidationError(f"Type {ERASE_WORD} in capitals to confirm; nothing was erased.")
