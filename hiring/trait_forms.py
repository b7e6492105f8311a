"""Forms for the scorecard traits and the scorecard templates."""

import hashlib
import json

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import HiddenInput

from hiring.forms import CONFLICT_MESSAGE, VersionedForm, strip
from models import ScorecardTemplate, Trait, db
from models.interview import SCALE

KEY_PATTERN = r"^[a-z0-9_]{2,40}$"
MAX_QUESTION_LENGTH = 300
MAX_ANCHOR_LENGTH = 500
MAX_PROMPTS = 10
MAX_PROMPT_LENGTH = 200
# Points 1, 3 and 5 anchor the scale; 2 and 4 may stay blank ("between the two").
REQUIRED_ANCHORS = (1, 3, 5)
ANCHOR_LABELS = {
    1: "1 — weak",
    2: "2 — below expectations (optional)",
    3: "3 — solid",
    4: "4 — above expectations (optional)",
    5: "5 — outstanding",
}
DEFAULT_PROMPTS = ["Key take-aways", "Concerns"]


def text_lines(text: str | None) -> list[str]:
    """Split a text box into its non-blank lines, trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def anchor_field(point: int) -> TextAreaField:
    """The text box for what a rating of ``point`` looks like."""
    required = point in REQUIRED_ANCHORS
    return TextAreaField(
        ANCHOR_LABELS[point],
        validators=[DataRequired() if required else Optional(), Length(max=MAX_ANCHOR_LENGTH)],
        filters=[strip],
        render_kw={"rows": 2},
    )


class TraitFields(FlaskForm):
    """The fields of a trait: key, name, description, questions and the anchored scale."""

    key = StringField(
        "Key",
        validators=[
            DataRequired(),
            Regexp(KEY_PATTERN, message="Use 2 to 40 lowercase letters, digits and underscores, e.g. deal_judgment."),
        ],
        filters=[strip],
        description="A short, stable name for exports and the ranking model. It cannot change once ratings use it.",
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=80)], filters=[strip])
    description = TextAreaField(
        "What it looks like",
        validators=[Optional(), Length(max=1000)],
        filters=[strip],
        render_kw={"rows": 2},
    )
    questions = TextAreaField(
        "Behavioural questions",
        validators=[DataRequired(message="Add at least one question.")],
        description="One question per line. Every interviewer asks the same ones.",
        render_kw={"rows": 4},
    )
    anchor_1 = anchor_field(1)
    anchor_2 = anchor_field(2)
    anchor_3 = anchor_field(3)
    anchor_4 = anchor_field(4)
    anchor_5 = anchor_field(5)

    key_locked = False
    record = None

    def validate_key(self, field) -> None:
        """Keys are unique, and frozen once ratings use them (exports and the model refer to them)."""
        if self.record is not None and field.data != self.record.key and self.key_locked:
            raise ValidationError("Ratings already use this key, so it cannot change. Create a new trait instead.")
        query = db.select(Trait.id).where(Trait.key == field.data)
        if self.record is not None:
            query = query.where(Trait.id != self.record.id)
        if db.session.scalar(query) is not None:
            raise ValidationError("Another trait already has this key.")

    def validate_questions(self, field) -> None:
        """At least one question, none longer than MAX_QUESTION_LENGTH."""
        questions = text_lines(field.data)
        if not questions:
            raise ValidationError("Add at least one question.")
        if any(len(question) > MAX_QUESTION_LENGTH for question in questions):
            raise ValidationError(f"A question may have at most {MAX_QUESTION_LENGTH} characters.")

    def anchors(self) -> dict[str, str]:
        """The anchored scale as stored on the trait: {"1": text, ...}, blank points left out."""
        texts = {str(point): getattr(self, f"anchor_{point}").data for point in SCALE}
        return {point: text for point, text in texts.items() if text}


class NewTraitForm(TraitFields):
    """Add a trait."""


class TraitForm(VersionedForm, TraitFields):
    """Edit a trait; its key is read-only once ratings use it."""

    def __init__(self, *args, record: Trait, key_locked: bool = False, **kwargs):
        anchors = {f"anchor_{point}": record.anchor(point) for point in SCALE}
        super().__init__(*args, record=record, **anchors, **kwargs)
        self.key_locked = key_locked
        if key_locked:
            self.key.render_kw = {"readonly": True}
            self.key.description = "Ratings already use this key, so it can no longer change."


class TraitFilterForm(FlaskForm):
    """Filter and sort the trait list (GET, no CSRF)."""

    class Meta:
        csrf = False

    status = SelectField(
        "Show",
        choices=[SelectChoice("active", "In use"), SelectChoice("retired", "Retired"), SelectChoice("all", "All")],
        default="active",
        validators=[Optional()],
    )
    sort = SelectField(
        "Sort by",
        choices=[SelectChoice("name", "Name"), SelectChoice("key", "Key")],
        default="name",
        validators=[Optional()],
    )


class TemplateItemForm(Form):
    """One trait's row on the template form: included or not, at which position, under which heading."""

    trait_id = IntegerField(widget=HiddenInput())
    include = BooleanField("Include")
    position = IntegerField(
        "Position", validators=[Optional()], invalid_value_message="Positions are whole numbers, e.g. 3."
    )
    group = StringField("Group", validators=[Optional(), Length(max=80)], filters=[strip])


