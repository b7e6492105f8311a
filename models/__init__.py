"""SQLAlchemy models and the shared ``db``; import from here: ``from models import db, User``."""

from models.audit import AuditEntry
from models.base import Base, UTCDateTime, VersionedMixin, db, utcnow
from models.user import Role, User, is_last_active_admin, normalize_email

__all__ = [
    "AuditEntry",
    "Base",
    "Role",
    "UTCDateTime",
    "User",
    "VersionedMixin",
    "db",
    "is_last_active_admin",
    "normalize_email",
    "utcnow",
]
