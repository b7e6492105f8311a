"""Where resumes live (a folder under the instance folder, outside the web root) and the candidate's resume text.

Every way a resume arrives (upload page, folder import, JSON Resume import) stores it through
``store_resume``, so the same file attached twice is one attachment, and the candidate's
searchable ``resume_text`` is always the text of all their resumes.
"""

import hashlib
import os
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from hiring.audit import record
from hiring.pool_actions import set_activity
from models import Candidate, ResumeFile, ResumeKind, User, db

# Text kept per resume for search; a longer document is cut (a resume is a few thousand characters).
TEXT_MAX = 200_000
SUFFIXES = {ResumeKind.PDF: ".pdf", ResumeKind.DOCX: ".docx", ResumeKind.JSON_RESUME: ".json"}


def resumes_folder() -> Path:
    """The folder of stored resume files (a shared volume when several hosts serve Bench)."""
    folder = Path(current_app.instance_path) / "uploads" / "resumes"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def resume_path(resume: ResumeFile) -> Path:
    """The stored file of a resume (its name is random: nothing a user typed reaches the path)."""
    return resumes_folder() / resume.stored_name


def store_resume(
    candidate: Candidate,
    kind: ResumeKind,
    original_name: str,
    data: bytes,
    text: str,
    source: str,
    actor: User | None,
) -> tuple[ResumeFile, bool]:
    """Attach a checked resume to a candidate; return it and whether it is new (False: the same file was there).

    The file is written before the caller commits; if the commit fails, the caller calls
    ``discard_file`` so no unreferenced file stays behind.
    """
    digest = hashlib.sha256(data).hexdigest()
    existing = db.session.scalar(
        db.select(ResumeFile).where(ResumeFile.candidate_id == candidate.id, ResumeFile.sha256 == digest)
    )
    if existing is not None:
        return existing, False
    resume = ResumeFile(
        candidate_id=candidate.id,
        kind=kind,
        original_name=clean_name(original_name),
        stored_name=secrets.token_hex(16) + SUFFIXES[kind],
        size=len(data),
        sha256=digest,
        text=text[:TEXT_MAX],
        source=source,
        uploaded_by_id=actor.id if actor else None,
    )
    write_private(resume_path(resume), data)
    db.session.add(resume)
    db.session.flush()
    refresh_resume_text(candidate)
    record("resume.attached", candidate, actor=actor, details={"resume_id": resume.id, "kind": kind.value})
    return resume, True


def delete_resume(resume: ResumeFile, actor: User | None) -> None:
    """Remove a resume and its file, and its text from the candidate's; the caller commits."""
    candidate = resume.candidate
    discard_file(resume)
    db.session.delete(resume)
    db.session.flush()
    refresh_resume_text(candidate)
    record("resume.deleted", candidate, actor=actor, details={"resume_id": resume.id})


def delete_resume_files(candidate_ids: list[int]) -> int:
    """Delete the stored files of these candidates' resumes (erasure, anonymisation); rows go with the caller's."""
    rows = db.session.scalars(db.select(ResumeFile).where(ResumeFile.candidate_id.in_(candidate_ids))).all()
    for resume in rows:
        discard_file(resume)
    return len(rows)


def discard_file(resume: ResumeFile) -> None:
    """Delete a resume's stored file if it is there."""
    resume_path(resume).unlink(missing_ok=True)


def refresh_resume_text(candidate: Candidate) -> None:
    """Recompute the candidate's resume text and search words, without bumping the record's version.

    A resume arriving must not make a colleague's open edit of the record conflict.
    """
    texts = db.session.scalars(
        db.select(ResumeFile.text).where(ResumeFile.candidate_id == candidate.id).order_by(ResumeFile.id)
    )
    set_committed_value(candidate, "resume_text", "\n\n".join(text for text in texts if text))
    candidate.refresh_search_text()
    # Written by set_activity's UPDATE; the object must not look changed, or its flush would bump the version.
    set_committed_value(candidate, "search_text", candidate.search_text)
    set_activity(candidate, resume_text=candidate.resume_text, search_text=candidate.search_text)


def clean_name(name: str) -> str:
    """The file name to show: its last path part, printable characters only, at most 255 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable()).strip()[:255] or "resume"


def write_private(path: Path, data: bytes) -> None:
    """Write a file readable by this user only, all at once (a reader never sees half a file)."""
    scratch = path.with_suffix(path.suffix + ".part")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    scratch.rename(path)
