"""Structured interviews: traits with anchored scales, versioned scorecard templates,
interviews with their interviewers, and the scorecards they fill."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, VersionedMixin, db, utcnow
from models.candidate import Candidate, LabelledEnum, str_enum
from models.opening import Opening
from models.user import User

SCALE = (1, 2, 3, 4, 5)


class Trait(VersionedMixin, db.Model):
    """A behaviour rated 1-5 on an anchored scale. Retired, never deleted, once ratings use it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    # Behavioural questions, one per line.
    questions: Mapped[str] = mapped_column(Text, default="")
    # What each point looks like: {"1": "...", ..., "5": "..."}; 1, 3 and 5 at least.
    anchors: Mapped[dict] = mapped_column(JSON, default=dict)
    retired: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Trait {self.key}>"

    @property
    def question_list(self) -> list[str]:
        """The behavioural questions, one per item."""
        return [line.strip() for line in self.questions.splitlines() if line.strip()]

    def anchor(self, point: int) -> str:
        """What a rating of ``point`` looks like, or "" if that point has no anchor."""
        return self.anchors.get(str(point), "")


class ScorecardTemplate(db.Model):
    """One version of a scorecard: ordered, grouped traits and free-text prompts.

    Versions of one template share ``family_id`` (the id of the first version).
    Editing a version that submitted scorecards use creates the next version.
    """

    __table_args__ = (UniqueConstraint("family_id", "version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int | None] = mapped_column(ForeignKey("scorecard_template.id"), index=True)
    version_number: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(120))
    # Free-text prompts answered on every scorecard, e.g. "Key take-aways", "Concerns".
    prompts: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_current: Mapped[bool] = mapped_column(default=True, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list["TemplateItem"]] = relationship(
        order_by="TemplateItem.position", cascade="all, delete-orphan", back_populates="template"
    )

    def __repr__(self) -> str:
        return f"<ScorecardTemplate {self.name!r} v{self.version_number}>"


class TemplateItem(db.Model):
    """A trait in a template, at a position, optionally under a group heading."""

    __table_args__ = (UniqueConstraint("template_id", "trait_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("scorecard_template.id", ondelete="CASCADE"), index=True)
    trait_id: Mapped[int] = mapped_column(ForeignKey("trait.id"), index=True)
    group: Mapped[str] = mapped_column(String(80), default="")
    position: Mapped[int] = mapped_column(default=0)

    template: Mapped[ScorecardTemplate] = relationship(back_populates="items")
    trait: Mapped[Trait] = relationship()


class InterviewKind(LabelledEnum):
    """What kind of interview it is."""

    PHONE_SCREEN = "phone_screen"
    BEHAVIOURAL = "behavioural"
    ROLE_PLAY = "role_play"
    PANEL = "panel"
    REFERENCE_CHECK = "reference_check"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return {"role_play": "Role-play / mock call", "behavioural": "Behavioural interview"}.get(
            self.value, super().label
        )


class InterviewStatus(LabelledEnum):
    """Whether an interview is still planned."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Interview(VersionedMixin, db.Model):
    """A planned interview of a candidate (with or without an opening) by one or more interviewers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    opening_id: Mapped[int | None] = mapped_column(ForeignKey("opening.id", ondelete="SET NULL"), index=True)
    kind: Mapped[InterviewKind] = mapped_column(str_enum(InterviewKind, "interview_kind"))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("scorecard_template.id"), index=True)
    status: Mapped[InterviewStatus] = mapped_column(
        str_enum(InterviewStatus, "interview_status"), default=InterviewStatus.SCHEDULED
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    candidate: Mapped[Candidate] = relationship()
    opening: Mapped[Opening | None] = relationship()
    template: Mapped[ScorecardTemplate] = relationship()
    scorecards: Mapped[list["Scorecard"]] = relationship(back_populates="interview", order_by="Scorecard.id")


class Recommendation(LabelledEnum):
    """An interviewer's overall call."""

    STRONG_NO = "strong_no"
    NO = "no"
    YES = "yes"
    STRONG_YES = "strong_yes"


class ScorecardStatus(LabelledEnum):
    """A scorecard is a draft until submitted; then it is locked."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class Scorecard(VersionedMixin, db.Model):
    """One interviewer's ratings of one interview, on the template version of that interview."""

    __table_args__ = (UniqueConstraint("interview_id", "interviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interview.id", ondelete="CASCADE"), index=True)
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Denormalised from the interview so that per-candidate queries need no join.
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("scorecard_template.id"))
    status: Mapped[ScorecardStatus] = mapped_column(
        str_enum(ScorecardStatus, "scorecard_status"), default=ScorecardStatus.DRAFT, index=True
    )
    recommendation: Mapped[Recommendation | None] = mapped_column(str_enum(Recommendation, "recommendation"))
    # Answers to the template's prompts: {"Key take-aways": "...", ...}.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    revision: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    interview: Mapped[Interview] = relationship(back_populates="scorecards")
    interviewer: Mapped[User] = relationship()
    template: Mapped[ScorecardTemplate] = relationship()
    ratings: Mapped[list["Rating"]] = relationship(cascade="all, delete-orphan", back_populates="scorecard")

    @property
    def submitted(self) -> bool:
        """True once submitted (and so locked)."""
        return self.status == ScorecardStatus.SUBMITTED


class Rating(db.Model):
    """One trait's rating on a scorecard: 1-5, or empty for "not assessed", with a note."""

    __table_args__ = (
        UniqueConstraint("scorecard_id", "trait_id"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecard.id", ondelete="CASCADE"), index=True)
    trait_id: Mapped[int] = mapped_column(ForeignKey("trait.id"), index=True)
    score: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")

    scorecard: Mapped[Scorecard] = relationship(back_populates="ratings")
    trait: Mapped[Trait] = relationship()


class ScorecardRevision(db.Model):
    """What a submitted scorecard said before an edit, why it was edited, by whom and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecard.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    reason: Mapped[str] = mapped_column(String(500))
    # The scorecard as it was: {"recommendation", "answers", "ratings": {trait_key: [score, note]}}.
    snapshot: Mapped[dict] = mapped_column(JSON)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    edited_by: Mapped[User | None] = relationship()
