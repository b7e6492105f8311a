"""Openings (roles to fill) and the candidates considered for them."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, VersionedMixin, db, utcnow
from models.candidate import Candidate, LabelledEnum, Segment, str_enum
from models.user import User

DEFAULT_STAGES = ["sourced", "screen", "interviews", "final", "offer", "hired", "rejected"]


class OpeningStatus(LabelledEnum):
    """Where an opening stands."""

    DRAFT = "draft"
    OPEN = "open"
    ON_HOLD = "on_hold"
    FILLED = "filled"
    CLOSED = "closed"

    @property
    def active(self) -> bool:
        """Draft, open and on-hold openings are still being worked on."""
        return self in (OpeningStatus.DRAFT, OpeningStatus.OPEN, OpeningStatus.ON_HOLD)


class Opening(VersionedMixin, db.Model):
    """A role to fill. Candidates stay in the pool whatever happens to it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    territory: Mapped[str | None] = mapped_column(String(120))
    segment: Mapped[Segment | None] = mapped_column(str_enum(Segment, "segment"))
    headcount: Mapped[int] = mapped_column(default=1)
    status: Mapped[OpeningStatus] = mapped_column(
        str_enum(OpeningStatus, "opening_status"), default=OpeningStatus.DRAFT, index=True
    )
    hiring_manager_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Ordered stage names, editable per opening.
    stages: Mapped[list[str]] = mapped_column(JSON, default=lambda: list(DEFAULT_STAGES))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    hiring_manager: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Opening {self.id} {self.title!r}>"


class Application(db.Model):
    """One candidate considered for one opening, at one of its stages."""

    __table_args__ = (UniqueConstraint("candidate_id", "opening_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(60), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    candidate: Mapped[Candidate] = relationship()
    opening: Mapped[Opening] = relationship()


class StageMove(db.Model):
    """One move of an application from stage to stage: who and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(60))
    to_stage: Mapped[str] = mapped_column(String(60))
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship()
    moved_by: Mapped[User | None] = relationship()
