"""Importing a folder of resume files (``flask --app hiring import resumes FOLDER``).

Each ``*.pdf`` and ``*.docx`` file is checked like an upload (by content, size capped, text read
in a limited child process). The e-mail addresses at the top of its text find the candidate
(either e-mail column); with none, a candidate is created from the text (name, e-mail, LinkedIn)
and the talent pool's duplicate matching flags look-alikes for merging. Files are attached with
``store_resume``, so importing the folder again adds nothing: a file already attached anywhere is
left alone, and a person is found again by e-mail.

Every file is checked first, outside the write transaction; then the good ones are written in
one transaction. Without ``skip_invalid``, one bad file means nothing is imported.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from hiring.audit import record
from hiring.duplicates import find_duplicates
from hiring.pool_actions import add_imported_candidate
from hiring.resume_files import CheckedResume, ResumeRefused, check_resume, max_bytes, too_big
from hiring.resume_store import resume_path, store_resume
from models import Candidate, PoolStatus, ResumeFile, ResumeKind, User, db, normalize_email

SUFFIXES = (".pdf", ".docx")
# The candidate's own addresses are at the top of a resume; referees' further down must not match.
HEAD_CHARS = 2_000
MAX_EMAILS = 2  # the record has two e-mail columns
HEAD_LINES = 10  # lines searched for the person's name
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
LINKEDIN = re.compile(r"(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/in/[A-Za-z0-9_%-]+/?", re.IGNORECASE)
NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’.-]*(?:['’.-][^\W\d_]*)*\.?")
NOT_NAMES = {
    "resume", "résumé", "curriculum", "vitae", "cv", "profile", "summary", "contact", "experience",
    "education", "skills", "objective", "page", "confidential", "references", "final", "draft", "copy", "new",
}  # fmt: skip
CHANGED = "The file changed while the import ran; run the import again."
CHANGED_MEANWHILE = "Someone changed the same candidates while the import ran, so nothing was imported. Run it again."
NAME_MAX = Candidate.__table__.c.name.type.length
EMAIL_MAX = Candidate.__table__.c.email.type.length


@dataclass(frozen=True)
class Duplicate:
    """A possible duplicate flagged for merging: the candidate the file went to, a look-alike, and why."""

    file: str
    candidate_id: int
    other_id: int
    reasons: tuple[str, ...]


@dataclass
class FolderReport:
    """What a folder import found and did: counts, duplicates flagged for merge, and each bad file's reason."""

    files: int = 0
    created: int = 0  # new candidates, each with their resume
    updated: int = 0  # resumes attached to candidates already in the pool
    unchanged: int = 0  # files attached already (an earlier run, or the same file twice in the folder)
    ignored: list[str] = field(default_factory=list)  # not *.pdf / *.docx, or not a plain file
    errors: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    without_email: int = 0
    committed: bool = False

    def summary(self) -> str:
        """The counts in one sentence."""
        verb = "" if self.committed else " (nothing imported)"
        return (
            f"{self.files:,} resume files: {self.created:,} new candidates, {self.updated:,} attached to existing "
            f"candidates, {self.unchanged:,} already attached, {len(self.duplicates):,} possible duplicates flagged "
            f"for merge, {len(self.errors):,} with errors{verb}."
        )

    def audit_details(self) -> dict:
        """Counts for the audit log (no names, no personal data)."""
        return {
            "files": self.files,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": len(self.duplicates),
            "errors": len(self.errors),
            "via": "resume folder",
        }


@dataclass(frozen=True)
class Checked:
    """A file that passed the checks, without its bytes (read again to store it, and compared by SHA-256)."""

    path: Path
    name: str
    kind: ResumeKind | None  # None: the same file is attached already, so it was not read again
    sha256: str
    text: str


def emails_in(text: str) -> list[str]:
    """The person's e-mail addresses: those at the top of the text (at most two), else the first anywhere."""
    found = [m.group().rstrip(".") for m in EMAIL.finditer(text[:HEAD_CHARS])] or [
        m.group().rstrip(".") for m in EMAIL.finditer(text)
    ][:1]
    addresses = []
    for raw in found:
        if len(raw) > EMAIL_MAX:
            continue
        try:
            address = normalize_email(validate_email(raw, check_deliverability=False).normalized)
        except EmailNotValidError:
            continue
        if address not in addresses:
            addresses.append(address)
    return addresses[:MAX_EMAILS]


def linkedin_in(text: str) -> str | None:
    """The first LinkedIn profile URL in the text, if any."""
    match = LINKEDIN.search(text[:HEAD_CHARS]) or LINKEDIN.search(text)
    if match is None:
        return None
    url = match.group()
    return url if url.lower().startswith("http") else "https://" + url


def plausible_name(line: str) -> str | None:
    """Return the line as a person's name if it looks like one: 2 to 4 capitalised words, no digits or @."""
    line = " ".join(line.split())
    words = line.split(" ")
    if not 2 <= len(words) <= 4 or len(line) > 60 or any(ch.isdigit() or ch in "@/:|•," for ch in line):
        return None
    if not all(NAME_WORD.fullmatch(word) for word in words):
        return None
    if any(word.lower().strip(".") in NOT_NAMES for word in words):
        return None
    if line.isupper():
        return line.title()
    return line if all(word[0].isupper() for word in words) else None


