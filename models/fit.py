"""Trained fit models, the jobs that train them, and the scores they gave candidates."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, unique_where, utcnow
from models.candidate import Candidate, LabelledEnum, str_enum
from models.rep import Tier
from models.user import User


class ModelVersion(db.Model):
    """One trained model: its file, what it was trained on and how well it did. One is active."""

    # At most one active version, even when two activations race (migration 0010).
    __table_args__ = (unique_where("uq_model_version_one_active", "active", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    trained_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The skops file in the instance folder's models/ directory, and its SHA-256 (checked on load).
    file_name: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64))
    rule: Mapped[dict] = mapped_column(JSON)  # the A/B/C rule the labels came from
    features: Mapped[list] = mapped_column(JSON)  # feature names, in order
    data: Mapped[dict] = mapped_column(JSON)  # fingerprint: rows, SHA-256 of rows, tier counts
    libraries: Mapped[dict] = mapped_column(JSON)  # versions of Python, scikit-learn, numpy, ...
    report: Mapped[dict] = mapped_column(JSON)  # metrics vs baselines, reliability, importance, validity
    active: Mapped[bool] = mapped_column(default=False, index=True)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The adverse-impact audit run on the pool right after training (scoring.fairness report), or None.
    audit: Mapped[dict | None] = mapped_column(JSON)
    # An audit that flags a group blocks activation until an admin writes why it may go ahead.
    acknowledgement: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    trained_by: Mapped[User | None] = relationship(foreign_keys=[trained_by_id])
    activated_by: Mapped[User | None] = relationship(foreign_keys=[activated_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])

    def __repr__(self) -> str:
        return f"<ModelVersion {self.number}>"


class JobStatus(LabelledEnum):
    """Where a training job is."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        """True once the job ended, well or badly."""
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class TrainingJob(db.Model):
    """A training run in the background, with its progress for the page that watches it."""

    # At most one running job, even when two requests start one at the same moment (migration 0010).
    # Jobs are created running (see hiring/training.py), so this covers every live job.
    __table_args__ = (unique_where("uq_training_job_one_running", "status", "status = 'running'"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, "job_status"), default=JobStatus.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    message: Mapped[str] = mapped_column(String(1000), default="")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written with every progress step; a running job whose heartbeat stops has died with its process.
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    model_version_id: Mapped[int | None] = mapped_column(ForeignKey("model_version.id", ondelete="SET NULL"))

    started_by: Mapped[User | None] = relationship()
    model_version: Mapped[ModelVersion | None] = relationship()


class Certainty(LabelledEnum):
    """How far a prediction can be trusted."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class CandidateScore(db.Model):
    """The active model's prediction for one interviewed candidate."""

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), primary_key=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id", ondelete="CASCADE"), index=True)
    p_a: Mapped[float] = mapped_column(index=True)
    p_b: Mapped[float]
    p_c: Mapped[float]
    score: Mapped[float] = mapped_column(index=True)  # expected fit, 0-100
    predicted_tier: Mapped[Tier] = mapped_column(str_enum(Tier, "predicted_tier"), index=True)
    certainty: Mapped[Certainty] = mapped_column(str_enum(Certainty, "certainty"))
    # Why: {"up": [{"trait", "label", "effect"}...], "down": [...], "certainty": ["only one interview", ...]}
    reasons: Mapped[dict] = mapped_column(JSON)
    interviews: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    candidate: Mapped[Candidate] = relationship()
    model_version: Mapped[ModelVersion] = relationship()
