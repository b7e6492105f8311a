"""Voluntary self-identification (EEO data): kept apart from the candidate record, read only by admins and audits."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import UTCDateTime, db, utcnow
from models.candidate import LabelledEnum, str_enum


class Sex(LabelledEnum):
    """Sex as self-identified (EEO-1 categories, with non-binary as EEO-1 allows since 2022)."""

    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    NOT_SAID = "not_said"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return {"female": "Female", "male": "Male", "non_binary": "Non-binary", "not_said": "Prefer not to say"}[
            self.value
        ]


class RaceEthnicity(LabelledEnum):
    """Race/ethnicity as self-identified: the EEO-1 categories, or none."""

    HISPANIC_LATINO = "hispanic_latino"
    WHITE = "white"
    BLACK = "black"
    NATIVE_HAWAIIAN_PACIFIC = "native_hawaiian"
    ASIAN = "asian"
    AMERICAN_INDIAN_ALASKA = "american_indian"
    TWO_OR_MORE = "two_or_more"
    NOT_SAID = "not_said"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return {
            "hispanic_latino": "Hispanic or Latino",
            "white": "White",
            "black": "Black or African American",
            "native_hawaiian": "Native Hawaiian or Other Pacific Islander",
            "asian": "Asian",
            "american_indian": "American Indian or Alaska Native",
            "two_or_more": "Two or More Races",
            "not_said": "Prefer not to say",
        }[self.value]


class VeteranStatus(LabelledEnum):
    """Protected veteran status (VEVRAA), optional."""

    PROTECTED = "protected"
    NOT_PROTECTED = "not_protected"
    NOT_SAID = "not_said"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return {
            "protected": "Protected veteran",
            "not_protected": "Not a protected veteran",
            "not_said": "Prefer not to say",
        }[self.value]


class DisabilityStatus(LabelledEnum):
    """Disability status (Form CC-305 answers), optional."""

    YES = "yes"
    NO = "no"
    NOT_SAID = "not_said"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return {"yes": "Has a disability", "no": "No disability", "not_said": "Prefer not to say"}[self.value]


class SelfIdentification(db.Model):
    """One candidate's voluntary answers. Never a model feature, never on a candidate page or export."""

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), primary_key=True)
    sex: Mapped[Sex] = mapped_column(str_enum(Sex, "eeo_sex"), default=Sex.NOT_SAID)
    race_ethnicity: Mapped[RaceEthnicity] = mapped_column(
        str_enum(RaceEthnicity, "eeo_race_ethnicity"), default=RaceEthnicity.NOT_SAID
    )
    veteran: Mapped[VeteranStatus | None] = mapped_column(str_enum(VeteranStatus, "eeo_veteran"))
    disability: Mapped[DisabilityStatus | None] = mapped_column(str_enum(DisabilityStatus, "eeo_disability"))
    source: Mapped[str] = mapped_column(String(20), default="form")  # form or import
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
