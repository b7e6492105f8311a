"""Checking and importing candidates from a CSV file, in one transaction.

``parse_row`` checks one row on its own. ``import_candidates`` streams a whole
file in chunks: it matches each row to an existing candidate (by external id,
else by e-mail), creates or updates candidates, flags possible duplicates, and
commits only when the file is clean or the caller chose to skip bad rows.
Each chunk costs a handful of bulk queries whatever its size, never a few per row.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import BinaryIO

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from hiring.audit import record
from hiring.csv_reading import CsvFile, CsvFileError, read_csv
from hiring.duplicates import NAME_SIMILARITY, name_similarity
from models import Candidate, PoolStatus, Role, Source, StatusChange, Tag, User, db, normalize_email
from models.candidate import normalize_tag

CHUNK_ROWS = 1000
# Problems kept to show; all of them are counted.
KEPT_PROBLEMS = 500
# The candidate form's limit; the column itself is unbounded text.
NOTES_MAX = 20_000
OWNER_ROLES = (Role.MANAGER, Role.ADMIN)
# Names are compared pairwise within a company, so (as on the Duplicates page)
# companies with more candidates than this are left out of name matching.
MAX_COMPANY_GROUP = 40
MAX_LISTED_MATCHES = 3
STATUS_REASON = "Imported"
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
DATE_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")

NO_ROWS = "The file has a header but no data rows."
TOO_MANY_ROWS = (
    "This file has more than {max_rows:,} rows, the most the upload page takes. Split it, or import it "
    "on the server from the command line: flask --app hiring import candidates FILE.csv"
)
CHANGED_MEANWHILE = (
    "Someone changed the same candidates while the import ran, so nothing was imported. Run the import again."
)


def column_length(attribute: str) -> int:
    """Return the maximum length of a string column of Candidate."""
    return Candidate.__table__.c[attribute].type.length


NAME_MAX = column_length("name")
EMAIL_MAX = column_length("email")
TAG_MAX = Tag.__table__.c.name.type.length


def shown(value: str) -> str:
    """Return a cell's value quoted for a message, shortened if long."""
    return f"“{value[:40]}…”" if len(value) > 40 else f"“{value}”"


def too_long(value: str, limit: int) -> str | None:
    """Return a message if ``value`` has more than ``limit`` characters."""
    return f"Too long: {len(value):,} characters, the most is {limit:,}." if len(value) > limit else None


def text_of(attribute: str) -> Callable[[str], str]:
    """Return a converter that accepts text up to the length of a Candidate column."""
    limit = column_length(attribute)

    def convert(raw: str) -> str:
        if problem := too_long(raw, limit):
            raise ValueError(problem)
        return raw  # stored as written, even if it starts with "=": Bench never evaluates cells

    return convert


def parse_email(raw: str) -> str:
    """Return the normal form of an e-mail address, or raise ValueError."""
    if problem := too_long(raw, EMAIL_MAX):
        raise ValueError(problem)
    try:
        validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError(f"{shown(raw)} is not a valid e-mail address.") from None
    return normalize_email(raw)


def choice_of(enum_class, column: str) -> Callable[[str], object]:
    """Return a converter that accepts an enum's value or label, in any case ("Not now", "not_now")."""
    members = {member.value: member for member in enum_class}

    def convert(raw: str):
        member = members.get(re.sub(r"[\s\-]+", "_", raw.lower()))
        if member is None:
            raise ValueError(f"Unknown {column} {shown(raw)}. Use one of: {', '.join(members)}.")
        return member

    return convert


def parse_date(raw: str) -> date:
    """Return the date written as YYYY-MM-DD, or raise ValueError."""
    if DATE_FORMAT.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise ValueError(f"{shown(raw)} is not a date written as YYYY-MM-DD (for example 2026-03-31).")


def parse_tags(raw: str) -> list[str]:
    """Return the normalised tag names of a cell; tags are separated by semicolons (or commas, as in the form)."""
    names = [" ".join(part.split()) for part in re.split(r"[;,]", raw) if part.strip()]
    for name in names:
        if len(name) > TAG_MAX:
            raise ValueError(f"The tag {shown(name)} is longer than {TAG_MAX} characters.")
    return list(dict.fromkeys(normalize_tag(name) for name in names))


