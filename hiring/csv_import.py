"""Checking and importing candidates from a CSV or XLSX file, in one transaction.

``parse_row`` checks one row on its own. ``import_candidates`` reads the header
through a column mapping (Bench's own names, or another system's export: see
hiring.column_mapping), then streams the file in chunks: it matches each row to
an existing candidate (by external id, else by e-mail, else by name with phone
or LinkedIn URL), creates or updates candidates, and flags possible duplicates.
Each chunk costs a handful of bulk queries whatever its size, never a few per row:
new candidates, their tags and their status history go in with multi-row INSERTs,
and only the candidates a row updates go through the ORM.

How an import is transactional:

- The whole file is one database transaction. Chunks are written (flushed) as
  they are read, so memory stays flat, but nothing is committed until the last
  row has been checked; then the import commits once, with its audit entry. A
  crash, a kill or an error half-way (at row 60,000 of 100,000) rolls everything
  back: the pool is as before, and the same file can simply be imported again.
- With errors in the file nothing is committed, unless the caller chose to skip
  bad rows; a dry run (the upload page's check) always rolls back.
- Imports run one at a time. Before reading anything, an import takes a lock for
  its transaction: ``pg_advisory_xact_lock`` on PostgreSQL, SQLite's write lock on
  SQLite. A second import (of an overlapping file, say) waits until the first has
  committed and then matches against its rows, so a person in both files is
  created once and updated once. If the wait passes the statement timeout, the
  second import stops with nothing written and says why.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import islice
from typing import BinaryIO

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, insert, or_, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from hiring.audit import record
from hiring.column_mapping import ColumnMapping, MappingError, guess
from hiring.csv_reading import CsvFile, CsvFileError, column_letter, header_key
from hiring.duplicates import names_alike
from hiring.pool_actions import IMPORTED
from hiring.xlsx_reading import XlsxFile, read_table
from models import Candidate, PoolStatus, Role, Source, StatusChange, Tag, User, db, normalize_email
from models.candidate import candidate_tag, normalize_tag
from models.contact import fold, normalize_linkedin, normalize_phone

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
# Rows shown on the upload page as they will be imported.
PREVIEW_ROWS = 10
# Statuses an import leaves alone on an existing candidate (see CandidateImport.keep_closed_status).
CLOSED_STATUSES = (PoolStatus.DECLINED, PoolStatus.REJECTED, PoolStatus.HIRED, PoolStatus.NOT_NOW)
# The key of the PostgreSQL advisory lock that lets one import run at a time (any fixed number: "BNCH").
IMPORT_LOCK_KEY = 0x424E4348
# Columns a new candidate is inserted with; the others take their defaults (version, timestamps ...).
INSERTED = (
    "name", "external_id", "email", "alt_email", "phone", "phone_normalized", "location", "linkedin_url",
    "linkedin_key", "company", "title", "source", "owner_id", "next_touch_on", "notes", "status", "search_text",
)  # fmt: skip
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
DATE_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")

NO_ROWS = "The file has a header but no data rows."
TOO_MANY_ROWS = (
    "This file has more than {max_rows:,} rows, the most the upload page takes. Split it, or import it "
    "on the server from the command line: flask --app hiring import candidates FILE.csv"
)
IMPORT_RUNNING = (
    "Another import (or a long change to the pool) was still running, so nothing was imported. "
    "Try again when it has finished."
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


def parse_owner(raw: str) -> tuple[str, str]:
    """Return how to find the owner: ("email", address) or ("name", name); checked against the users later."""
    if "@" in raw:
        return "email", normalize_email(raw)
    return "name", " ".join(raw.split())


def name_key(name: str) -> str:
    """Return the form names are compared in: lowercase, without accents, spaces collapsed."""
    return " ".join(fold(name).split())


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
    "alt_email": ("alt_email", parse_email),
    "owner_email": ("owner", lambda raw: ("email", normalize_email(raw))),  # checked against the users later
    "owner": ("owner", parse_owner),
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
    header: str | None = None  # the file's header for the column, when it is not Bench's name for it
    subject_id: int | None = None  # the candidate the row went into, for a link to merge it with the others

    @property
    def where(self) -> str:
        """Return the column's header and letter, as the report shows them ("Cell Phone, column F")."""
        parts = [part for part in (self.header, f"column {self.letter}" if self.letter else None) if part]
        return ", ".join(parts)

    def __str__(self) -> str:
        where = f"Line {self.line}"
        if self.column:
            where += f", {self.column}" + (f" ({self.where})" if self.where else "")
        return f"{where}: {self.message}"


