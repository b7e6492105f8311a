"""Checking resume files (PDF, DOCX) before they are stored: size, kind by content, text read under limits.

Every uploaded or imported file is hostile. Its kind comes from its bytes, never its name; its
size is capped (RESUME_MAX_BYTES); its text is read by ``hiring/resume_extract.py`` in a child
process with a wall-clock timeout (RESUME_EXTRACT_TIMEOUT) and an address-space limit
(RESUME_EXTRACT_MEMORY), so a decompression bomb, a zip bomb or a parser bug ends in a clear
message, never a hung or exhausted server. Checked files are stored by ``hiring.resume_store``.
"""

import json
import os
import subprocess  # noqa: S404 (runs our own worker script, with fixed arguments, no shell)
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import event

from hiring import resume_extract
from hiring.resume_store import resume_path
from models import Candidate, ResumeFile, ResumeKind, db

WORKER = Path(resume_extract.__file__).resolve()
KINDS = {resume_extract.PDF: ResumeKind.PDF, resume_extract.DOCX: ResumeKind.DOCX}
CONTENT_TYPES = {
    ResumeKind.PDF: "application/pdf",
    ResumeKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ResumeKind.JSON_RESUME: "application/json",
}
EMPTY = "The file is empty. Choose the resume file again."
TOO_BIG = "The file is {size}; resumes can be at most {limit}. Save it smaller (e.g. without photos) or as PDF."
TIMED_OUT = (
    "Reading this file took longer than {seconds:g} seconds, so it was stopped and nothing was saved. "
    "Print or save it again (as PDF or DOCX) and upload the new copy."
)
CRASHED = (
    "This file could not be read: reading it needed too much memory or failed, so it was stopped and nothing "
    "was saved. Print or save it again (as PDF or DOCX) and upload the new copy."
)


class ResumeRefused(ValueError):
    """A resume file was refused; the message says why, for the user."""


@dataclass(frozen=True)
class CheckedResume:
    """A file that passed the checks: its kind, its bytes, its text, and what reading it cost."""

    kind: ResumeKind
    data: bytes
    text: str
    peak_rss_kb: int | None = None
    seconds: float = 0.0


def max_bytes() -> int:
    """The largest resume file accepted, in bytes."""
    return int(current_app.config["RESUME_MAX_BYTES"])


def megabytes(size: int) -> str:
    """A size for messages: "10 MB", "10.5 MB", "512 KB"."""
    if size < 1024 * 1024:
        return f"{max(size // 1024, 1)} KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def too_big(size: int) -> str:
    """The message for a file over the limit."""
    return TOO_BIG.format(size=megabytes(size), limit=megabytes(max_bytes()))


def sniff_kind(data: bytes) -> ResumeKind:
    """Return the kind of a resume from its bytes (magic bytes, a DOCX's zip directory); raise ResumeRefused."""
    try:
        return KINDS[resume_extract.sniff(data)]
    except resume_extract.ExtractError as error:
        raise ResumeRefused(str(error)) from error


def check_resume(data: bytes) -> CheckedResume:
    """Check a file's size and kind and read its text in a limited child process; raise ResumeRefused."""
    if not data:
        raise ResumeRefused(EMPTY)
    if len(data) > max_bytes():
        raise ResumeRefused(too_big(len(data)))
    kind = sniff_kind(data)  # refuse the obvious before starting a process
    started = time.monotonic()
    result = run_worker(data)
    if not result.get("ok"):
        raise ResumeRefused(result.get("error") or CRASHED)
    return CheckedResume(kind, data, result["text"], result.get("peak_rss_kb"), time.monotonic() - started)


def read_capped(stream, limit: int | None = None) -> bytes:
    """Read at most one byte more than the limit from a file object, so an oversized file is never read whole."""
    limit = max_bytes() if limit is None else limit
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ResumeRefused(TOO_BIG.format(size="over " + megabytes(limit), limit=megabytes(limit)))
    return data


