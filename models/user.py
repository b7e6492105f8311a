"""People who sign in to Bench, and the roles that decide what they may do."""

import enum
import hashlib
import secrets
from datetime import datetime

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from models.base import UTCDateTime, VersionedMixin, db, utcnow


class Role(enum.StrEnum):
    """What a user is allowed to do; one role per user."""

    ADMIN = "admin"
    MANAGER = "manager"
    INTERVIEWER = "interviewer"

    @property
    def label(self) -> str:
        """Human-readable name of the role."""
        return self.value.capitalize()


def normalize_email(email: str) -> str:
    """Return the canonical form of an e-mail address used for look-ups."""
    return email.strip().lower()


def new_session_token() -> str:
    """Return a fresh random token; changing it signs the user out everywhere."""
    return secrets.token_hex(16)


class User(VersionedMixin, db.Model):
    """An account: an admin, a hiring manager or an interviewer."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="role",
            native_enum=False,
            length=20,
            create_constraint=True,
            values_callable=lambda roles: [role.value for role in roles],
        )
    )
    # None until the user accepts their invitation and chooses a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the id kept in the session cookie: rotating it ends every session.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"

    # Flask-Login protocol ------------------------------------------------
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """Deactivated users cannot sign in, and their sessions stop working."""
        return self.active

    def get_id(self) -> str:
        """Return the session id: the user id plus the current session token."""
        return f"{self.id}:{self.session_token}"

    # Domain ---------------------------------------------------------------
    def set_password(self, password: str) -> None:
        """Hash and store a new password, and end the user's other sessions."""
        self.password_hash = generate_password_hash(password)
        self.password_changed_at = utcnow()
        self.session_token = new_session_token()

    def clear_password(self) -> None:
        """Remove the password and end every session, until a new one is chosen."""
        self.password_hash = None
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        """Return True if ``password`` matches the stored hash."""
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    def deactivate(self) -> None:
        """Block sign-in and end every session of this user."""
        self.active = False
        self.session_token = new_session_token()

    def has_role(self, *roles: Role) -> bool:
        """Return True if the user's role is one of ``roles``."""
        return self.role in roles

    @property
    def password_fingerprint(self) -> str:
        """A short digest of the password hash; invitation links embed it to be single-use."""
        return hashlib.sha256((self.password_hash or "").encode()).hexdigest()[:16]


def is_last_active_admin(user: User) -> bool:
    """Return True if ``user`` is the only active admin left.

    The admins' rows are locked (on PostgreSQL) so that two admins demoting
    each other at the same moment cannot both succeed.
    """
    if not (user.active and user.role == Role.ADMIN):
        return False
    admin_ids = db.session.scalars(
        db.select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).with_for_update()
    ).all()
    return admin_ids == [user.id]
