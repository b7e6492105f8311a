"""Importing interview scorecards from other systems (``flask --app hiring import scorecards FILE.csv``).

One row is one submitted scorecard: the candidate (external id, else
e-mail), the interviewer's e-mail, the interview date, the recommendation,
a 1-5 rating (or blank) per trait key, and optional notes. Every row is
checked before anything is written; unknown interviewers become
deactivated interviewer accounts, so their history counts without giving
anyone a sign-in.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import BinaryIO

from sqlalchemy import or_

from hiring.audit import record
from hiring.csv_import import ImportReport, Problem, chunked
from hiring.csv_reading import CsvFileError, read_csv
from hiring.ranking import rank_candidates
from models import (
    Candidate,
    Interview,
    InterviewKind,
    Rating,
    Recommendation,
    Role,
    Scorecard,
    ScorecardStatus,
    ScorecardTemplate,
    Trait,
    User,
    db,
    normalize_email,
)

FIXED_COLUMNS = ("candidate_ref", "interviewer_email", "interviewed_on", "recommendation", "notes")
REQUIRED_COLUMNS = ("candidate_ref", "interviewer_email", "interviewed_on", "recommendation")
NOTES_PROMPT = "Notes"
NOTES_MAX = 5000
BATCH = 500


@dataclass
class ScorecardRow:
    """One valid row, ready to write."""

    line: int
    candidate_id: int
    interviewer_email: str
    interviewed_on: date
    recommendation: Recommendation
    scores: dict[int, int | None]  # trait id -> score
    notes: str


def parse_score(raw: str) -> int | None:
    """Return a 1-5 rating, None for a blank cell; raise ValueError otherwise."""
    if not raw:
        return None
    if raw not in ("1", "2", "3", "4", "5"):
        raise ValueError(f"“{raw[:20]}” is not a rating. Use a whole number from 1 to 5, or leave it blank.")
    return int(raw)


def check_header(csv_file, trait_keys: set[str]) -> None:
    """Refuse a file without the required columns; trait columns are the rest."""
    missing = [name for name in REQUIRED_COLUMNS if name not in csv_file.columns]
    if missing:
        raise CsvFileError(f"The file needs the column(s) {', '.join(missing)}.")
    if not set(csv_file.columns) & trait_keys:
        raise CsvFileError(f"The file has no trait columns. Trait keys are: {', '.join(sorted(trait_keys))}.")


def resolve_candidates(refs: set[str]) -> dict[str, int]:
    """Map candidate references (external id, else e-mail) to candidate ids, in batched queries."""
    found: dict[str, int] = {}
    # No candidate has a NUL in an id or e-mail, and PostgreSQL refuses to compare one: such a row is "not found".
    for batch in chunked(sorted(ref for ref in refs if "\x00" not in ref), BATCH):
        emails = [normalize_email(ref) for ref in batch]
        rows = db.session.execute(
            db.select(Candidate.id, Candidate.external_id, Candidate.email, Candidate.alt_email).where(
                or_(Candidate.external_id.in_(batch), Candidate.email.in_(emails), Candidate.alt_email.in_(emails))
            )
        ).all()
        for candidate_id, external_id, email, alt_email in rows:
            for key in (external_id, email, alt_email):
                if key:
                    found.setdefault(key, candidate_id)
    resolved = {}
    for ref in refs:
        candidate_id = found.get(ref) or found.get(normalize_email(ref))
        if candidate_id is not None:
            resolved[ref] = candidate_id
    return resolved


def validate(csv_file, traits: dict[str, int], report: ImportReport) -> list[ScorecardRow]:
    """Check every row; return the valid ones and put each problem, with line and column, in the report."""
    raw_rows = [(line, csv_file.cells_by_column(cells)) for line, cells in csv_file.rows()]
    candidates = resolve_candidates({cells["candidate_ref"] for _, cells in raw_rows if cells["candidate_ref"]})
    valid = []
    for line, cells in raw_rows:
        report.rows += 1
        problems, row = parse(line, cells, candidates, traits, csv_file)
        for problem in problems:
            report.add_error(problem)
        if problems:
            report.skipped += 1
        else:
            valid.append(row)
    return valid


def parse(line, cells, candidates, traits, csv_file) -> tuple[list[Problem], ScorecardRow | None]:
    """Parse one row; return its problems, or the row."""
    problems = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(line, column, message, csv_file.letter(column)))

    ref = cells["candidate_ref"]
    candidate_id = candidates.get(ref)
    if not ref:
        problem("candidate_ref", "Missing. Give the candidate's external_id or e-mail.")
    elif candidate_id is None:
        problem("candidate_ref", f"No candidate has the external id or e-mail “{ref[:60]}”. Import candidates first.")
    email = normalize_email(cells["interviewer_email"])
    if "@" not in email or len(email) > 254 or " " in email:
        problem("interviewer_email", f"“{cells['interviewer_email'][:60]}” is not an e-mail address.")
    try:
        interviewed_on = date.fromisoformat(cells["interviewed_on"])
        if interviewed_on > date.today():
            problem("interviewed_on", "The date is in the future; imported scorecards are of past interviews.")
    except ValueError:
        interviewed_on = None
        problem("interviewed_on", f"“{cells['interviewed_on'][:20]}” is not a date. Write it as YYYY-MM-DD.")
    try:
        recommendation = Recommendation(cells["recommendation"].lower())
    except ValueError:
        recommendation = None
        allowed = ", ".join(choice.value for choice in Recommendation)
        problem("recommendation", f"“{cells['recommendation'][:20]}” is not a recommendation. Use one of {allowed}.")
    scores = {}
    for key, trait_id in traits.items():
        if key in cells:
            try:
                scores[trait_id] = parse_score(cells[key])
            except ValueError as error:
                problem(key, str(error))
    if scores and all(score is None for score in scores.values()):
        problem(next(key for key in traits if key in cells), "Every rating is blank; rate at least one trait.")
    notes = cells.get("notes", "")
    if len(notes) > NOTES_MAX:
        problem("notes", f"Too long: {len(notes):,} characters, at most {NOTES_MAX:,}.")
    if problems:
        return problems, None
    return [], ScorecardRow(line, candidate_id, email, interviewed_on, recommendation, scores, notes)


def interviewers_for(emails: set[str]) -> dict[str, User]:
    """Return users by e-mail, creating deactivated interviewers for unknown addresses."""
    users = {u.email: u for u in db.session.scalars(db.select(User).where(User.email.in_(emails)))}
    for email in sorted(emails - set(users)):
        users[email] = User(email=email, name=email.split("@")[0], role=Role.INTERVIEWER, active=False)
        db.session.add(users[email])
    db.session.flush()
    return users


def already_imported(rows: list[ScorecardRow], users: dict[str, User]) -> set[tuple[int, int, date]]:
    """Return (candidate id, interviewer id, date) of scorecards that exist already, so re-imports add nothing."""
    candidate_ids = {row.candidate_id for row in rows}
    existing = db.session.execute(
        db.select(Scorecard.candidate_id, Scorecard.interviewer_id, Interview.scheduled_at)
        .join(Interview)
        .where(Scorecard.candidate_id.in_(candidate_ids), Scorecard.interviewer_id.in_([u.id for u in users.values()]))
    ).all()
    return {(candidate_id, user_id, at.date()) for candidate_id, user_id, at in existing}


def write(rows: list[ScorecardRow], report: ImportReport) -> None:
    """Create a submitted, locked scorecard (and its interview) for every row."""
    template = current_template()
    users = interviewers_for({row.interviewer_email for row in rows})
    existing = already_imported(rows, users)
    for row in rows:
        interviewer = users[row.interviewer_email]
        key = (row.candidate_id, interviewer.id, row.interviewed_on)
        if key in existing:
            report.unchanged += 1
            continue
        existing.add(key)
        at = datetime.combine(row.interviewed_on, datetime.min.time(), UTC)
        interview = Interview(
            candidate_id=row.candidate_id, kind=InterviewKind.BEHAVIOURAL, scheduled_at=at, template_id=template.id
        )
        interview.scorecards.append(
            Scorecard(
                interviewer_id=interviewer.id,
                candidate_id=row.candidate_id,
                template_id=template.id,
                status=ScorecardStatus.SUBMITTED,
                submitted_at=at,
                recommendation=row.recommendation,
                answers={NOTES_PROMPT: row.notes} if row.notes else {},
                ratings=[Rating(trait_id=trait_id, score=score) for trait_id, score in row.scores.items()],
            )
        )
        db.session.add(interview)
        report.created += 1


def current_template() -> ScorecardTemplate | None:
    """The oldest current scorecard template, which imported scorecards are recorded on."""
    return db.session.scalars(
        db.select(ScorecardTemplate).where(ScorecardTemplate.is_current.is_(True)).order_by(ScorecardTemplate.id)
    ).first()


def import_scorecards(stream: BinaryIO, *, skip_invalid: bool = False) -> ImportReport:
    """Validate a scorecard CSV, then import it in one transaction (all or nothing unless ``skip_invalid``)."""
    report = ImportReport(skip_invalid=skip_invalid)
    if current_template() is None:
        report.file_error = "Bench has no scorecard template yet; an admin must create one first."
        return report
    traits = dict(db.session.execute(db.select(Trait.key, Trait.id)).all())
    try:
        csv_file = read_csv(stream, columns=(*FIXED_COLUMNS, *traits), check=lambda f: check_header(f, set(traits)))
    except CsvFileError as error:
        report.file_error = str(error)
        return report
    report.notes, report.unknown_columns = csv_file.notes, csv_file.unknown
    for column in csv_file.unknown:  # a trait key Bench does not have is an error, not noise
        report.add_error(Problem(csv_file.header_line, column, "Unknown column: not a trait key or a known column."))
    rows = validate(csv_file, traits, report)
    if report.error_count and not skip_invalid:
        return report
    if not rows and not report.rows:
        report.file_error = "The file has a header but no data rows."
        return report
    write(rows, report)
    db.session.flush()
    rank_candidates(sorted({row.candidate_id for row in rows}))
    record("scorecards.imported", details=report.audit_details("command line"))
    db.session.commit()
    report.committed = True
    return report
