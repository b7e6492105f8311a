"""Hired reps and their results per period: the signal the fit model learns from."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, VersionedMixin, db, utcnow
from models.candidate import Candidate, LabelledEnum, Segment, str_enum
from models.user import User


class Tier(enum.StrEnum):
    """A, B or C player."""

    A = "A"
    B = "B"
    C = "C"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return f"{self.value}-player"


class Profile(LabelledEnum):
    """Where a rep is (current performance) and where they are heading (trajectory)."""

    DEVELOPING = "developing"
    EMERGING = "emerging"
    STABILIZING = "stabilizing"
    EXCELLING = "excelling"


class TierRule(VersionedMixin, db.Model):
    """The written A/B/C rule, one row, edited by admins (defaults from shared/DOMAIN.md)."""

    __table_args__ = (
        CheckConstraint("quota_months_hit BETWEEN 1 AND quota_months_of", name="quota_share"),
        CheckConstraint("ramp_months >= 0 AND min_observed_months >= 1", name="months"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ramp_months: Mapped[int] = mapped_column(default=3)
    min_observed_months: Mapped[int] = mapped_column(default=6)
    # "Hit quota in at least 2 of every 3 observed months", kept as two integers so
    # that 4 of 6 months compares exactly.
    quota_months_hit: Mapped[int] = mapped_column(default=2)
    quota_months_of: Mapped[int] = mapped_column(default=3)
    a_attainment_pct: Mapped[int] = mapped_column(default=110)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Hire(VersionedMixin, db.Model):
    """A candidate who was hired: a rep, with the tier derived from their results."""

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), unique=True)
    hired_on: Mapped[date] = mapped_column(Date, index=True)
    left_on: Mapped[date | None] = mapped_column(Date)
    role: Mapped[str] = mapped_column(String(120), default="")
    territory: Mapped[str] = mapped_column(String(120), default="")
    segment: Mapped[Segment | None] = mapped_column(str_enum(Segment, "hire_segment"))

    # Derived from the results and the rule by hiring.rep_tiers.refresh_tiers; None = too early to tell.
    tier: Mapped[Tier | None] = mapped_column(str_enum(Tier, "tier"), index=True)
    months_observed: Mapped[int] = mapped_column(default=0)
    months_at_quota: Mapped[int] = mapped_column(default=0)
    on_target_pct: Mapped[float | None]
    trajectory_pct: Mapped[float | None]  # growth of bookings, % per month
    profile: Mapped[Profile | None] = mapped_column(str_enum(Profile, "profile"))

    # A manager's judgement over the rule, with the reason.
    tier_override: Mapped[Tier | None] = mapped_column(str_enum(Tier, "tier_override"))
    override_reason: Mapped[str] = mapped_column(String(500), default="")
    override_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    overridden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    candidate: Mapped[Candidate] = relationship()
    override_by: Mapped[User | None] = relationship()
    results: Mapped[list["PeriodResult"]] = relationship(
        order_by="PeriodResult.period", cascade="all, delete-orphan", back_populates="hire"
    )

    @property
    def effective_tier(self) -> Tier | None:
        """The override if a manager set one, else the tier the rule gives."""
        return self.tier_override or self.tier


class PeriodResult(db.Model):
    """A rep's quota and bookings for one month (period ``YYYY-MM``)."""

    __table_args__ = (
        UniqueConstraint("hire_id", "period"),
        CheckConstraint("quota > 0", name="quota_positive"),
        CheckConstraint("booked >= 0", name="booked_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hire_id: Mapped[int] = mapped_column(ForeignKey("hire.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    quota: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    booked: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    hire: Mapped[Hire] = relationship(back_populates="results")

    @property
    def attainment(self) -> float:
        """Booked / quota."""
        return float(self.booked) / float(self.quota)
