"""SQLAlchemy models and the shared ``db``; import from here: ``from models import db, User``."""

from models.api_token import ApiToken
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
from models.decision import Decision, DecisionKind
from models.eeo import DisabilityStatus, RaceEthnicity, SelfIdentification, Sex, VeteranStatus
from models.fit import CandidateScore, Certainty, JobStatus, ModelVersion, TrainingJob
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
from models.rep import Hire, PeriodResult, Profile, Tier, TierRule
from models.resume import ResumeFile, ResumeKind
from models.saved_view import SavedView
from models.shortlist import Shortlist, ShortlistEntry
from models.user import Role, User, is_last_active_admin, normalize_email

__all__ = [
    "ApiToken",
    "Application",
    "AuditEntry",
    "Base",
    "Candidate",
    "CandidateScore",
    "Certainty",
    "ConsentMethod",
    "db",
    "DEFAULT_STAGES",
    "Decision",
    "DecisionKind",
    "DisabilityStatus",
    "Hire",
    "Interview",
    "InterviewKind",
    "InterviewStatus",
    "is_last_active_admin",
    "JobStatus",
    "ModelVersion",
    "normalize_email",
    "Opening",
    "OpeningStatus",
    "PeriodResult",
    "PoolStatus",
    "RaceEthnicity",
    "ResumeFile",
    "ResumeKind",
    "Profile",
    "Rating",
    "Recommendation",
    "Role",
    "SavedView",
    "SelfIdentification",
    "Sex",
    "Shortlist",
    "ShortlistEntry",
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
    "Tier",
    "TierRule",
    "Touch",
    "TouchKind",
    "TrainingJob",
    "Trait",
    "User",
    "UTCDateTime",
    "utcnow",
    "VersionedMixin",
    "VeteranStatus",
]
