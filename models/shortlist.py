"""Shortlists: named, ordered lists of candidates a manager keeps (for an opening or free-standing) and shares."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, VersionedMixin, db, utcnow
from models.candidate import Candidate
from models.opening import Opening
from models.user import User

shortlist_share = Table(
    "shortlist_share",
    db.metadata,
    Column("shortlist_id", ForeignKey("shortlist.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Shortlist(VersionedMixin, db.Model):
    """A named list of candidates, in the order its owner chose; the managers it is shared with can edit it too."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique across Bench, so that ``flask export shortlist NAME`` names exactly one.
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    opening_id: Mapped[int | None] = mapped_column(ForeignKey("opening.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    opening: Mapped[Opening | None] = relationship()
    owner: Mapped[User] = relationship()
    shared_with: Mapped[list[User]] = relationship(secondary=shortlist_share, order_by=User.name)
    entries: Mapped[list["ShortlistEntry"]] = relationship(
        order_by="ShortlistEntry.position", cascade="all, delete-orphan", back_populates="shortlist"
    )

    def __repr__(self) -> str:
        return f"<Shortlist {self.id} {self.name!r}>"


class ShortlistEntry(db.Model):
    """One candidate on a shortlist, at a position, with an optional comment."""

    __table_args__ = (UniqueConstraint("shortlist_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(ForeignKey("shortlist.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]  # 1, 2, 3 ... in the list's order
    comment: Mapped[str] = mapped_column(String(1000), default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    shortlist: Mapped[Shortlist] = relationship(back_populates="entries")
    candidate: Mapped[Candidate] = relationship()
    added_by: Mapped[User | None] = relationship()
