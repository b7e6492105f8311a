"""WTForms forms. Validation lives here, never in views."""

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, PasswordField, SelectField, StringField, validators
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from models import Role, User, db, is_last_active_admin, normalize_email

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
# The most common passwords of this length or more, from public breach lists.
COMMON_PASSWORDS = {
    "1234567890",
    "12345678910",
    "0123456789",
    "qwertyuiop",
    "password123",
    "password1234",
    "iloveyou123",
    "qwerty12345",
    "1q2w3e4r5t",
    "passw0rd123",
    "welcome123",
    "administrator",
    "changeme123",
}

# Least privilege first, so that the default choice is the safest one.
ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in (Role.INTERVIEWER, Role.MANAGER, Role.ADMIN)]


def password_problem(password: str, email: str | None = None) -> str | None:
    """Return why ``password`` is not acceptable for the account ``email``, or None if it is fine."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        return f"The password must have {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters."
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "This password is too easy to guess. Try a few unrelated words."
    local_part = email.split("@")[0].lower() if email else ""
    if len(local_part) >= 4 and local_part in password.lower():
        return "The password must not contain your e-mail name."
    return None


def password_rules(form, field) -> None:
    """Field validator: reject passwords that are too short, too long or easy to guess."""
    user = getattr(form, "user", None)
    problem = password_problem(field.data or "", user.email if user is not None else None)
    if problem:
        raise ValidationError(problem)


class NumberRange(validators.NumberRange):
    """WTForms' NumberRange, which also refuses integers too large for a float (it would crash on them)."""

    def __call__(self, form, field) -> None:
        """Check the range; a number past a float's range is out of any range a form sets."""
        try:
            super().__call__(form, field)
        except OverflowError:  # math.isnan(10**400) raises instead of answering
            raise ValidationError(self.message or "This number is far too large.") from None


def strip(value):
    """Filter: trim surrounding white space from a text field."""
    return value.strip() if isinstance(value, str) else value


class SignInForm(FlaskForm):
    """E-mail and password."""

    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])


class SetPasswordForm(FlaskForm):
    """Choose a password, for an invited user."""

    password = PasswordField(
        "New password",
        validators=[DataRequired(), password_rules],
        description=f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class ChangePasswordForm(SetPasswordForm):
    """Change one's own password, proving the current one first."""

    current_password = PasswordField("Current password", validators=[DataRequired()])

    def validate_current_password(self, field) -> None:
        """The user proves they know the password they want to replace."""
        if not self.user.check_password(field.data):
            raise ValidationError("This is not your current password.")


CONFLICT_MESSAGE = (
    "Someone else saved this record while you were editing it. Your input is kept below; "
    "compare it with what they saved, then save again to replace their version."
)


class VersionedForm(FlaskForm):
    """A form that edits a versioned record and carries the version the editor started from.

    When the record changed meanwhile, validation fails with a conflict and
    the form takes the new version, so that saving again is a deliberate overwrite.
    """

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, obj=record, **kwargs)
        self.record = record
        self.conflict = False

    def take_current_version(self) -> None:
        """Carry the record's current version, so that the next save overwrites it knowingly."""
        self.version.data = self.record.version
        self.version.raw_data = [str(self.record.version)]  # what the hidden input renders

    def validate_version(self, field) -> None:
        """Detect an edit made by someone else since this form was loaded."""
        if field.data != self.record.version:
            self.conflict = True
            self.take_current_version()
            raise ValidationError(CONFLICT_MESSAGE)


class UserForm(VersionedForm):
    """Edit a user's name and role."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)], filters=[strip])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])

    def validate_role(self, field) -> None:
        """Bench always keeps at least one active admin."""
        if field.data != Role.ADMIN and is_last_active_admin(self.record):
            raise ValidationError("This is the last active admin. Make someone else an admin first.")


class NewUserForm(FlaskForm):
    """Invite a new user."""

    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        filters=[lambda s: s and normalize_email(s)],
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=120)], filters=[strip])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])

    def validate_email(self, field) -> None:
        """E-mail addresses are unique."""
        if db.session.scalar(db.select(User.id).where(User.email == field.data)) is not None:
            raise ValidationError("A user with this e-mail already exists.")


class UserFilterForm(FlaskForm):
    """Search and filter the user list (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=100)])
    role = SelectField("Role", choices=[SelectChoice("", "Any role"), *ROLE_CHOICES], validators=[Optional()])
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("", "Any status"),
            SelectChoice("active", "Active"),
            SelectChoice("inactive", "Deactivated"),
            SelectChoice("invited", "Invited"),
        ],
        validators=[Optional()],
    )
    sort = SelectField(
        "Sort by",
        choices=[
            SelectChoice("name", "Name"),
            SelectChoice("email", "E-mail"),
            SelectChoice("role", "Role"),
            SelectChoice("created", "Newest"),
            SelectChoice("last_sign_in", "Last sign-in"),
        ],
        default="name",
        validators=[Optional()],
    )


class AuditFilterForm(FlaskForm):
    """Filter the audit log (GET, no CSRF). Choices are filled in by the view."""

    class Meta:
        csrf = False

    action = SelectField("Action", validators=[Optional()])
    actor = StringField("Who", validators=[Optional(), Length(max=254)])
    target_type = SelectField("Record", validators=[Optional()])
    target_id = StringField("Record id", validators=[Optional(), Length(max=64)])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
    sort = SelectField(
        "Order",
        choices=[SelectChoice("newest", "Newest first"), SelectChoice("oldest", "Oldest first")],
        validators=[Optional()],
    )

    def validate_until(self, field) -> None:
        """The range must not end before it starts."""
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date is before the start date.")
