"""Human decisions about candidates, with the model score the decision-maker saw."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, utcnow
from models.candidate import Candidate, LabelledEnum, str_enum
from models.opening import Opening
from models.rep import Tier
from models.user import User


class DecisionKind(LabelledEnum):
    """What a person decided."""

    FORWARD = "forward"  # moved to a later stage or status
    REJECT = "reject"
    HIRE = "hire"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return {"forward": "Moved forward", "reject": "Rejected", "hire": "Hired"}[self.value]


class Decision(db.Model):
    """One decision by a person: who, what, why, and what the model said at that moment (if anything)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    opening_id: Mapped[int | None] = mapped_column(ForeignKey("opening.id", ondelete="SET NULL"), index=True)
    kind: Mapped[DecisionKind] = mapped_column(str_enum(DecisionKind, "decision_kind"), index=True)
    from_state: Mapped[str] = mapped_column(String(60), default="")  # stage or status before
    to_state: Mapped[str] = mapped_column(String(60), default="")  # stage or status after
    reason: Mapped[str] = mapped_column(String(500), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The fit shown to the decision-maker at that moment; all None when the candidate had no score.
    model_version_number: Mapped[int | None]
    model_tier: Mapped[Tier | None] = mapped_column(str_enum(Tier, "decision_model_tier"))
    model_p_a: Mapped[float | None]
    model_score: Mapped[float | None]
    # Forward or hire against a predicted C, reject against a predicted A.
    against_model: Mapped[bool] = mapped_column(default=False, index=True)

    candidate: Mapped[Candidate] = relationship()
    opening: Mapped[Opening | None] = relationship()
    decided_by: Mapped[User | None] = relationship()
