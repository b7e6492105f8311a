"""The merge form: which record survives, where each field's value comes from, and both records' versions."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError
from wtforms.widgets import HiddenInput

from hiring.forms import CONFLICT_MESSAGE
from hiring.merge_fields import BOTH, MERGE_FIELDS, OTHER, SURVIVOR, default_choice
from models import Candidate


def older_of(a: Candidate, b: Candidate) -> Candidate:
    """Return the record that entered the pool first; it survives unless the user picks the other."""
    return min(a, b, key=lambda candidate: (candidate.created_at, candidate.id))


class MergeForm(FlaskForm):
    """Merge ``other`` and ``candidate``; the ``take_<field>`` radios hold the id of the record to take from.

    Choices name records by id rather than by role, so switching the survivor
    does not silently swap every value the user picked.
    """

    survivor = RadioField("Keep this record", validators=[InputRequired()])
    candidate_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    other_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])

    def __init__(self, *args, candidate: Candidate, other: Candidate, **kwargs):
        self.candidate, self.other = candidate, other
        self.conflict = False
        survivor = older_of(candidate, other)
        merged = other if survivor is candidate else candidate
        data = {
            "survivor": str(survivor.id),
            "candidate_version": candidate.version,
            "other_version": other.version,
        }
        for field in MERGE_FIELDS:
            choice = default_choice(field, survivor, merged)
            data[f"take_{field.key}"] = {SURVIVOR: str(survivor.id), OTHER: str(merged.id)}.get(choice, choice)
        super().__init__(*args, data=data, **kwargs)
        records = [SelectChoice(str(c.id), f"#{c.id} {c.name}") for c in (candidate, other)]
        self.survivor.choices = records
        for field in MERGE_FIELDS:
            extra = [SelectChoice(BOTH, "Keep both")] if field.key == "notes" else []
            self[f"take_{field.key}"].choices = [*records, *extra]

    def take_current_versions(self) -> None:
        """Carry both records' current versions, so that merging again is a deliberate choice."""
        for field, record in ((self.candidate_version, self.candidate), (self.other_version, self.other)):
            field.data = record.version
            field.raw_data = [str(record.version)]  # what the hidden input renders

    def _check_version(self, field, record: Candidate) -> None:
        if field.data != record.version:
            already_reported = self.conflict
            self.conflict = True
            self.take_current_versions()
            if not already_reported:  # one message, even when both records changed
                raise ValidationError(CONFLICT_MESSAGE)

    def validate_candidate_version(self, field) -> None:
        """Refuse to merge when the first record changed since the screen was loaded."""
        self._check_version(field, self.candidate)

    def validate_other_version(self, field) -> None:
        """Refuse to merge when the second record changed since the screen was loaded."""
        self._check_version(field, self.other)

    def survivor_and_merged(self) -> tuple[Candidate, Candidate]:
        """Return (the record to keep, the record to merge into it and delete)."""
        if self.survivor.data == str(self.other.id):
            return self.other, self.candidate
        return self.candidate, self.other

    def choices(self) -> dict[str, str]:
        """Return where each field's value comes from, as SURVIVOR, OTHER or BOTH."""
        survivor, _ = self.survivor_and_merged()
        result = {}
        for field in MERGE_FIELDS:
            value = self[f"take_{field.key}"].data
            result[field.key] = BOTH if value == BOTH else SURVIVOR if value == str(survivor.id) else OTHER
        return result


# One radio per merge field, named take_<key>; added after the class body so the
# list of fields is written once, in hiring/merge_fields.py.
for _field in MERGE_FIELDS:
    setattr(MergeForm, f"take_{_field.key}", RadioField(_field.label))
del _field