@dataclass
class PreviewRow:
    """One of the first rows, as it will be imported: its values for display, what happens to it, its errors."""

    line: int
    values: dict[str, str]
    action: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import found in the file and did with it."""

    dry_run: bool = False
    skip_invalid: bool = False
    file_error: str | None = None
    notes: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)  # known, but the mapping ignores them
    mapping: ColumnMapping | None = None
    mapping_errors: list[str] = field(default_factory=list)
    kind: str = "CSV"
    preview: list[PreviewRow] = field(default_factory=list)
    duplicates: int = 0  # rows flagged as possibly someone already in the pool (or earlier in the file)
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
        details = {**{name: getattr(self, name) for name in names}, "warnings": self.warning_count, "via": via}
        if self.duplicates:
            details["duplicates"] = self.duplicates
        if self.mapping is not None and self.mapping.profile.key != "bench":
            details["format"] = self.mapping.profile.key
        if self.kind != "CSV":
            details["file_type"] = self.kind
        return details


def plural(count: int, noun: str) -> str:
    """Return "1 row", "2 rows"."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of up to ``size`` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def owner_or_problem(user, email: str) -> int | str:
    """Return the id of the user who may own candidates, or why they may not (``email``: how the file names them)."""
    if user is None:
        return f"No user has the e-mail {email}. The owner must be a Bench user."
    if not user.active:
        return f"The user {email} is deactivated. Choose an active user as owner."
    if user.role not in OWNER_ROLES:
        return f"The user {email} is an interviewer. Only managers and admins own candidates."
    return user.id


def owner_by_name(users: list, name: str) -> int | str:
    """Return the id of the one user called ``name`` who may own candidates, or why there is none."""
    if not users:
        return (
            f"No user is called “{name}”. The owner must be a Bench user, named by e-mail or by name; "
            "or read this column as “Keep in the notes”."
        )
    if len(users) > 1:
        return f"Several users are called “{name}”. Name the owner by e-mail instead."
    return owner_or_problem(users[0], name)


PREVIEW_COLUMNS = (
    "name", "email", "phone", "location", "linkedin", "company", "title", "source", "status", "owner", "tags", "notes",
)  # fmt: skip


def preview_values(cells: dict[str, str], note_lines: list[str]) -> dict[str, str]:
    """Return a row's cells as the preview shows them: the columns Bench fills, combined."""
    shown = dict(cells)
    shown["name"] = cells.get("name") or " ".join(filter(None, (cells.get("first_name"), cells.get("last_name"))))
    shown["email"] = ", ".join(filter(None, (cells.get("email"), cells.get("alt_email"))))
    shown["owner"] = cells.get("owner") or cells.get("owner_email", "")
    shown["notes"] = "\n".join(filter(None, (cells.get("notes"), *note_lines)))
    return {column: shown.get(column, "") for column in PREVIEW_COLUMNS}


