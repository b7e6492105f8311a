"""Personal API tokens: shown once, stored as a SHA-256 hash, acting with their user's role."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, utcnow
from models.user import User


class ApiToken(db.Model):
    """One user's token for the REST API; revoked tokens are kept, so their use stays explainable."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))  # the token's first characters, to recognise it in a list
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the whole token
    read_only: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        """True until revoked."""
        return self.revoked_at is None


def revoke_tokens_of(user: User) -> int:
    """Revoke every active token of ``user`` (flushed, not committed); return how many."""
    revoke = (
        db.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(revoke).rowcount
