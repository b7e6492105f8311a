"""The talent pool: candidates, their tags, status history and touches."""

import enum
import re
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Date, Enum, ForeignKey, Index, Numeric, String, Table, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from models.base import UTCDateTime, VersionedMixin, db, utcnow
from models.contact import normalize_linkedin, normalize_phone, search_words
from models.user import User, normalize_email


def str_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """Return a portable column type storing an enum by its value, with a CHECK constraint."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        length=20,
        create_constraint=True,
        values_callable=lambda members: [member.value for member in members],
    )


class LabelledEnum(enum.StrEnum):
    """A string enum whose members have a human label."""

    @property
    def label(self) -> str:
        """Human-readable name."""
        return self.value.replace("_", " ").capitalize()


class PoolStatus(LabelledEnum):
    """Where a candidate stands with the company, whatever the openings."""

    PROSPECT = "prospect"
    ENGAGED = "engaged"
    INTERVIEWING = "interviewing"
    OFFER = "offer"
    HIRED = "hired"
    NOT_NOW = "not_now"
    DECLINED = "declined"
    REJECTED = "rejected"

    @property
    def needs_reason(self) -> bool:
        """Declining and rejecting are recorded with a reason."""
        return self in (PoolStatus.DECLINED, PoolStatus.REJECTED)


class Segment(LabelledEnum):
    """The customer segment a rep sells to."""

    SMB = "smb"
    MID_MARKET = "mid_market"
    ENTERPRISE = "enterprise"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return {"smb": "SMB", "mid_market": "Mid-market", "enterprise": "Enterprise"}[self.value]


class Source(LabelledEnum):
    """How the candidate came to us."""

    REFERRAL = "referral"
    EVENT = "event"
    INBOUND = "inbound"
    SOURCED = "sourced"
    AGENCY = "agency"
    OTHER = "other"


class TouchKind(LabelledEnum):
    """A way of keeping in touch."""

    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    NOTE = "note"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return "E-mail" if self is TouchKind.EMAIL else self.value.capitalize()


class ConsentMethod(LabelledEnum):
    """How a candidate's consent to stay in the pool was obtained."""

    EMAIL = "email"
    WEB_FORM = "web_form"
    VERBAL = "verbal"
    APPLICATION = "application"
    OTHER = "other"