def template_fingerprint(template: ScorecardTemplate) -> str:
    """A hash of what an editor sees of a template version, to detect that someone saved it meanwhile.

    Templates carry no version column; the id and the current flag are part
    of the hash, so a version that was replaced by a newer one never matches.
    """
    content = {
        "id": template.id,
        "current": template.is_current,
        "name": template.name,
        "prompts": list(template.prompts),
        "items": sorted((item.position, item.trait_id, item.group) for item in template.items),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


class TemplateFields(FlaskForm):
    """A template's name, prompts and a row per trait that may be on it."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)], filters=[strip])
    prompts = TextAreaField(
        "Free-text prompts",
        validators=[Optional()],
        description=f"Questions every interviewer answers in their own words, one per line (at most {MAX_PROMPTS}).",
        render_kw={"rows": 3},
    )
    items = FieldList(FormField(TemplateItemForm), max_entries=500)

    def __init__(self, *args, template: ScorecardTemplate | None, traits: list[Trait], **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        self.traits = {trait.id: trait for trait in traits}
        if not self.is_submitted():
            self.load(template)
        self.attach_traits()

    def load(self, template: ScorecardTemplate | None) -> None:
        """Fill the form from a template (or with defaults): its items first, in order, then every other trait."""
        items = template.items if template is not None else []
        self.name.data = template.name if template is not None else ""
        self.prompts.data = "\n".join(template.prompts if template is not None else DEFAULT_PROMPTS)
        while self.items.entries:
            self.items.pop_entry()
        for number, item in enumerate(items, start=1):
            self.items.append_entry(
                {"trait_id": item.trait_id, "include": True, "position": number, "group": item.group}
            )

    def attach_traits(self) -> None:
        """Give each row its trait (for labels), and add a blank row for every trait the form lacks."""
        shown = {entry.trait_id.data for entry in self.items}
        for trait in sorted(self.traits.values(), key=lambda trait: trait.name.lower()):
            if trait.id not in shown:
                self.items.append_entry({"trait_id": trait.id, "include": False, "position": None, "group": ""})
        for entry in self.items:
            entry.trait = self.traits.get(entry.trait_id.data)

    def validate_prompts(self, field) -> None:
        """At most MAX_PROMPTS prompts, each short and distinct (answers are stored by prompt)."""
        prompts = text_lines(field.data)
        if len(prompts) > MAX_PROMPTS:
            raise ValidationError(f"Use at most {MAX_PROMPTS} prompts.")
        if any(len(prompt) > MAX_PROMPT_LENGTH for prompt in prompts):
            raise ValidationError(f"A prompt may have at most {MAX_PROMPT_LENGTH} characters.")
        if len(set(prompts)) != len(prompts):
            raise ValidationError("Each prompt may appear only once.")

    def validate_name(self, field) -> None:
        """No two current templates share a name, so interviewers can tell them apart."""
        query = db.select(ScorecardTemplate.id).where(
            ScorecardTemplate.is_current.is_(True), ScorecardTemplate.name == field.data
        )
        if self.template is not None:
            query = query.where(ScorecardTemplate.family_id != self.template.family_id)
        if db.session.scalar(query) is not None:
            raise ValidationError("Another template already has this name.")

    def validate(self, extra_validators=None) -> bool:
        """Validate the fields, then the rows together: which traits, each once, groups kept together."""
        valid = super().validate(extra_validators)
        for message in self.item_problems():
            self.form_errors.append(message)
            valid = False
        return valid

    def item_problems(self) -> list[str]:
        """Return what is wrong with the chosen rows as a whole."""
        included = [entry for entry in self.items if entry.include.data]
        if not included:
            return ["Include at least one trait."]
        problems = []
        ids = [entry.trait_id.data for entry in included]
        if len(set(ids)) != len(ids):
            problems.append("Each trait may appear only once.")
        if any(entry.trait is None for entry in included):
            problems.append("A trait on this page was retired or deleted meanwhile. Reload the page and try again.")
        groups = [group for _, group in self.chosen_items()]
        runs = [group for index, group in enumerate(groups) if group and (index == 0 or groups[index - 1] != group)]
        split = sorted({group for group in runs if runs.count(group) > 1})
        if split:
            problems.append(f"Give the traits of a group consecutive positions: {', '.join(split)}.")
        return problems

    def chosen_items(self) -> list[tuple[int, str]]:
        """The included traits in order, as (trait id, group); blank positions go last, ties keep the page order."""
        rows = [
            (entry.position.data is None, entry.position.data or 0, index, entry.trait_id.data, entry.group.data or "")
            for index, entry in enumerate(self.items)
            if entry.include.data
        ]
        return [(trait_id, group) for *_, trait_id, group in sorted(rows)]

    def prompt_list(self) -> list[str]:
        """The prompts, one per item."""
        return text_lines(self.prompts.data)


class NewTemplateForm(TemplateFields):
    """Create a scorecard template."""


class TemplateForm(TemplateFields):
    """Edit the current version of a template, refusing to overwrite a save made meanwhile."""

    fingerprint = HiddenField(validators=[InputRequired()])

    def __init__(self, *args, record: ScorecardTemplate, current: ScorecardTemplate, **kwargs):
        """``record`` is the version the editor opened; ``current`` the family's current version."""
        super().__init__(*args, template=current, **kwargs)
        self.record, self.current = record, current
        self.conflict = False
        if not self.is_submitted():
            self.take_current_fingerprint()

    def take_current_fingerprint(self) -> None:
        """Carry the current version's fingerprint, so that the next save overwrites it knowingly."""
        self.fingerprint.data = template_fingerprint(self.current)
        self.fingerprint.raw_data = [self.fingerprint.data]

    def lost_race(self, current: ScorecardTemplate) -> None:
        """After a save that lost a race, keep the input and carry the version that won."""
        self.conflict = True
        self.current = current
        self.take_current_fingerprint()

    def validate_fingerprint(self, field) -> None:
        """Detect a save, or a new version, made by someone else since this form was loaded."""
        if self.record is not self.current or field.data != template_fingerprint(self.record):
            self.conflict = True
            self.take_current_fingerprint()
            raise ValidationError(CONFLICT_MESSAGE)