class CandidateImport:
    """One import under way: owners looked up so far, and the candidates it created or matched.

    ``add`` writes a chunk of rows to the session (flushed, never committed) and
    then lets go of the objects, so memory stays flat however long the file is.
    """

    def __init__(self, table: CsvFile | XlsxFile, mapping: ColumnMapping, report: ImportReport, actor_id: int | None):
        self.table = table
        self.mapping = mapping
        self.report = report
        self.actor_id = actor_id
        self.owners: dict[tuple[str, str], int | str] = {}  # ("email"|"name", key) -> user id, or why not
        self.users_by_name: dict[str, list] | None = None  # loaded once, if the file names owners by name
        self.previewed: dict[int, PreviewRow] = {}
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
    def problem(
        self, line: int, column: str | None, message: str, ids: tuple[int, ...] = (), origins: dict | None = None
    ) -> Problem:
        """Return a Problem located in the file: the column's letter, and its header when not Bench's name."""
        if not column:
            return Problem(line, column, message, None, ids)
        index = (origins or {}).get(column)
        if index is None:
            letter = self.mapping.letter(column)
            index = column_index(letter) if letter else None
        if index is None:
            return Problem(line, column, message, None, ids)
        header = self.mapping.headers[index].strip()
        shown_header = header if header_key(header) != column else None
        return Problem(line, column, message, column_letter(index), ids, shown_header)

    def reject(self, line: int, problems: list[tuple[str | None, str]], origins: dict | None = None) -> None:
        """Report a row's errors; the row is not imported."""
        for column, message in problems:
            problem = self.problem(line, column, message, origins=origins)
            self.report.add_error(problem)
            if line in self.previewed:
                self.previewed[line].errors.append(str(problem).split(": ", 1)[1])
                self.previewed[line].action = "not imported"
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
        by_external_id, by_email, by_contact = self.load_matches(rows)
        tags = self.load_tags(rows)
        new = []
        with db.session.no_autoflush:
            for line, values in rows:
                candidate = self.match(line, values, by_external_id, by_email, by_contact)
                if candidate is False:
                    continue
                if candidate is None:
                    # Not added to the session: new candidates are inserted in bulk below.
                    candidate = Candidate(status=PoolStatus.PROSPECT, notes="")
                    new.append((line, candidate))
                    self.report.created += 1
                    self.preview_action(line, "new")
                self.pending_line.setdefault(candidate, line)
                if not any(key in values for key in ("external_id", "email", "alt_email", "phone", "linkedin_url")):
                    self.without_keys += 1
                if candidate.id is not None:
                    self.keep_closed_status(line, candidate, values)
                if self.fill(candidate, values, tags) and candidate.id in self.matched_line:
                    self.changed.add(candidate.id)
                if candidate.external_id:
                    by_external_id[candidate.external_id] = candidate
                for address in candidate.emails:
                    by_email.setdefault(address, candidate)
                for key in contact_keys(candidate.name, candidate.phone_normalized, candidate.linkedin_key):
                    by_contact.setdefault(key, candidate)
        db.session.flush()  # the changes to candidates already in the pool
        self.insert_new(new)
        for line, candidate in new:
            self.created_line[candidate.id] = line
            self.status_changes.append(
                {"candidate_id": candidate.id, "from_status": None, "to_status": candidate.status}
            )
        if self.status_changes:
            # One multi-row INSERT: the history needs no objects, and no ids back.
            extra = {"reason": IMPORTED, "changed_by_id": self.actor_id}
            db.session.execute(insert(StatusChange), [{**change, **extra} for change in self.status_changes])
        self.status_changes.clear()
        for candidate in self.pending_line:
            self.add_spelling(candidate.company)
        self.pending_line.clear()
        self.warn_possible_duplicates(new)
        # Saved objects are held weakly by the session: once this chunk's lists go, so do they.

    @staticmethod
    def insert_new(new: list[tuple[int, Candidate]]) -> None:
        """Insert the chunk's new candidates and their tags with multi-row INSERTs, and give them their ids.

        The unit of work would flush them one by one, with an event per attribute and
        per tag link: several times slower, for objects nothing reads after the chunk.
        """
        if not new:
            return
        rows, links = [], []
        for (_, candidate), candidate_id in zip(new, new_candidate_ids(len(new)), strict=True):
            candidate.id = candidate_id
            candidate.refresh_search_text()  # what the before-flush hook does for candidates saved by the ORM
            rows.append({"id": candidate_id} | {name: getattr(candidate, name) for name in INSERTED})
            links += [{"candidate_id": candidate_id, "tag_id": tag.id} for tag in candidate.tags]
        db.session.execute(insert(Candidate.__table__), rows)
        if links:
            db.session.execute(insert(candidate_tag), links)

    def parse(self, records: list[tuple[int, list[str]]]) -> list[tuple[int, dict]]:
        """Check each row on its own; return the good ones as (line, values)."""
        good = []
        for line, cells in records:
            self.report.rows += 1
            mapped = self.mapping.map_row(cells)
            if len(self.report.preview) < PREVIEW_ROWS:
                self.previewed[line] = PreviewRow(line, preview_values(mapped.cells, mapped.note_lines))
                self.report.preview.append(self.previewed[line])
            values, problems = parse_row(mapped.cells)
            if mapped.note_lines:
                values["note_lines"] = mapped.note_lines
                if problem := too_long("\n".join([values.get("notes", ""), *mapped.note_lines]), NOTES_MAX):
                    problems.append(("notes", f"With the columns kept in the notes: {problem}"))
            if extra := self.table.extra_cells(cells):
                message = f"The row has {extra} more cell(s) than the header"
                if separator := SEPARATOR_NAMES.get(self.table.delimiter):
                    message += f"; a value with a {separator} needs quotes"
                problems.append((None, message + "."))
            if problems:
                self.reject(line, problems, mapped.origins)
            else:
                good.append((line, values))
        return good

    def preview_action(self, line: int, action: str) -> None:
        """Say in the preview what happens to a row, if the preview shows it."""
        if line in self.previewed and not self.previewed[line].action:
            self.previewed[line].action = action

    def check_owners(self, rows: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
        """Replace owners (e-mails or names) by user ids; reject rows whose owner cannot own candidates."""
        wanted = {values["owner"] for _, values in rows if "owner" in values} - self.owners.keys()
        emails = {key for kind, key in wanted if kind == "email"}
        if emails:
            users = db.session.execute(
                select(User.id, User.email, User.active, User.role).where(User.email.in_(emails))
            ).all()
            found = {user.email: user for user in users}
            for email in emails:
                self.owners["email", email] = owner_or_problem(found.get(email), email)
        names = {key for kind, key in wanted if kind == "name"}
        if names and self.users_by_name is None:
            self.users_by_name = {}
            for user in db.session.execute(select(User.id, User.name, User.email, User.active, User.role)):
                self.users_by_name.setdefault(name_key(user.name), []).append(user)
        for name in names:
            self.owners["name", name] = owner_by_name(self.users_by_name.get(name_key(name), []), name)
        column = "owner" if self.mapping.columns_of("owner") else "owner_email"
        good = []
        for line, values in rows:
            if "owner" in values:
                owner = self.owners[values.pop("owner")]
                if isinstance(owner, str):
                    self.reject(line, [(column, owner)])
                    continue
                values["owner_id"] = owner
            good.append((line, values))
        return good

    def load_matches(self, rows: list[tuple[int, dict]]) -> tuple[dict, dict, dict]:
        """Return the existing candidates the rows may be, by external id, by e-mail, and by name and contact.

        A row with neither an external id nor an e-mail is recognised by its
        name with the same phone or LinkedIn URL, so that files without ids
        (Lever's, Greenhouse's) can be imported again without duplicating anyone.
        """
        external_ids = {values["external_id"] for _, values in rows if "external_id" in values}
        emails = {values[key] for _, values in rows for key in ("email", "alt_email") if key in values}
        phones, linkedins = set(), set()
        for _, values in rows:
            if not any(key in values for key in ("external_id", "email", "alt_email")):
                phones.add(normalize_phone(values.get("phone")))
                linkedins.add(normalize_linkedin(values.get("linkedin_url")))
        phones.discard(None)
        linkedins.discard(None)
        conditions = []
        if external_ids:
            conditions.append(Candidate.external_id.in_(external_ids))
        if emails:
            conditions += [Candidate.email.in_(emails), Candidate.alt_email.in_(emails)]
        if phones:
            conditions.append(Candidate.phone_normalized.in_(phones))
        if linkedins:
            conditions.append(Candidate.linkedin_key.in_(linkedins))
        by_external_id, by_email, by_contact = {}, {}, {}
        if conditions:
            query = select(Candidate).where(or_(*conditions)).options(selectinload(Candidate.tags))
            for candidate in db.session.scalars(query.order_by(Candidate.id)):
                if candidate.external_id:
                    by_external_id[candidate.external_id] = candidate
                for address in candidate.emails:
                    by_email.setdefault(address, candidate)  # the oldest record, if the pool has duplicates
                for key in contact_keys(candidate.name, candidate.phone_normalized, candidate.linkedin_key):
                    by_contact.setdefault(key, candidate)
        return by_external_id, by_email, by_contact

    @staticmethod
    def load_tags(rows: list[tuple[int, dict]]) -> dict[str, Tag]:
        """Return the saved Tag of every tag name in the rows, inserting the new ones (one INSERT)."""
        names = {name for _, values in rows for name in values.get("tags", ())}
        if not names:
            return {}
        tags = {tag.name: tag for tag in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
        if missing := sorted(names - tags.keys()):
            db.session.execute(insert(Tag.__table__), [{"name": name} for name in missing])
            tags |= {tag.name: tag for tag in db.session.scalars(select(Tag).where(Tag.name.in_(missing)))}
        return tags

    def match(
        self, line: int, values: dict, by_external_id: dict, by_email: dict, by_contact: dict
    ) -> Candidate | None | bool:
        """Return the candidate this row updates, None for a new one, or False if the row conflicts (reported)."""
        external_id = values.get("external_id")
        emails = [values[key] for key in ("email", "alt_email") if key in values]
        email = next((address for address in emails if address in by_email), emails[0] if emails else None)
        if external_id and external_id in by_external_id:
            candidate, column = by_external_id[external_id], "external_id"
            other = by_email.get(email)
            if other is not None and other is not candidate:
                message = f"Possible duplicate of {self.reference(other)} (same e-mail). Merge them if they are one."
                ids = () if other.id is None or other.id in self.created_line else (other.id,)
                self.report.add_warning(replace(self.problem(line, "email", message, ids), subject_id=candidate.id))
                self.report.duplicates += 1
        elif email and email in by_email:
            candidate, column = by_email[email], "email" if email == values.get("email") else "alt_email"
            if external_id and candidate.external_id and candidate.external_id != external_id:
                message = (
                    f"The e-mail {email} belongs to {self.reference(candidate)}, whose external id is "
                    f"{shown(candidate.external_id)}, not {shown(external_id)}. Correct one of them."
                )
                self.reject(line, [("external_id", message)])
                return False
        elif not external_id and not emails and (found := self.match_contact(values, by_contact)):
            candidate, column = found
        else:
            return None
        first = self.pending_line.get(candidate) or self.created_line.get(candidate.id)
        first = first or self.matched_line.get(candidate.id)
        if first:
            how = MATCHED_BY[column]
            message = f"Same person as line {first} (same {how}); both rows went into one candidate."
            self.report.add_warning(self.problem(line, column, message))
            self.preview_action(line, f"same person as line {first}")
        else:
            if candidate.id is not None:
                self.matched_line[candidate.id] = line
            self.preview_action(line, f"updates #{candidate.id} (same {MATCHED_BY[column]})")
        return candidate

    @staticmethod
    def match_contact(values: dict, by_contact: dict) -> tuple[Candidate, str] | None:
        """Return the candidate with the row's name and phone (or LinkedIn URL), and the column that matched."""
        phone, linkedin = normalize_phone(values.get("phone")), normalize_linkedin(values.get("linkedin_url"))
        for key in contact_keys(values.get("name", ""), phone, linkedin):
            if key in by_contact:
                return by_contact[key], "phone" if key[0] == "phone" else "linkedin"
        return None

    def keep_closed_status(self, line: int, candidate: Candidate, values: dict) -> None:
        """Leave a declined, rejected, hired or paused candidate's status alone, with a warning saying so.

        A file from another system says where someone stood there, often long ago; reopening a
        closed record in the pool is a person's decision, taken on the candidate's page.
        """
        status = values.get("status")
        if status and status != candidate.status and candidate.status in CLOSED_STATUSES:
            del values["status"]
            message = (
                f"Kept the status {candidate.status.label.lower()}: an import does not reopen a closed record "
                f"(the file says {status.label.lower()}). Change it on the candidate's page if they are back in play."
            )
            self.report.add_warning(self.problem(line, "status", message))

    def fill(self, candidate: Candidate, values: dict, tags: dict[str, Tag]) -> bool:
        """Copy a row's values onto a candidate; return True if anything changed.

        Filled cells replace stored values; empty cells keep them. A new e-mail
        address goes to the free e-mail field (a second one with no field free is
        noted); notes, note lines and tags are added, never removed.
        """
        changed = False
        for name in SCALARS:
            if name in values and getattr(candidate, name) != values[name]:
                setattr(candidate, name, values[name])
                changed = True
        note_lines = list(values.get("note_lines", ()))
        email = values.get("email")
        if email and email not in candidate.emails:
            if candidate.email is None or candidate.alt_email is not None:
                candidate.email = email
            else:
                candidate.alt_email = email
            changed = True
        alt_email = values.get("alt_email")
        if alt_email and alt_email not in candidate.emails:
            if candidate.email is None:
                candidate.email = alt_email
            elif candidate.alt_email is None:
                candidate.alt_email = alt_email
            else:
                note_lines.append(f"Other e-mail: {alt_email}")
            changed = True
        notes = values.get("notes")
        if notes and notes not in candidate.notes:
            candidate.notes = f"{candidate.notes}\n\n{notes}" if candidate.notes else notes
            changed = True
        present_lines = {line.strip() for line in candidate.notes.splitlines()}
        missing = [line for line in dict.fromkeys(note_lines) if line.strip() not in present_lines]
        if missing:
            added = "\n".join(missing)
            candidate.notes = f"{candidate.notes}\n\n{added}" if candidate.notes else added
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
                if names_alike(candidate.name, other_name):
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
        self.report.add_warning(replace(self.problem(line, None, message, ids), subject_id=candidate_id))
        self.report.duplicates += 1
        self.preview_action(line, "new, possible duplicate")

    def finish(self) -> None:
        """Fill in the counts and notes of the report."""
        self.report.updated = len(self.changed)
        self.report.unchanged = len(self.matched_line.keys() - self.changed)
        if self.without_keys:
            self.report.notes.append(
                f"{self.without_keys:,} rows have no external_id, e-mail, phone or LinkedIn URL, so a later import "
                "cannot recognise them: importing this file again would add those people again."
            )
        if self.big_companies:
            self.report.notes.append(
                f"Names were not compared at {len(self.big_companies):,} companies with more than "
                f"{MAX_COMPANY_GROUP} candidates each; phones and LinkedIn URLs were."
            )
        self.report.errors.sort(key=lambda problem: problem.line)
        self.report.warnings.sort(key=lambda problem: problem.line)


MATCHED_BY = {
    "external_id": "external id",
    "email": "e-mail",
    "alt_email": "e-mail",
    "phone": "name and phone",
    "linkedin": "name and LinkedIn URL",
}


def contact_keys(name: str, phone: str | None, linkedin: str | None) -> list[tuple[str, str, str]]:
    """Return the keys that recognise a person without an id or e-mail: the name with the phone, or LinkedIn URL."""
    name = name_key(name or "")
    keys = [("phone", name, phone)] if name and phone else []
    return keys + ([("linkedin", name, linkedin)] if name and linkedin else [])


def column_index(letter: str) -> int:
    """Return the 0-based index of a spreadsheet column letter (A -> 0, AA -> 26)."""
    index = 0
    for char in letter:
        index = index * 26 + ord(char) - ord("A") + 1
    return index - 1


def company_key(company: str | None) -> str | None:
    """Return the form companies are compared in (trimmed, lowercase), or None."""
    return company.strip().lower() or None if company else None


def read_mapping(data: bytes | BinaryIO) -> tuple[ColumnMapping, list[str]]:
    """Return the guessed mapping of a file's header and its first data row's cells (as examples).

    Raises CsvFileError if the file cannot be read.
    """
    table = read_table(data)
    try:
        first = next(iter(table.rows()), (0, []))[1]
        return guess(table.header_cells), [cell.strip() for cell in first]
    finally:
        if isinstance(table, XlsxFile):
            table.close()


class ImportRunning(Exception):
    """Another import held the lock longer than this one may wait."""


def lock_out_other_imports() -> None:
    """Take, for the rest of the transaction, the lock that lets one import run at a time.

    Taken before the import reads anything, so that it matches its rows against
    everything an earlier import committed. Raises ImportRunning if the lock is
    not free within the statement timeout (SQLite: its busy timeout).
    """
    connection = db.session.connection()
    try:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})
        elif connection.dialect.name == "sqlite":
            # A write that changes nothing: the driver opens a transaction and SQLite takes its
            # write lock, now, as BEGIN IMMEDIATE would, instead of at the import's first INSERT.
            connection.execute(text("DELETE FROM tag WHERE 0"))
    except OperationalError as error:
        raise ImportRunning from error


