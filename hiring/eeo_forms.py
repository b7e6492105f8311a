"""Forms of the self-identification pages: a candidate's voluntary answers, and removing them."""

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired, Optional

from hiring.candidate_forms import enum_choices
from models import DisabilityStatus, RaceEthnicity, SelfIdentification, Sex, VeteranStatus

NOT_ASKED = "Not asked"


class SelfIdentificationForm(FlaskForm):
    """Sex and race/ethnicity (each may be "prefer not to say"), and optionally veteran and disability status."""

    sex = SelectField(
        "Sex", choices=enum_choices(Sex), default=Sex.NOT_SAID.value, validators=[InputRequired("Choose an answer.")]
    )
    race_ethnicity = SelectField(
        "Race/ethnicity",
        choices=enum_choices(RaceEthnicity),
        default=RaceEthnicity.NOT_SAID.value,
        validators=[InputRequired("Choose an answer.")],
    )
    veteran = SelectField(
        "Veteran status",
        choices=enum_choices(VeteranStatus, NOT_ASKED),
        default="",
        validators=[Optional()],
        description="Optional: ask only where the law asks employers to (US federal contractors).",
    )
    disability = SelectField(
        "Disability",
        choices=enum_choices(DisabilityStatus, NOT_ASKED),
        default="",
        validators=[Optional()],
        description="Optional, as above.",
    )

    def fill(self, answers: SelfIdentification | None) -> None:
        """Show the stored answers (on a GET; a POST keeps what was submitted)."""
        if answers is None:
            return
        self.sex.data = answers.sex.value
        self.race_ethnicity.data = answers.race_ethnicity.value
        self.veteran.data = answers.veteran.value if answers.veteran else ""
        self.disability.data = answers.disability.value if answers.disability else ""

    def values(self) -> dict:
        """Return the answers as SelfIdentification attribute values."""
        return {
            "sex": Sex(self.sex.data),
            "race_ethnicity": RaceEthnicity(self.race_ethnicity.data),
            "veteran": VeteranStatus(self.veteran.data) if self.veteran.data else None,
            "disability": DisabilityStatus(self.disability.data) if self.disability.data else None,
        }


class RemoveForm(FlaskForm):
    """The "remove answers" button: CSRF only."""
