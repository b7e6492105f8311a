"""Resumes attached to candidates: PDF and DOCX files and JSON Resume documents, with their text for search."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, utcnow
from models.candidate import Candidate, str_enum
from models.user import User


class ResumeKind(enum.StrEnum):
    """What kind of resume a file is, decided from its content, never from its name."""

    PDF = "pdf"
    DOCX = "docx"
    JSON_RESUME = "json_resume"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return {"pdf": "PDF", "docx": "Word (DOCX)", "json_resume": "JSON Resume"}[self.value]


class ResumeFile(db.Model):
    """One resume of a candidate, stored under the instance folder (outside the web root) by a random name."""

    __table_args__ = (UniqueConstraint("candidate_id", "sha256"),)  # the same file twice is one attachment

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ResumeKind] = mapped_column(str_enum(ResumeKind, "resume_kind"))
    original_name: Mapped[str] = mapped_column(String(255))  # as uploaded, cleaned; shown, never used as a path
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # random; the file's name on disk
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # Extracted text (capped), part of the candidate's searchable resume text.
    text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default="upload")  # upload, folder import, json import
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    candidate: Mapped[Candidate] = relationship()
    uploaded_by: Mapped[User | None] = relationship()