def name_from_file(path: Path) -> str:
    """A name made from the file name: "dana_reyes-resume-2024.pdf" gives "Dana Reyes"."""
    words = [word for word in re.split(r"[\s_.\-]+", path.stem) if word and not any(ch.isdigit() for ch in word)]
    words = [word for word in words if word.lower() not in NOT_NAMES]
    if not words:
        return f"Unnamed ({path.name})"[:NAME_MAX]
    name = " ".join(words)
    return (name.title() if name.islower() or name.isupper() else name)[:NAME_MAX]


def guess_name(text: str, path: Path) -> str:
    """The person's name: a plausible name line at the top of the text, else from the file name."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines[:HEAD_LINES]:
        if name := plausible_name(line):
            return name[:NAME_MAX]
    return name_from_file(path)


def resume_files_in(folder: Path, report: FolderReport) -> list[Path]:
    """The folder's *.pdf and *.docx files (no links or subfolders), sorted by name; the rest are listed as ignored."""
    files = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in SUFFIXES and path.is_file() and not path.is_symlink():
            files.append(path)
        else:
            report.ignored.append(path.name)
    return files


def check_file(path: Path) -> Checked:
    """Check one file; a file attached already somewhere is not read again. Raise ResumeRefused."""
    size = path.stat().st_size
    if size > max_bytes():
        raise ResumeRefused(too_big(size))
    with path.open("rb") as stream:
        data = stream.read(max_bytes() + 1)
    digest = hashlib.sha256(data).hexdigest()
    if db.session.scalar(db.select(ResumeFile.id).where(ResumeFile.sha256 == digest).limit(1)) is not None:
        return Checked(path, path.name, None, digest, "")
    checked: CheckedResume = check_resume(data)
    return Checked(path, path.name, checked.kind, digest, checked.text)


def find_candidate(addresses: list[str]) -> tuple[Candidate | None, list[Candidate]]:
    """The candidate with the first of these addresses (either e-mail column), and others with the rest."""
    if not addresses:
        return None, []
    found = db.session.scalars(
        db.select(Candidate)
        .where(or_(Candidate.email.in_(addresses), Candidate.alt_email.in_(addresses)))
        .order_by(Candidate.id)
    ).all()
    ranked = sorted(found, key=lambda c: min(addresses.index(a) for a in c.emails if a in addresses))
    return (ranked[0], ranked[1:]) if ranked else (None, [])


def create_candidate(checked: Checked, addresses: list[str], actor: User | None) -> Candidate:
    """Add a candidate from a resume's text, with the first line of their status history."""
    candidate = Candidate(
        name=guess_name(checked.text, checked.path),
        email=addresses[0] if addresses else None,
        alt_email=addresses[1] if len(addresses) > 1 else None,
        linkedin_url=linkedin_in(checked.text),
        status=PoolStatus.PROSPECT,
    )
    add_imported_candidate(candidate, actor, "resume folder")
    return candidate


def attach(checked: Checked, report: FolderReport, actor: User | None, written: list[Path]) -> None:
    """Attach one checked file to the candidate its e-mail finds, or to a new one; count it in the report."""
    data = checked.path.read_bytes()[: max_bytes() + 1]
    if hashlib.sha256(data).hexdigest() != checked.sha256:
        raise ResumeRefused(CHANGED)
    if checked.kind is None or db.session.scalar(
        db.select(ResumeFile.id).where(ResumeFile.sha256 == checked.sha256).limit(1)
    ):
        report.unchanged += 1
        return
    addresses = emails_in(checked.text)
    if not addresses:
        report.without_email += 1
    candidate, others = find_candidate(addresses)
    if candidate is None:
        candidate = create_candidate(checked, addresses, actor)
        report.created += 1
        matches = find_duplicates(
            name=candidate.name,
            emails=candidate.emails,
            linkedin_url=candidate.linkedin_url,
            exclude_id=candidate.id,
        )
        for match in matches:
            report.duplicates.append(Duplicate(checked.name, candidate.id, match.candidate.id, match.reasons))
    else:
        report.updated += 1
        for other in others:  # one resume, two records: probably one person
            report.duplicates.append(Duplicate(checked.name, candidate.id, other.id, ("e-mail in the same resume",)))
    resume, new = store_resume(candidate, checked.kind, checked.name, data, checked.text, "folder", actor)
    if new:
        written.append(resume_path(resume))


def import_resume_folder(folder: Path, *, skip_invalid: bool = False, actor: User | None = None) -> FolderReport:
    """Check every resume file of a folder, then attach the good ones in one transaction; return the report."""
    report = FolderReport()
    checked = []
    for path in resume_files_in(folder, report):
        report.files += 1
        try:
            checked.append(check_file(path))
        except (ResumeRefused, OSError) as error:
            report.errors.append((path.name, str(error) if isinstance(error, ResumeRefused) else "Cannot be read."))
    db.session.rollback()  # end the read-only transaction of the checks before writing
    if report.errors and not skip_invalid:
        return report
    written: list[Path] = []
    try:
        for item in checked:
            try:
                attach(item, report, actor, written)  # fails, if at all, before it writes anything
            except (ResumeRefused, OSError) as error:
                report.errors.append((item.name, str(error) if isinstance(error, ResumeRefused) else "Cannot be read."))
                if not skip_invalid:
                    raise
        record("resumes.imported", actor=actor, details=report.audit_details())
        db.session.commit()
    except (ResumeRefused, OSError, IntegrityError, StaleDataError) as error:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(error, IntegrityError | StaleDataError):
            report.errors.append(
                ("(all files)", "Someone changed the same candidates meanwhile; run the import again.")
            )
        report.created = report.updated = report.unchanged = 0
        report.duplicates.clear()
        return report
    report.committed = True
    return report