candidate_tag = Table(
    "candidate_tag",
    db.metadata,
    Column("candidate_id", ForeignKey("candidate.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    """A free label on candidates (a skill, an event, a territory ...), stored lowercase."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)


class Candidate(VersionedMixin, db.Model):
    """A person in the talent pool, with or without an opening."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    alt_email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_normalized: Mapped[str | None] = mapped_column(String(40), index=True)
    location: Mapped[str | None] = mapped_column(String(120), index=True)
    linkedin_url: Mapped[str | None] = mapped_column(String(300))
    linkedin_key: Mapped[str | None] = mapped_column(String(300), index=True)
    company: Mapped[str | None] = mapped_column(String(200), index=True)
    title: Mapped[str | None] = mapped_column(String(200), index=True)

    # Sales background
    segment: Mapped[Segment | None] = mapped_column(str_enum(Segment, "segment"), index=True)
    typical_deal_size: Mapped[int | None]
    sales_cycle_days: Mapped[int | None]
    quota_years: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    past_attainment_pct: Mapped[int | None]
    attainment_verified: Mapped[bool] = mapped_column(default=False)

    source: Mapped[Source | None] = mapped_column(str_enum(Source, "source"), index=True)
    referrer: Mapped[str | None] = mapped_column(String(200))
    # Indexed with the id (ix_candidate_owner_id_id below): the list sorted by owner reads it in that order.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text, default="")
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)

    status: Mapped[PoolStatus] = mapped_column(
        str_enum(PoolStatus, "pool_status"), default=PoolStatus.PROSPECT, index=True
    )
    next_touch_on: Mapped[date | None] = mapped_column(Date, index=True)
    last_touch_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    # Consent to be kept in the pool for future roles
    consent_on: Mapped[date | None] = mapped_column(Date)
    consent_method: Mapped[ConsentMethod | None] = mapped_column(str_enum(ConsentMethod, "consent_method"))
    consent_expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    # Set when retention anonymised the record: identifying fields and free text are gone.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    # The text of the candidate's resumes (see models/resume.py), kept by hiring/resume_store.py; searched.
    resume_text: Mapped[str] = mapped_column(Text, default="")
    # Folded words of every searchable field, kept current on flush and
    # indexed by SQLite FTS5 or PostgreSQL full-text search (see models/search.py).
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    owner: Mapped[User | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=candidate_tag, order_by=Tag.name)

    __table_args__ = (Index("ix_candidate_owner_id_id", "owner_id", "id"),)

    def __repr__(self) -> str:
        return f"<Candidate {self.id} {self.name!r}>"

    @validates("email", "alt_email")
    def _normalize_email(self, key, value):
        return normalize_email(value) if value and value.strip() else None

    @validates("phone")
    def _normalize_phone(self, key, value):
        value = value.strip() if value else None
        self.phone_normalized = normalize_phone(value)
        return value or None

    @validates("linkedin_url")
    def _normalize_linkedin(self, key, value):
        value = value.strip() if value else None
        self.linkedin_key = normalize_linkedin(value)
        return value or None

    @property
    def tag_names(self) -> list[str]:
        """The candidate's tags, alphabetically."""
        return [tag.name for tag in self.tags]

    @property
    def emails(self) -> list[str]:
        """Every e-mail address of the candidate."""
        return [address for address in (self.email, self.alt_email) if address]

    def refresh_search_text(self) -> None:
        """Recompute the words that search finds this candidate by."""
        # The phone's digits as typed and in E.164, so both "415 555 0100" and "+1415..." are found.
        phone_digits = re.sub(r"\D", "", self.phone or "")
        parts = [
            self.name,
            *self.emails,
            self.phone,
            phone_digits,
            self.phone_normalized,
            self.location,
            self.company,
            self.title,
            self.external_id,
            *self.tag_names,
            self.notes,
            self.resume_text,
        ]
        self.search_text = " ".join(search_words(" ".join(part for part in parts if part)))


# The pool list sorted by owner reads the owners in name order, then each one's candidates by id
# (hiring/pool.py), instead of sorting the whole pool; declared here, with the query that needs it.
Index("ix_user_account_name", User.name, User.id)


@event.listens_for(Session, "before_flush")
def _keep_search_text_current(session, flush_context, instances):
    # Runs for every new or changed candidate, whoever changed it (form, import, merge).
    for instance in (*session.new, *session.dirty):
        if isinstance(instance, Candidate):
            instance.refresh_search_text()


class StatusChange(db.Model):
    """One change of a candidate's pool status: who, when and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[PoolStatus | None] = mapped_column(str_enum(PoolStatus, "from_status"))
    to_status: Mapped[PoolStatus] = mapped_column(str_enum(PoolStatus, "to_status"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by: Mapped[User | None] = relationship()


class Touch(db.Model):
    """A contact with a candidate that keeps them warm: a call, an e-mail, a meeting or a note."""

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TouchKind] = mapped_column(str_enum(TouchKind, "touch_kind"))
    summary: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


def normalize_tag(name: str) -> str:
    """Return the stored form of a tag: trimmed, lowercase, inner spaces collapsed, at most 60 characters."""
    return " ".join(name.lower().split())[:60]


def tags_named(names) -> list[Tag]:
    """Return the Tag rows for ``names`` (normalised, duplicates dropped), creating missing ones."""
    wanted = list(dict.fromkeys(normalize_tag(n) for n in names if n and n.strip()))
    if not wanted:
        return []
    existing = {tag.name: tag for tag in db.session.scalars(db.select(Tag).where(Tag.name.in_(wanted)))}
    return [existing.get(name) or Tag(name=name) for name in wanted]
