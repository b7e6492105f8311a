"""The fields a merge lets the user pick from either record, and how each is shown and compared."""

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from models import Candidate, User

# Which record a field's value comes from. "both" exists for notes only.
SURVIVOR, OTHER, BOTH = "survivor", "other", "both"


def show(value) -> str:
    """Return one stored value as text for the merge screen ("" for nothing)."""
    if value is None or value == "":
        return ""
    if isinstance(value, enum.Enum):
        return value.label
    if isinstance(value, User):
        return value.name
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:g}"
    return str(value)


def _attainment(pct, verified) -> str:
    if pct is None:
        return ""
    return f"{pct} %" + (" (verified)" if verified else " (not verified)")


def _source(source, referrer) -> str:
    if referrer:
        return f"{show(source) or 'Unknown'}, referred by {referrer}"
    return show(source)


def _consent(given_on, method, expires_on) -> str:
    parts = []
    if given_on:
        parts.append(f"given {show(given_on)}")
    if method:
        parts.append(f"by {show(method)}")
    if expires_on:
        parts.append(f"expires {show(expires_on)}")
    return ", ".join(parts)


def _money(amount) -> str:
    return "" if amount is None else f"{amount:,}"


@dataclass(frozen=True)
class MergeField:
    """One row of the merge screen: a label and the attributes that travel together."""

    key: str
    label: str
    attributes: tuple[str, ...]
    describe: Callable[..., str] | None = None

    def values(self, candidate: Candidate) -> tuple:
        """Return the candidate's values of this row's attributes."""
        return tuple(getattr(candidate, name) for name in self.attributes)

    def is_empty(self, candidate: Candidate) -> bool:
        """Return True if the candidate has nothing recorded for this row."""
        return all(value is None or value == "" or value is False for value in self.values(candidate))

    def display(self, candidate: Candidate) -> str:
        """Return this row's value for the candidate as text."""
        if self.describe is not None:
            return self.describe(*self.values(candidate))
        return " ".join(filter(None, map(show, self.values(candidate))))

    def differs(self, a: Candidate, b: Candidate) -> bool:
        """Return True if the two candidates hold different values in this row."""
        return self.values(a) != self.values(b)


# Attributes grouped in one row belong together: a verified flag without its
# percentage, or a consent date without its method, would be meaningless.
MERGE_FIELDS = (
    MergeField("name", "Name", ("name",)),
    MergeField("email", "E-mail", ("email",)),
    MergeField("alt_email", "Other e-mail", ("alt_email",)),
    MergeField("phone", "Phone", ("phone",)),
    MergeField("location", "Location", ("location",)),
    MergeField("linkedin_url", "LinkedIn", ("linkedin_url",)),
    MergeField("company", "Company", ("company",)),
    MergeField("title", "Title", ("title",)),
    MergeField("segment", "Segment", ("segment",)),
    MergeField("typical_deal_size", "Typical deal size", ("typical_deal_size",), _money),
    MergeField("sales_cycle_days", "Sales cycle (days)", ("sales_cycle_days",)),
    MergeField("quota_years", "Years carrying a quota", ("quota_years",)),
    MergeField("past_attainment_pct", "Past attainment", ("past_attainment_pct", "attainment_verified"), _attainment),
    MergeField("source", "Source", ("source", "referrer"), _source),
    MergeField("owner", "Owner", ("owner",)),
    MergeField("notes", "Notes", ("notes",)),
    MergeField("external_id", "External id", ("external_id",)),
    MergeField("status", "Pool status", ("status",)),
    MergeField("next_touch_on", "Next touch", ("next_touch_on",)),
    MergeField("consent", "Consent", ("consent_on", "consent_method", "consent_expires_on"), _consent),
)
FIELDS_BY_KEY = {field.key: field for field in MERGE_FIELDS}


def default_choice(field: MergeField, survivor: Candidate, other: Candidate) -> str:
    """Return the pre-selected source of a field: the survivor's value, unless only the other record has one."""
    if field.key == "notes" and survivor.notes.strip() and other.notes.strip() and field.differs(survivor, other):
        return BOTH  # dropping one side's notes would lose what someone wrote down
    if field.is_empty(survivor) and not field.is_empty(other):
        return OTHER
    return SURVIVOR


def combined_notes(first: str, second: str) -> str:
    """Return two records' notes as one text, the survivor's first, without repeating identical text."""
    parts = [text.strip() for text in (first, second) if text and text.strip()]
    return "\n\n".join(dict.fromkeys(parts))