def parse_notes(raw: str) -> str:
    """Return the notes, or raise ValueError if they are too long."""
    if problem := too_long(raw, NOTES_MAX):
        raise ValueError(problem)
    return raw


# Column name -> (key in the parsed values, converter raising ValueError with a message).
FIELDS: dict[str, tuple[str, Callable[[str], object]]] = {
    "external_id": ("external_id", text_of("external_id")),
    "email": ("email", parse_email),
    "phone": ("phone", text_of("phone")),
    "location": ("location", text_of("location")),
    "linkedin": ("linkedin_url", text_of("linkedin_url")),
    "company": ("company", text_of("company")),
    "title": ("title", text_of("title")),
    "source": ("source", choice_of(Source, "source")),
    "owner_email": ("owner_email", normalize_email),  # checked against the users in bulk, later
    "tags": ("tags", parse_tags),
    "notes": ("notes", parse_notes),
    "status": ("status", choice_of(PoolStatus, "status")),
    "next_touch": ("next_touch_on", parse_date),
}
# Values copied onto the candidate when the row has them.
SCALARS = (
    "name", "external_id", "phone", "location", "linkedin_url", "company", "title", "source", "owner_id",
    "next_touch_on",
)  # fmt: skip


def parse_row(cells: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    """Check one row's trimmed cells, keyed by column name; return its values and its problems as (column, message).

    Empty cells are left out of the values, so that an update keeps what is stored.
    """
    values, problems = {}, []
    name = cells.get("name") or " ".join(part for part in (cells.get("first_name"), cells.get("last_name")) if part)
    name_column = "name" if cells.get("name") or "first_name" not in cells else "first_name"
    if not name:
        problems.append((name_column, "A name is required: fill in name, or first_name and last_name."))
    elif problem := too_long(name, NAME_MAX):
        problems.append((name_column, problem))
    else:
        values["name"] = name
    for column, raw in cells.items():
        if raw and column in FIELDS:
            key, convert = FIELDS[column]
            try:
                values[key] = convert(raw)
            except ValueError as error:
                problems.append((column, str(error)))
    return values, problems


@dataclass(frozen=True)
class Problem:
    """Something wrong, or worth a look, in one row: where it is and what it is."""

    line: int
    column: str | None
    message: str
    letter: str | None = None  # the column's letter in a spreadsheet
    candidate_ids: tuple[int, ...] = ()  # existing candidates the message is about

    def __str__(self) -> str:
        where = f"Line {self.line}"
        if self.column:
            where += f", {self.column}" + (f" (column {self.letter})" if self.letter else "")
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What an import found in the file and did with it."""

    dry_run: bool = False
    skip_invalid: bool = False
    file_error: str | None = None
    notes: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows with errors
    errors: list[Problem] = field(default_factory=list)
    error_count: int = 0
    warnings: list[Problem] = field(default_factory=list)
    warning_count: int = 0
    committed: bool = False

    def add_error(self, problem: Problem) -> None:
        """Count an error, and keep it to show if there are not too many already."""
        self.error_count += 1
        if len(self.errors) < KEPT_PROBLEMS:
            self.errors.append(problem)

    def add_warning(self, problem: Problem) -> None:
        """Count a warning, and keep it to show if there are not too many already."""
        self.warning_count += 1
        if len(self.warnings) < KEPT_PROBLEMS:
            self.warnings.append(problem)

    @property
    def good_rows(self) -> int:
        """Rows without errors."""
        return self.rows - self.skipped

    def summary(self) -> str:
        """Return the counts in one sentence."""
        created, updated = ("created", "updated") if self.committed else ("to create", "to update")
        skipped = "skipped for errors" if self.committed else "with errors"
        return (
            f"{plural(self.rows, 'row')}: {self.created:,} {created}, {self.updated:,} {updated}, "
            f"{self.unchanged:,} unchanged, {self.skipped:,} {skipped}, {plural(self.warning_count, 'warning')}."
        )

    def audit_details(self, via: str) -> dict:
        """Return the counts recorded in the audit log (no personal data)."""
        names = ("rows", "created", "updated", "unchanged", "skipped")
        return {**{name: getattr(self, name) for name in names}, "warnings": self.warning_count, "via": via}


def plural(count: int, noun: str) -> str:
    """Return "1 row", "2 rows"."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of up to ``size`` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def owner_or_problem(user, email: str) -> int | str:
    """Return the id of the user who may own candidates, or why they may not."""
    if user is None:
        return f"No user has the e-mail {email}. The owner must be a Bench user."
    if not user.active:
        return f"The user {email} is deactivated. Choose an active user as owner."
    if user.role not in OWNER_ROLES:
        return f"The user {email} is an interviewer. Only managers and admins own candidates."
    return user.id


class CandidateImport:
    """One import under way: owners looked up so far, and the candidates it created or matched.

    ``add`` writes a chunk of rows to the session (flushed, never committed) and
    then lets go of the objects, so memory stays flat however long the file is.
    """

    def __init__(self, csv_file: CsvFile, report: ImportReport, actor_id: int | None):
        self.csv_file = csv_file
        self.report = report
        self.actor_id = actor_id
        self.owners: dict[str, int | str] = {}  # owner e-mail -> user id, or why not
        self.created_line: dict[int, int] = {}  # candidate created by this import -> its line
        self.matched_line: dict[int, int] = {}  # existing candidate matched by this import -> first line
        self.changed: set[int] = set()  # existing candidates this import changed
        self.without_keys = 0
        self.big_companies: set[str] = set()
        self.spellings: dict[str, set[str]] | None = None  # company -> its spellings in the pool, loaded once
        # Per chunk: the first line of each candidate touched, and the status changes to insert.
        self.pending_line: dict[Candidate, int] = {}
        self.status_changes: list[dict] = []

    # Problems ---------------------------------------------------------------
    def problem(self, line: int, column: str | None, message: str, ids: tuple[int, ...] = ()) -> Problem:
        """Return a Problem located in the file."""
        letter = self.csv_file.letter(column) if column else None
        return Problem(line, column, message, letter, ids)

    def reject(self, line: int, problems: list[tuple[str | None, str]]) -> None:
        """Report a row's errors; the row is not imported."""
        for column, message in problems:
            self.report.add_error(self.problem(line, column, message))
        self.report.skipped += 1

    def reference(self, candidate: Candidate) -> str:
        """Return how messages name a candidate: "line N" if this file created it, else "#id"."""
        if candidate.id is None:  # created by an earlier row of this chunk, not saved yet
            return f"line {self.pending_line[candidate]}"
        line = self.created_line.get(candidate.id)
        return f"line {line}" if line else f"#{candidate.id}"

    # One chunk ---------------------------------------------------------------
    def add(self, records: list[tuple[int, list[str]]]) -> None:
        """Check, match and write one chunk of rows."""
        rows = self.check_owners(self.parse(records))
        by_external_id, by_email = self.load_matches(rows)
        tags = self.load_tags(rows)
        new = []
        with db.session.no_autoflush:
            for line, values in rows:
                candidate = self.match(line, values, by_external_id, by_email)
                if candidate is False:
                    continue
                if candidate is None:
                    candidate = Candidate(status=PoolStatus.PROSPECT, notes="")
                    db.session.add(candidate)
                    new.append((line, candidate))
                    self.report.created += 1
                self.pending_line.setdefault(candidate, line)
                if "external_id" not in values and "email" not in values:
                    self.without_keys += 1
                if self.fill(candidate, values, tags) and candidate.id in self.matched_line:
                    self.changed.add(candidate.id)
                if candidate.external_id:
                    by_external_id[candidate.external_id] = candidate
                for address in candidate.emails:
                    by_email.setdefault(address, candidate)
        db.session.flush()
        for line, candidate in new:
            self.created_line[candidate.id] = line
            self.status_changes.append(
                {"candidate_id": candidate.id, "from_status": None, "to_status": candidate.status}
            )
        if self.status_changes:
            # One multi-row INSERT: the history needs no objects, and no ids back.
            extra = {"reason": STATUS_REASON, "changed_by_id": self.actor_id}
            db.session.execute(insert(StatusChange), [{**change, **extra} for change in self.status_changes])
        self.status_changes.clear()
        for candidate in self.pending_line:
            self.add_spelling(candidate.company)
        self.pending_line.clear()
        self.warn_possible_duplicates(new)
        # Saved objects are held weakly by the session: once this chunk's lists go, so do they.

    def parse(self, records: list[tuple[int, list[str]]]) -> list[tuple[int, dict]]:
        """Check each row on its own; return the good ones as (line, values)."""
        good = []
        for line, cells in records:
            self.report.rows += 1
            values, problems = parse_row(self.csv_file.cells_by_column(cells))
            if extra := self.csv_file.extra_cells(cells):
                separator = SEPARATOR_NAMES.get(self.csv_file.delimiter, "separator")
                message = f"The row has {extra} more cell(s) than the header; a value with a {separator} needs quotes."
                problems.append((None, message))
            if problems:
                self.reject(line, problems)
            else:
                good.append((line, values))
        return good

    def check_owners(self, rows: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
        """Replace owner e-mails by user ids; reject rows whose owner cannot own candidates."""
        wanted = {values["owner_email"] for _, values in rows if "owner_email" in values} - self.owners.keys()
        if wanted:
            users = db.session.execute(
                select(User.id, User.email, User.active, User.role).where(User.email.in_(wanted))
            ).all()
            found = {user.email: user for user in users}
            for email in wanted:
                self.owners[email] = owner_or_problem(found.get(email), email)
        good = []
        for line, values in rows:
            if "owner_email" in values:
                owner = self.owners[values.pop("owner_email")]
                if isinstance(owner, str):
                    self.reject(line, [("owner_email", owner)])
                    continue
                values["owner_id"] = owner
            good.append((line, values))
        return good

    def load_matches(self, rows: list[tuple[int, dict]]) -> tuple[dict, dict]:
        """Return the existing candidates with the rows' external ids and e-mails, by external id and by e-mail."""
        external_ids = {values["external_id"] for _, values in rows if "external_id" in values}
        emails = {values["email"] for _, values in rows if "email" in values}
        conditions = []
        if external_ids:
            conditions.append(Candidate.external_id.in_(external_ids))
        if emails:
            conditions += [Candidate.email.in_(emails), Candidate.alt_email.in_(emails)]
        by_external_id, by_email = {}, {}
        if conditions:
            query = select(Candidate).where(or_(*conditions)).options(selectinload(Candidate.tags))
            for candidate in db.session.scalars(query.order_by(Candidate.id)):
                if candidate.external_id:
                    by_external_id[candidate.external_id] = candidate
                for address in candidate.emails:
                    by_email.setdefault(address, candidate)  # the oldest record, if the pool has duplicates
        return by_external_id, by_email

    def load_tags(self, rows: list[tuple[int, dict]]) -> dict[str, Tag]:
        """Return the Tag of every tag name in the rows, new ones created (they are saved with their candidates)."""
        names = {name for _, values in rows for name in values.get("tags", ())}
        if not names:
            return {}
        tags = {tag.name: tag for tag in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
        return {name: tags.get(name) or Tag(name=name) for name in names}

    def match(self, line: int, values: dict, by_external_id: dict, by_email: dict) -> Candidate | None | bool:
        """Return the candidate this row updates, None for a new one, or False if the row conflicts (reported)."""
        external_id, email = values.get("external_id"), values.get("email")
        if external_id and external_id in by_external_id:
            candidate, column = by_external_id[external_id], "external_id"
            other = by_email.get(email)
            if other is not None and other is not candidate:
                message = f"Possible duplicate of {self.reference(other)} (same e-mail). Merge them if they are one."
                ids = () if other.id is None or other.id in self.created_line else (other.id,)
                self.report.add_warning(self.problem(line, "email", message, ids))
        elif email and email in by_email:
            candidate, column = by_email[email], "email"
            if external_id and candidate.external_id and candidate.external_id != external_id:
                message = (
                    f"The e-mail {email} belongs to {self.reference(candidate)}, whose external id is "
                    f"{shown(candidate.external_id)}, not {shown(external_id)}. Correct one of them."
                )
                self.reject(line, [("external_id", message)])
                return False
        else:
            return None
        first = self.pending_line.get(candidate) or self.created_line.get(candidate.id)
        first = first or self.matched_line.get(candidate.id)
        if first:
            how = "external id" if column == "external_id" else "e-mail"
            message = f"Same person as line {first} (same {how}); both rows went into one candidate."
            self.report.add_warning(self.problem(line, column, message))
        elif candidate.id is not None:
            self.matched_line[candidate.id] = line
        return candidate

    def fill(self, candidate: Candidate, values: dict, tags: dict[str, Tag]) -> bool:
        """Copy a row's values onto a candidate; return True if anything changed.

        Filled cells replace stored values; empty cells keep them. A new e-mail
        address goes to the free e-mail field; notes and tags are added, never removed.
        """
        changed = False
        for name in SCALARS:
            if name in values and getattr(candidate, name) != values[name]:
                setattr(candidate, name, values[name])
                changed = True
        email = values.get("email")
        if email and email not in candidate.emails:
            if candidate.email is None or candidate.alt_email is not None:
                candidate.email = email
            else:
                candidate.alt_email = email
            changed = True
        notes = values.get("notes")
        if notes and notes not in candidate.notes:
            candidate.notes = f"{candidate.notes}\n\n{notes}" if candidate.notes else notes
            changed = True
        present = set(candidate.tag_names)
        for name in values.get("tags", ()):
            if name not in present:
                candidate.tags.append(tags[name])
                changed = True
        status = values.get("status")
        if status and status != candidate.status:
            if candidate.id is not None:  # a saved candidate: record the change (new ones get theirs on flush)
                self.status_changes.append(
                    {"candidate_id": candidate.id, "from_status": candidate.status, "to_status": status}
                )
            candidate.status = status
            changed = True
        return changed

    # Possible duplicates -------------------------------------------------------
    def warn_possible_duplicates(self, new: list[tuple[int, Candidate]]) -> None:
        """Warn about new candidates who share a phone or LinkedIn URL, or a similar name at a company, with others."""
        if not new:
            return
        phones = {c.phone_normalized for _, c in new if c.phone_normalized}
        linkedins = {c.linkedin_key for _, c in new if c.linkedin_key}
        by_phone, by_linkedin = {}, {}
        conditions = []
        if phones:
            conditions.append(Candidate.phone_normalized.in_(phones))
        if linkedins:
            conditions.append(Candidate.linkedin_key.in_(linkedins))
        if conditions:
            query = select(Candidate.id, Candidate.phone_normalized, Candidate.linkedin_key).where(or_(*conditions))
            for other_id, phone, linkedin in db.session.execute(query.order_by(Candidate.id)):
                by_phone.setdefault(phone, []).append(other_id)
                by_linkedin.setdefault(linkedin, []).append(other_id)
        by_company = self.people_at_companies({company_key(c.company) for _, c in new if company_key(c.company)})
        for line, candidate in new:
            reasons: dict[int, list[str]] = {}
            for other_id in by_phone.get(candidate.phone_normalized, ()) if candidate.phone_normalized else ():
                reasons.setdefault(other_id, []).append("same phone")
            for other_id in by_linkedin.get(candidate.linkedin_key, ()) if candidate.linkedin_key else ():
                reasons.setdefault(other_id, []).append("same LinkedIn URL")
            for other_id, other_name in by_company.get(company_key(candidate.company), ()):
                if name_similarity(candidate.name, other_name) >= NAME_SIMILARITY:
                    reasons.setdefault(other_id, []).append("similar name at the same company")
            self.warn_matches(line, candidate.id, reasons)

    def add_spelling(self, company: str | None) -> None:
        """Remember how a company is written in the pool, if the spellings are loaded."""
        if self.spellings is not None and company_key(company):
            self.spellings.setdefault(company_key(company), set()).add(company)

    def people_at_companies(self, companies: set[str]) -> dict[str, list[tuple[int, str]]]:
        """Return (id, name) of the candidates at each company, for companies small enough to compare names.

        Companies match ignoring case; the queries use each company's spellings
        in the pool, so that they can use the column's index instead of scanning.
        """
        if self.spellings is None:
            self.spellings = {}
            for company in db.session.scalars(
                select(Candidate.company).where(Candidate.company.is_not(None)).distinct()
            ):
                self.add_spelling(company)
        wanted = {spelling for key in companies for spelling in self.spellings.get(key, ())}
        if not wanted:
            return {}
        sizes = Counter()
        query = select(Candidate.company, func.count()).where(Candidate.company.in_(wanted)).group_by(Candidate.company)
        for company, size in db.session.execute(query):
            sizes[company_key(company)] += size
        small = {key for key, size in sizes.items() if size <= MAX_COMPANY_GROUP}
        self.big_companies |= sizes.keys() - small
        people: dict[str, list[tuple[int, str]]] = {}
        spellings = {spelling for key in small for spelling in self.spellings[key]}
        if spellings:
            query = select(Candidate.id, Candidate.name, Candidate.company).where(Candidate.company.in_(spellings))
            for other_id, name, company in db.session.execute(query.order_by(Candidate.id)):
                people.setdefault(company_key(company), []).append((other_id, name))
        return people

    def warn_matches(self, line: int, candidate_id: int, reasons: dict[int, list[str]]) -> None:
        """Warn that the candidate of ``line`` may be the same person as others (``reasons`` by candidate id)."""
        reasons.pop(candidate_id, None)
        # A pair within the file is reported once, by its later row.
        others = [other_id for other_id in reasons if self.created_line.get(other_id, 0) < line]
        if not others:
            return
        listed = []
        for other_id in others[:MAX_LISTED_MATCHES]:
            other = f"line {self.created_line[other_id]}" if other_id in self.created_line else f"#{other_id}"
            listed.append(f"{other} ({', '.join(reasons[other_id])})")
        more = f" and {len(others) - MAX_LISTED_MATCHES} more" if len(others) > MAX_LISTED_MATCHES else ""
        message = f"Possible duplicate of {', '.join(listed)}{more}. Imported; merge them if they are one person."
        ids = tuple(i for i in others[:MAX_LISTED_MATCHES] if i not in self.created_line)
        self.report.add_warning(self.problem(line, None, message, ids))

    def finish(self) -> None:
        """Fill in the counts and notes of the report."""
        self.report.updated = len(self.changed)
        self.report.unchanged = len(self.matched_line.keys() - self.changed)
        if self.without_keys:
            self.report.notes.append(
                f"{self.without_keys:,} rows have neither an external_id nor an e-mail, so a later import cannot "
                "recognise them: importing this file again would add those people again."
            )
        if self.big_companies:
            self.report.notes.append(
                f"Names were not compared at {len(self.big_companies):,} companies with more than "
                f"{MAX_COMPANY_GROUP} candidates each; phones and LinkedIn URLs were."
            )
        self.report.errors.sort(key=lambda problem: problem.line)
        self.report.warnings.sort(key=lambda problem: problem.line)


def company_key(company: str | None) -> str | None:
    """Return the form companies are compared in (trimmed, lowercase), or None."""
    return company.strip().lower() or None if company else None


def import_candidates(
    data: bytes | BinaryIO,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    max_rows: int | None = None,
    actor: User | None = None,
    via: str = "command line",
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check a CSV file of candidates and import it in one transaction; return what was found and done.

    With errors in the file nothing is written, unless ``skip_invalid``, which
    imports the good rows. ``dry_run`` checks everything and writes nothing.
    ``on_progress`` is called after each chunk with the number of bytes read.
    """
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    try:
        csv_file = read_csv(data)
        report.notes += csv_file.notes
        report.unknown_columns = csv_file.unknown
        if max_rows is not None and csv_file.count_rows(stop_after=max_rows + 1) > max_rows:
            raise CsvFileError(TOO_MANY_ROWS.format(max_rows=max_rows))
        run = CandidateImport(csv_file, report, actor.id if actor is not None else None)
        for chunk in chunked(csv_file.rows(), CHUNK_ROWS):
            run.add(chunk)
            if on_progress is not None:
                on_progress(csv_file.position())
        if not report.rows:
            raise CsvFileError(NO_ROWS)
        run.finish()
    except CsvFileError as error:
        db.session.rollback()
        report.file_error = str(error)
        return report
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        report.file_error = CHANGED_MEANWHILE
        return report
    except BaseException:
        db.session.rollback()  # a crash half-way leaves nothing behind
        raise
    if dry_run or (report.error_count and not skip_invalid):
        db.session.rollback()
        return report
    record("candidates.imported", actor=actor, details=report.audit_details(via))
    db.session.commit()
    report.committed = True
    return report