def new_candidate_ids(count: int) -> list[int]:
    """Return ``count`` unused candidate ids, for an executemany INSERT that needs none back.

    RETURNING in row order would make SQLite insert row by row; the ids are known beforehand instead.
    """
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        query = text("SELECT nextval(pg_get_serial_sequence('candidate', 'id')) FROM generate_series(1, :count)")
        return list(connection.scalars(query, {"count": count}))
    # SQLite gives a new row the largest id plus one; nobody else inserts while the import holds the write lock.
    first = (connection.scalar(select(func.max(Candidate.id))) or 0) + 1
    return list(range(first, first + count))


def import_candidates(
    data: bytes | BinaryIO,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    max_rows: int | None = None,
    actor: User | None = None,
    via: str = "command line",
    on_progress: Callable[[int], None] | None = None,
    targets: list[str] | None = None,
    overrides: dict[str, str] | None = None,
) -> ImportReport:
    """Check a CSV or XLSX file of candidates and import it in one transaction; return what was found and done.

    With errors in the file nothing is written, unless ``skip_invalid``, which
    imports the good rows. ``dry_run`` checks everything and writes nothing.
    ``on_progress`` is called after each chunk with the number of bytes read.
    The columns are read as ``hiring.column_mapping.guess`` says, unless
    ``targets`` gives every column's target (the upload page's choice) or
    ``overrides`` changes some, by header (the command's --map).
    """
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    table = None
    try:
        table = read_table(data)
        report.kind = "XLSX" if isinstance(table, XlsxFile) else "CSV"
        report.notes += table.notes
        report.mapping = mapping = guess(table.header_cells)
        if targets is not None:
            mapping.choose(targets)
        if overrides:
            mapping.override(overrides)
        report.unknown_columns, report.ignored_columns = mapping.unknown, mapping.ignored
        if problems := mapping.problems():
            report.mapping_errors = problems
            raise CsvFileError(" ".join(problems))
        if max_rows is not None and table.count_rows(stop_after=max_rows + 1) > max_rows:
            raise CsvFileError(TOO_MANY_ROWS.format(max_rows=max_rows))
        lock_out_other_imports()
        run = CandidateImport(table, mapping, report, actor.id if actor is not None else None)
        for chunk in chunked(table.rows(), CHUNK_ROWS):
            run.add(chunk)
            if on_progress is not None:
                on_progress(table.position())
        if not report.rows:
            raise CsvFileError(NO_ROWS)
        run.finish()
    except MappingError as error:
        db.session.rollback()
        report.mapping_errors = [str(error)]
        report.file_error = str(error)
        return report
    except CsvFileError as error:
        db.session.rollback()
        report.file_error = str(error)
        return report
    except ImportRunning:
        db.session.rollback()
        report.file_error = IMPORT_RUNNING
        return report
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        report.file_error = CHANGED_MEANWHILE
        return report
    except BaseException:
        db.session.rollback()  # a crash half-way leaves nothing behind
        raise
    finally:
        if isinstance(table, XlsxFile):
            table.close()
    if dry_run or (report.error_count and not skip_invalid):
        db.session.rollback()
        return report
    record("candidates.imported", actor=actor, details=report.audit_details(via))
    db.session.commit()
    report.committed = True
    return report
