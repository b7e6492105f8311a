"""SQLAlchemy models and the shared ``db``; import from here: ``from models import db, User``."""

from models.audit import AuditEntry
from models.base import Base, UTCDateTime, VersionedMixin, db, utcnow
from models.candidate import (
    Candidate,
    ConsentMethod,
    PoolStatus,
    Segment,
    Source,
    StatusChange,
    Tag,
    Touch,
    TouchKind,
)
from models.interview import (
    Interview,
    InterviewKind,
    InterviewStatus,
    Rating,
    Recommendation,
    Scorecard,
    ScorecardRevision,
    ScorecardStatus,
    ScorecardTemplate,
    TemplateItem,
    Trait,
)
from models.opening import DEFAULT_STAGES, Application, Opening, OpeningStatus, StageMove
from models.saved_view import SavedView
from models.user import Role, User, is_last_active_admin, normalize_email

__all__ = [
    "Application",
    "AuditEntry",
    "Base",
    "Candidate",
    "ConsentMethod",
    "DEFAULT_STAGES",
    "Interview",
    "InterviewKind",
    "InterviewStatus",
    "Opening",
    "OpeningStatus",
    "PoolStatus",
    "Rating",
    "Recommendation",
    "Role",
    "SavedView",
    "Scorecard",
    "ScorecardRevision",
    "ScorecardStatus",
    "ScorecardTemplate",
    "Segment",
    "Source",
    "StageMove",
    "StatusChange",
    "Tag",
    "TemplateItem",
    "Touch",
    "TouchKind",
    "Trait",
    "UTCDateTime",
    "User",
    "VersionedMixin",
    "db",
    "is_last_active_admin",
    "normalize_email",
    "utcnow",
]
