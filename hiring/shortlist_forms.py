"""Forms of shortlists: the list's details and sharing, filters, adding candidates, comments and moves."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from hiring.forms import NumberRange, VersionedForm, strip
from models import Shortlist, db

MAX_COMMENT = 1000
MAX_ADD = 500
NAME_TAKEN = "Another shortlist already has this name. Names are unique across Bench, so pick another."


def optional_id(value):
    """Coerce a select's value to an id, or None for the blank choice."""
    if value in (None, "", "None"):
        return None
    return int(value)


class ShortlistFields(FlaskForm):
    """The details of a shortlist. Opening and manager choices are set by the view."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)], filters=[strip])
    description = TextAreaField(
        "Description", validators=[Optional(), Length(max=2000)], filters=[strip],
        description="What the list is for, e.g. the profile you are looking for.",
    )  # fmt: skip
    opening_id = SelectField("Opening", coerce=optional_id, validators=[Optional()])
    # Not named "shared_with": the form would read the record's User objects into it.
    share_ids = SelectMultipleField(
        "Share with", coerce=int, validators=[Optional()],
        description="They can add, remove, order and comment on entries; "
        "only the owner or an admin renames, shares or deletes.",
    )  # fmt: skip

    def validate_name(self, field) -> None:
        """Names are unique across Bench (``flask export shortlist NAME`` names one list), whatever the case."""
        query = db.select(Shortlist.id).where(db.func.lower(Shortlist.name) == field.data.lower())
        record = getattr(self, "record", None)
        if record is not None:
            query = query.where(Shortlist.id != record.id)
        if db.session.scalar(query) is not None:
            raise ValidationError(NAME_TAKEN)


class NewShortlistForm(ShortlistFields):
    """Start a shortlist."""


class ShortlistForm(VersionedForm, ShortlistFields):
    """Edit a shortlist; a colleague's save in between is detected."""


SHOW_CHOICES = [
    SelectChoice("", "All I can see"),
    SelectChoice("mine", "Mine"),
    SelectChoice("shared", "Shared with me"),
]
SORT_CHOICES = [
    SelectChoice("-updated", "Recently changed"),
    SelectChoice("name", "Name"),
    SelectChoice("-size", "Most entries"),
    SelectChoice("size", "Fewest entries"),
]


class ShortlistFilterForm(FlaskForm):
    """Search, filter and sort the shortlists (GET, no CSRF). Opening choices are set by the view."""

    class Meta:
        csrf = False

    q = StringField("Search by name", validators=[Optional(), Length(max=120)], filters=[strip])
    show = SelectField("Lists", choices=SHOW_CHOICES, default="", validators=[Optional()])
    opening = SelectField("Opening", default="", validators=[Optional()], filters=[strip])
    sort = SelectField("Sort by", choices=SORT_CHOICES, default="-updated", validators=[Optional()])


class AddForm(FlaskForm):
    """Add candidates to a shortlist, from the pool list, an opening's board or a candidate's page."""

    shortlist_id = SelectField("Shortlist", coerce=optional_id, validate_choice=False, validators=[DataRequired()])
    ids = SelectMultipleField("Candidates", coerce=int, validate_choice=False, validators=[DataRequired()])
    back = HiddenField(validators=[Optional(), Length(max=2000)])

    def validate_ids(self, field) -> None:
        """Bound the work of one request."""
        if len(set(field.data)) > MAX_ADD:
            raise ValidationError(f"Add at most {MAX_ADD} candidates at a time.")


class CommentForm(FlaskForm):
    """The comment on one entry."""

    comment = TextAreaField("Comment", validators=[Optional(), Length(max=MAX_COMMENT)], filters=[strip])


class MoveForm(FlaskForm):
    """Move an entry one place up or down, or to a position."""

    to = SelectField(
        "Move",
        choices=[SelectChoice("up", "Up"), SelectChoice("down", "Down"), SelectChoice("position", "To position")],
        validators=[DataRequired()],
    )
    position = IntegerField("Position", validators=[Optional(), NumberRange(min=1, message="Positions start at 1.")])

    def validate(self, extra_validators=None) -> bool:
        """Validate the fields; moving to a position also needs the position."""
        # Not a validate_position method: Optional() stops the chain before it when the position is blank.
        valid = super().validate(extra_validators)
        if valid and self.to.data == "position" and self.position.data is None:
            self.position.errors.append("Give the position to move to.")
            valid = False
        return valid


class ConfirmForm(FlaskForm):
    """A confirmed action with nothing to fill in but the CSRF token (delete, remove)."""