def worker_command() -> list[str]:
    """The child process: the worker script run in isolated mode (no user site, no environment, no cwd on the path)."""
    memory = int(current_app.config["RESUME_EXTRACT_MEMORY"])
    cpu_seconds = max(1, int(float(current_app.config["RESUME_EXTRACT_TIMEOUT"])) + 1)
    return [sys.executable, "-I", str(WORKER), str(memory), str(cpu_seconds)]


def run_worker(data: bytes) -> dict:
    """Run the extraction child on ``data`` and return its answer; a timeout kills it and refuses the file."""
    timeout = float(current_app.config["RESUME_EXTRACT_TIMEOUT"])
    try:
        done = subprocess.run(  # noqa: S603 (fixed command, no shell, nothing from the user but stdin)
            worker_command(),
            input=data,
            capture_output=True,
            timeout=timeout,
            check=False,
            env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"},
        )
    except subprocess.TimeoutExpired as error:  # run() has killed the child
        raise ResumeRefused(TIMED_OUT.format(seconds=timeout)) from error
    try:
        result = json.loads(done.stdout)
    except ValueError:
        current_app.logger.warning(
            "resume extraction failed (exit %s): %s", done.returncode, done.stderr[-500:].decode(errors="replace")
        )
        return {"ok": False, "error": CRASHED}
    return result if isinstance(result, dict) else {"ok": False, "error": CRASHED}


def download_name(resume: ResumeFile) -> str:
    """A safe file name to download a resume as: the shown name's plain characters, with the kind's suffix."""
    stem = resume.original_name.rsplit(".", 1)[0] if "." in resume.original_name else resume.original_name
    safe = "".join(ch if ch.isalnum() or ch in " ._-()" else "_" for ch in stem).strip(" ._") or "resume"
    suffix = {ResumeKind.PDF: ".pdf", ResumeKind.DOCX: ".docx", ResumeKind.JSON_RESUME: ".json"}[resume.kind]
    return safe[:100] + suffix


# Merging two records ---------------------------------------------------------------


def delete_files_after_commit(paths: list[Path]) -> None:
    """Delete these stored files once the session commits (and forget them if it rolls back).

    A merge that fails must not leave a resume row pointing at a file already gone.
    """
    session = db.session()
    pending = session.info.setdefault("resume_files_to_delete", [])
    if not session.info.get("resume_file_listeners"):
        session.info["resume_file_listeners"] = True

        @event.listens_for(session, "after_commit")
        def delete_pending(session):
            """The merge committed: its dropped files go."""
            for path in session.info.get("resume_files_to_delete", []):
                path.unlink(missing_ok=True)
            session.info["resume_files_to_delete"] = []

        @event.listens_for(session, "after_soft_rollback")
        def forget_pending(session, previous_transaction):
            """The merge was rolled back: its rows are back, so their files stay."""
            session.info["resume_files_to_delete"] = []

    pending.extend(paths)


def merge_resumes(survivor: Candidate, other: Candidate) -> int:
    """Move the other record's resumes to the survivor, dropping files the survivor has already; return how many moved.

    The survivor's resume text becomes that of all its resumes; the caller writes the survivor and commits.
    """
    have = set(db.session.scalars(db.select(ResumeFile.sha256).where(ResumeFile.candidate_id == survivor.id)))
    moved, dropped = 0, []
    for resume in db.session.scalars(db.select(ResumeFile).where(ResumeFile.candidate_id == other.id)).all():
        if resume.sha256 in have:
            dropped.append(resume_path(resume))
            db.session.delete(resume)
        else:
            resume.candidate_id = survivor.id
            have.add(resume.sha256)
            moved += 1
    db.session.flush()
    delete_files_after_commit(dropped)
    texts = db.session.scalars(
        db.select(ResumeFile.text).where(ResumeFile.candidate_id == survivor.id).order_by(ResumeFile.id)
    )
    survivor.resume_text = "\n\n".join(text for text in texts if text)
    return moved
