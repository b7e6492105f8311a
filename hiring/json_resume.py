"""JSON Resume (jsonresume.org, schema v1.x): check, import one file or a folder, and export a candidate.

Every document is hostile until checked: its size is capped before it is read, its
nesting before it is parsed, then the schema kept in the repo (``hiring/schemas``,
checked offline with jsonschema's draft-07 validator) and Bench's own rules (real
dates, a valid e-mail, bounded lengths) report every problem with its JSON path.
A good document becomes a candidate (matched by the same document attached before,
else by e-mail; otherwise created) and is attached as a JSON Resume through
``store_resume``, so its text is searched and the same file is one attachment.
"""

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from flask import Response
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from hiring.access import allow
from hiring.audit import record
from hiring.duplicates import duplicates_of
from hiring.pool_actions import add_imported_candidate
from hiring.resume_store import discard_file, store_resume
from models import Candidate, PoolStatus, ResumeFile, ResumeKind, Role, User, db, normalize_email
from models.candidate import normalize_tag, tags_named
from models.contact import normalize_linkedin, normalize_phone

SCHEMA_PATH = Path(__file__).parent / "schemas" / "json-resume.schema.json"
SOURCE = "json"
VIA = "json resume"

# Limits on one document: a resume is a few kilobytes, a few levels deep.
MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 20
MAX_ITEMS = 500  # entries in one list (work, skills, keywords ...)
MAX_KEYS = 200  # fields in one object
MAX_STRING = 20_000  # characters in one value
# Files in one folder import (the folder is not searched recursively).
MAX_FILES = 500
# Problems reported per document; the rest are counted.
MAX_PROBLEMS = 30
# Skills become tags; more than this is a keyword list, not a profile.
MAX_TAGS = 30
TAG_MAX = 60
# The fields an import fills when they are empty in Bench (never replaced: a person may have edited them).
FILLED = ("phone", "location", "linkedin_url", "company", "title")
FIELD_WORDS = {
    "name": "name",
    "email": "e-mail",
    "phone": "phone",
    "location": "location",
    "linkedin_url": "LinkedIn URL",
    "company": "company",
    "title": "title",
}
TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "an object",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "null",
}
DATE_KEYS = ("startDate", "endDate", "date", "releaseDate")
DATE_FORMS = "YYYY-MM-DD, YYYY-MM or YYYY (for example 2021-03-15 or 2021-03)"
TOO_DEEP = f"The JSON is nested more than {MAX_DEPTH} levels deep; a resume is not."
REFERENCES_LEFT_OUT = (
    "References are about other people, so they are kept in the stored file but left out of the searchable text."
)


def column_length(attribute: str) -> int:
    """Return the maximum length of a string column of Candidate."""
    return Candidate.__table__.c[attribute].type.length


# Problems ---------------------------------------------------------------------


def shown(value) -> str:
    """Return a value quoted for a message, shortened if long."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def json_path(parts: Iterable) -> str:
    """Return a JSON path written the way people read it: ``work[0].startDate``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass(frozen=True)
class FileProblem:
    """Something wrong, or worth a look, in one file: the file, where in the document, and what."""

    file: str
    where: str | None
    message: str
    candidate_ids: tuple[int, ...] = ()  # existing candidates the message is about (for links to merge)

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}" if self.where else f"{self.file}: {self.message}"


class DocumentError(ValueError):
    """A document Bench will not import, with every problem found as (JSON path or None, message)."""

    def __init__(self, problems: list[tuple[str | None, str]]):
        super().__init__("; ".join(f"{where}: {message}" if where else message for where, message in problems))
        self.problems = problems


# Reading and checking ------------------------------------------------------------


def parse_document(data: bytes) -> dict:
    """Parse the bytes of a JSON Resume safely; raise DocumentError if they are too big, too deep or not JSON."""
    if len(data) > MAX_BYTES:
        raise DocumentError([(None, too_big(len(data)))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError([(None, f"Not a UTF-8 text file (byte {error.start + 1:,} is not UTF-8).")]) from None
    if not text.strip():
        raise DocumentError([(None, "The file is empty.")])
    try:
        # The C parser guards its own recursion; a too deep document raises RecursionError, caught below.
        document = json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as error:
        raise DocumentError(
            [(None, f"Not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}).")]
        ) from None
    except RecursionError:
        raise DocumentError([(None, TOO_DEEP)]) from None
    except ValueError as error:  # NaN, Infinity, a number of thousands of digits
        raise DocumentError([(None, f"Not valid JSON: {error}.".split(";")[0].rstrip(".") + ".")]) from None
    if nesting_depth(document) > MAX_DEPTH:
        raise DocumentError([(None, TOO_DEEP)])
    return document


def too_big(size: int) -> str:
    """Return the message for a file over the size limit."""
    return f"The file is {size / 1024 / 1024:.1f} MB; a JSON Resume may be at most {MAX_BYTES // 1024 // 1024} MB."


def refuse_constant(name: str):
    """Refuse NaN and Infinity, which Python's json accepts but JSON does not."""
    raise ValueError(f"{name} is not a JSON value")


def nesting_depth(value) -> int:
    """Return how deeply lists and objects nest in a parsed document, counting no further than MAX_DEPTH + 1."""
    deepest, stack = 0, [(value, 0)]
    while stack and deepest <= MAX_DEPTH:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth + 1)
            children = item.values() if isinstance(item, dict) else item
            stack += [(child, depth + 1) for child in children if isinstance(child, dict | list)]
    return deepest


def size_problems(value, path: tuple = ()) -> Iterator[tuple[str | None, str]]:
    """Yield the values of a parsed document that exceed Bench's limits on lists, objects and text."""
    where = json_path(path) or None
    if isinstance(value, str) and len(value) > MAX_STRING:
        yield where, f"The text is {len(value):,} characters long; the most is {MAX_STRING:,}."
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            yield where, f"The list has {len(value):,} entries; the most is {MAX_ITEMS:,}."
        for index, item in enumerate(value[:MAX_ITEMS]):
            yield from size_problems(item, (*path, index))
    elif isinstance(value, dict):
        if len(value) > MAX_KEYS:
            yield where, f"The object has {len(value):,} fields; the most is {MAX_KEYS:,}."
        for key, item in list(value.items())[:MAX_KEYS]:
            yield from size_problems(item, (*path, key))


@cache
def schema() -> dict:
    """Return the JSON Resume schema kept in the repo (read once)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def is_email(value) -> bool:
    """Return whether a value is an e-mail address Bench accepts (syntax only, no DNS look-up)."""
    if not isinstance(value, str):
        return True  # the type check reports it
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@cache
def validator() -> Draft7Validator:
    """Return the schema's validator: draft-07 rules, e-mails checked as Bench does, no $ref fetched from anywhere."""
    formats = FormatChecker(formats=())
    formats.checks("email")(is_email)
    # An empty registry: a $ref that is not inside the schema fails instead of being fetched.
    return Draft7Validator(schema(), format_checker=formats, registry=Registry())


def schema_message(error) -> tuple[str | None, str]:
    """Return a schema error as (JSON path, message in plain words)."""
    where = json_path(error.absolute_path) or None
    value = error.instance
    if error.validator == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        expected = " or ".join(TYPE_WORDS.get(kind, kind) for kind in wanted)
        return where or "the document", f"Should be {expected}, not {type_word(value)} ({shown(value)})."
    if error.validator == "format" and error.validator_value == "email":
        return where, f"{shown(value)} is not an e-mail address."
    if error.validator == "pattern" and where and where.rsplit(".", 1)[-1] in DATE_KEYS:
        return where, f"{shown(value)} is not a date written as {DATE_FORMS}."
    if error.validator == "additionalProperties" and not error.absolute_path:
        sections = ", ".join(schema()["properties"])
        unknown = sorted(set(value) - set(schema()["properties"]))
        names = ", ".join(f"“{name}”" for name in unknown[:5])
        return None, f"Unknown section {names}: JSON Resume's sections are {sections}."
    return where, error.message


def type_word(value) -> str:
    """Return what kind of JSON value something is, in words."""
    kinds = ((bool, "true or false"), (str, "text"), (int, "a number"), (float, "a number"), (list, "a list"))
    kinds += ((dict, "an object"), (type(None), "null"))
    return next(word for kind, word in kinds if isinstance(value, kind))


def date_problems(document: dict) -> Iterator[tuple[str, str]]:
    """Yield dates that fit the schema's pattern but do not exist (2021-02-30, 2021-13), and ends before starts."""
    for section, entries in document.items():
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            dates = {}
            for key in (key for key in DATE_KEYS if key in entry):
                value = entry[key]
                if not isinstance(value, str) or not re.fullmatch(r"\d{4}(-\d{2}){0,2}", value):
                    continue  # the schema reports it
                parsed = parse_partial_date(value)
                if parsed is None:
                    yield json_path((section, index, key)), f"{shown(value)} is not a real date."
                else:
                    dates[key] = value
            start, end = dates.get("startDate"), dates.get("endDate")
            if start and end and end < start[: len(end)]:
                where = json_path((section, index, "endDate"))
                yield where, f"The end date {shown(end)} is before the start date {shown(start)}."


def parse_partial_date(value: str) -> date | None:
    """Return the first day a date written YYYY, YYYY-MM or YYYY-MM-DD stands for, or None if there is no such day."""
    parts = value.split("-")
    try:
        return date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)
    except ValueError:
        return None


def check_document(data: bytes) -> dict:
    """Return the parsed document if Bench can import it; else raise DocumentError with every problem found."""
    document = parse_document(data)
    problems = list(size_problems(document))
    if problems:
        raise DocumentError(problems[:MAX_PROBLEMS])
    for error in validator().iter_errors(document):
        problems.append(schema_message(error))
        if len(problems) > MAX_PROBLEMS:
            break
    if isinstance(document, dict):
        problems += list(date_problems(document))
        problems += bench_problems(document)
    if len(problems) > MAX_PROBLEMS:
        problems = [*problems[:MAX_PROBLEMS], (None, "There are more problems than these; fix them and check again.")]
    if problems:
        raise DocumentError(problems)
    return document


def bench_problems(document: dict) -> list[tuple[str, str]]:
    """Return what Bench needs that the schema does not ask: a name, and values that fit the candidate record."""
    basics = document.get("basics", {})
    if not isinstance(basics, dict):
        return []  # the schema reported it
    problems = []
    name = basics.get("name")
    if name is None or (isinstance(name, str) and not name.strip()):  # another type: the schema reported it
        problems.append(("basics.name", "A name is required: Bench keeps every candidate by name."))
    try:
        values = map_document(document)
    except (TypeError, AttributeError):  # the schema reported the wrong types already
        return problems
    for attribute, where in values.origins.items():
        value = getattr(values, attribute)
        limit = column_length(attribute)
        if value and len(value) > limit:
            problems.append((where, f"Too long for Bench: {len(value):,} characters, the most is {limit:,}."))
    return problems


# Mapping -------------------------------------------------------------------------


def text_at(mapping, key: str) -> str:
    """Return a mapping's value at ``key`` as trimmed text ('' if missing or not text)."""
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return " ".join(value.split()) if isinstance(value, str) else ""


def entries(document: dict, section: str) -> list[dict]:
    """Return a section's entries that are objects."""
    value = document.get(section)
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def strings(mapping: dict, key: str) -> list[str]:
    """Return a list of texts at ``key`` (trimmed, empty ones dropped)."""
    value = mapping.get(key)
    return (
        [" ".join(item.split()) for item in value if isinstance(item, str) and item.strip()]
        if isinstance(value, list)
        else []
    )


@dataclass
class ResumeValues:
    """What a JSON Resume gives a candidate record, and the text it adds to search."""

    name: str = ""
    email: str | None = None
    phone: str | None = None
    location: str | None = None
    linkedin_url: str | None = None
    company: str | None = None
    title: str | None = None
    tags: list[str] = field(default_factory=list)
    text: str = ""
    notes: list[str] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)  # attribute -> JSON path it came from


def latest_work(document: dict) -> tuple[int, dict] | None:
    """Return the index and entry of the current job: one without an end date, else the latest start."""
    jobs = list(enumerate(entries(document, "work")))
    if not jobs:
        return None
    # Current jobs first, then by start date; on a tie the entry listed first (resumes list the newest first).
    return max(jobs, key=lambda job: (not text_at(job[1], "endDate"), text_at(job[1], "startDate"), -job[0]))


def is_linkedin(profile: dict) -> bool:
    """Return whether a profile is the person's LinkedIn."""
    return text_at(profile, "network").lower() == "linkedin" or "linkedin.com/" in text_at(profile, "url").lower()


def linkedin_of(profile: dict) -> str | None:
    """Return a LinkedIn profile's URL (built from the username if the URL is missing)."""
    url = text_at(profile, "url")
    if url.lower().startswith(("https://", "http://")) and normalize_linkedin(url):
        return url
    username = text_at(profile, "username")
    if username and re.fullmatch(r"[\w\-%.]+", username):
        return f"https://www.linkedin.com/in/{username}"
    return None


def map_document(document: dict) -> ResumeValues:
    """Return the candidate values and searchable text of a checked JSON Resume document."""
    basics = document.get("basics") if isinstance(document.get("basics"), dict) else {}
    values = ResumeValues(name=text_at(basics, "name"))
    values.origins = {"name": "basics.name"}
    email = text_at(basics, "email")
    if email:
        values.email, values.origins["email"] = normalize_email(email), "basics.email"
    if phone := text_at(basics, "phone"):
        values.phone, values.origins["phone"] = phone, "basics.phone"
    place = basics.get("location") if isinstance(basics.get("location"), dict) else {}
    location = ", ".join(part for part in (text_at(place, k) for k in ("city", "region", "countryCode")) if part)
    if location:
        values.location, values.origins["location"] = location, "basics.location"
    for index, profile in enumerate(entries(basics, "profiles")):
        if values.linkedin_url is None and is_linkedin(profile) and (url := linkedin_of(profile)):
            values.linkedin_url, values.origins["linkedin_url"] = url, f"basics.profiles[{index}].url"
    current = latest_work(document)
    if current:
        index, job = current
        # "company" is the name the field had before schema 1.0; older files still use it.
        if company := text_at(job, "name") or text_at(job, "company"):
            values.company, values.origins["company"] = company, f"work[{index}].name"
        if position := text_at(job, "position"):
            values.title, values.origins["title"] = position, f"work[{index}].position"
    if not values.title and (label := text_at(basics, "label")):
        values.title, values.origins["title"] = label, "basics.label"
    values.tags = skill_tags(document)
    values.text = resume_text(document, values)
    if entries(document, "references"):
        values.notes.append(REFERENCES_LEFT_OUT)
    return values


def skill_tags(document: dict) -> list[str]:
    """Return the tags of a resume's skills: each skill's name and keywords, normalised, at most MAX_TAGS."""
    names = []
    for skill in entries(document, "skills"):
        names += [text_at(skill, "name"), *strings(skill, "keywords")]
    tags = dict.fromkeys(normalize_tag(name) for name in names if name and len(name) <= TAG_MAX)
    return list(tags)[:MAX_TAGS]


def span(entry: dict) -> str:
    """Return an entry's dates as "(2019-01 – 2021-06)", "(2019-01 – now)" or ""."""
    start, end = text_at(entry, "startDate"), text_at(entry, "endDate")
    if not start and not end:
        return ""
    return f"({start or '?'} – {end or 'now'})"


def joined(*parts: str, sep: str = ", ") -> str:
    """Join the non-empty parts."""
    return sep.join(part for part in parts if part)


def resume_text(document: dict, values: ResumeValues) -> str:
    """Return the searchable text of a resume: everything a recruiter searches by, references and addresses left out."""
    basics = document.get("basics") if isinstance(document.get("basics"), dict) else {}
    lines = [joined(values.name, text_at(basics, "label"), sep=" — "), text_at(basics, "summary")]
    lines.append(joined(values.location or "", text_at(basics, "url")))
    for profile in entries(basics, "profiles"):
        lines.append(joined(text_at(profile, "network"), text_at(profile, "username"), text_at(profile, "url")))
    for job in entries(document, "work"):
        heading = joined(text_at(job, "position"), text_at(job, "name") or text_at(job, "company"))
        heading = joined(heading, span(job), sep=" ")
        lines += [joined("Work", heading, sep=": "), text_at(job, "location"), text_at(job, "description")]
        lines += [text_at(job, "summary"), *strings(job, "highlights")]
    for job in entries(document, "volunteer"):
        heading = joined(joined(text_at(job, "position"), text_at(job, "organization")), span(job), sep=" ")
        lines += [joined("Volunteer", heading, sep=": "), text_at(job, "summary"), *strings(job, "highlights")]
    for school in entries(document, "education"):
        heading = joined(text_at(school, "studyType"), text_at(school, "area"), text_at(school, "institution"))
        lines += [joined("Education", joined(heading, span(school), sep=" "), sep=": "), *strings(school, "courses")]
    for award in entries(document, "awards"):
        lines.append(joined("Award", joined(text_at(award, "title"), text_at(award, "awarder")), sep=": "))
        lines.append(text_at(award, "summary"))
    for certificate in entries(document, "certificates"):
        lines.append(
            joined("Certificate", joined(text_at(certificate, "name"), text_at(certificate, "issuer")), sep=": ")
        )
    for publication in entries(document, "publications"):
        heading = joined(text_at(publication, "name"), text_at(publication, "publisher"))
        lines += [joined("Publication", heading, sep=": "), text_at(publication, "summary")]
    for skill in entries(document, "skills"):
        heading = joined(
            text_at(skill, "name"), f"({text_at(skill, 'level')})" if text_at(skill, "level") else "", sep=" "
        )
        lines.append(joined("Skill", joined(heading, ", ".join(strings(skill, "keywords")), sep=": "), sep=": "))
    for language in entries(document, "languages"):
        lines.append(joined("Language", joined(text_at(language, "language"), text_at(language, "fluency")), sep=": "))
    for interest in entries(document, "interests"):
        lines.append(joined("Interest", joined(text_at(interest, "name"), *strings(interest, "keywords")), sep=": "))
    for project in entries(document, "projects"):
        heading = joined(joined(text_at(project, "name"), text_at(project, "entity")), span(project), sep=" ")
        lines += [joined("Project", heading, sep=": "), text_at(project, "description")]
        lines += [*strings(project, "highlights"), ", ".join(strings(project, "keywords") + strings(project, "roles"))]
    return "\n".join(line for line in lines if line.strip() and not line.endswith(": "))


# Importing -----------------------------------------------------------------------


@dataclass
class JsonImportReport:
    """What a JSON Resume import found and did: counts, and problems by file and JSON path."""

    skip_invalid: bool = False
    folder_error: str | None = None
    files: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # files with errors
    duplicates_flagged: int = 0  # imported candidates who look like someone else in the pool
    attached: int = 0  # documents newly attached (a re-run attaches none)
    errors: list[FileProblem] = field(default_factory=list)
    warnings: list[FileProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def good_files(self) -> int:
        """Files without errors."""
        return self.files - self.skipped

    def summary(self) -> str:
        """Return the counts in one sentence."""
        if not self.committed:
            return f"{count(self.files, 'file')}: {self.good_files:,} good, {self.skipped:,} with errors."
        return (
            f"{count(self.files, 'file')}: {self.created:,} candidates created, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged, {self.duplicates_flagged:,} flagged as possible duplicates, "
            f"{self.skipped:,} with errors."
        )

    def lines(self) -> list[str]:
        """Return the report as lines of text: notes, errors and warnings by file and path, then the counts."""
        lines = list(self.notes)
        for title, problems in (("Errors", self.errors), ("Warnings", self.warnings)):
            if problems:
                lines.append(f"{title} ({len(problems):,}):")
                lines += [f"  {problem}" for problem in problems]
        lines.append(self.summary())
        return lines

    def audit_details(self, via: str) -> dict:
        """Return the counts recorded in the audit log (no personal data)."""
        names = ("files", "created", "updated", "unchanged", "skipped", "duplicates_flagged", "attached")
        return {**{name: getattr(self, name) for name in names}, "via": via}


def count(number: int, noun: str) -> str:
    """Return "1 file", "2 files"."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def matching_candidate(digest: str, email: str | None) -> tuple[Candidate | None, str | None]:
    """Return the candidate a document belongs to and how it was found: the same document attached, else the e-mail."""
    owner_id = db.session.scalar(
        select(ResumeFile.candidate_id)
        .where(ResumeFile.sha256 == digest, ResumeFile.kind == ResumeKind.JSON_RESUME)
        .order_by(ResumeFile.id)
        .limit(1)
    )
    if owner_id is not None:
        return db.session.get(Candidate, owner_id), "the same document"
    if email:
        query = select(Candidate).where(or_(Candidate.email == email, Candidate.alt_email == email))
        candidate = db.session.scalars(query.order_by(Candidate.id).limit(1)).first()  # the oldest, if duplicated
        if candidate is not None:
            return candidate, "the same e-mail"
    return None, None


def same_value(attribute: str, stored: str, incoming: str) -> bool:
    """Return whether two values of a field say the same thing (ignoring case, spaces and phone punctuation)."""
    if attribute == "phone":
        return (normalize_phone(stored) or stored) == (normalize_phone(incoming) or incoming)
    if attribute == "linkedin_url":
        return normalize_linkedin(stored) == normalize_linkedin(incoming)
    return " ".join(stored.split()).casefold() == " ".join(incoming.split()).casefold()


def fill_empty(candidate: Candidate, values: ResumeValues) -> tuple[list[str], list[str]]:
    """Fill the candidate's empty fields from a resume; return the fields filled and those kept although they differ.

    A value already in Bench is never replaced: someone may have corrected it by hand.
    """
    filled, kept = [], []
    if values.name and not same_value("name", candidate.name, values.name):
        kept.append("name")
    if values.email and values.email not in candidate.emails:
        if candidate.email is None:
            candidate.email = values.email
            filled.append("email")
        elif candidate.alt_email is None:
            candidate.alt_email = values.email
            filled.append("alt_email")
        else:
            kept.append("email")
    for attribute in FILLED:
        incoming, stored = getattr(values, attribute), getattr(candidate, attribute)
        if not incoming:
            continue
        if not stored:
            setattr(candidate, attribute, incoming)
            filled.append(attribute)
        elif not same_value(attribute, stored, incoming):
            kept.append(attribute)
    present = set(candidate.tag_names)
    missing = [name for name in values.tags if name not in present]
    if missing:
        candidate.tags += tags_named(missing)
        filled.append("tags")
    return filled, kept


def new_candidate(values: ResumeValues, actor: User | None) -> Candidate:
    """Create a prospect from a resume's values, with the status history every candidate has."""
    candidate = Candidate(
        name=values.name,
        email=values.email,
        phone=values.phone,
        location=values.location,
        linkedin_url=values.linkedin_url,
        company=values.company,
        title=values.title,
        status=PoolStatus.PROSPECT,
        notes="",
    )
    candidate.tags = tags_named(values.tags)
    add_imported_candidate(candidate, actor, VIA)
    return candidate


class JsonResumeImport:
    """One import under way: the documents checked so far, and the files written (removed if it rolls back)."""

    def __init__(self, report: JsonImportReport, actor: User | None):
        self.report = report
        self.actor = actor
        self.written: list[ResumeFile] = []
        self.seen: dict[int, str] = {}  # candidate id -> the first file of this run that imported them
        self.created: set[int] = set()
        self.changed: set[int] = set()
        self.flagged: set[int] = set()

    def add(self, name: str, data: bytes | DocumentError) -> None:
        """Check one document and, unless the run already failed, import it."""
        self.report.files += 1
        try:
            if isinstance(data, DocumentError):
                raise data
            document = check_document(data)
        except DocumentError as error:
            self.report.skipped += 1
            self.report.errors += [FileProblem(name, where, message) for where, message in error.problems]
            return
        if self.report.errors and not self.report.skip_invalid:
            return  # the run will be rolled back: check the rest, write nothing more
        self.save(name, data, map_document(document))

    def save(self, name: str, data: bytes, values: ResumeValues) -> None:
        """Match or create the document's candidate, fill empty fields, attach the document, flag duplicates."""
        candidate, how = matching_candidate(hashlib.sha256(data).hexdigest(), values.email)
        if candidate is None:
            candidate = new_candidate(values, self.actor)
            self.created.add(candidate.id)
            self.report.created += 1
        else:
            if candidate.id in self.seen:
                message = f"Same person as {self.seen[candidate.id]} ({how}); both went into one candidate."
                self.report.warnings.append(FileProblem(name, None, message))
            filled, kept = fill_empty(candidate, values)
            if filled and candidate.id not in self.created:
                self.changed.add(candidate.id)
                record("candidate.updated", candidate, actor=self.actor, details={"fields": filled, "via": VIA})
            if kept:
                words = ", ".join(FIELD_WORDS[attribute] for attribute in kept)
                message = (
                    f"Matched #{candidate.id} by {how}; kept the {words} as in Bench (the resume differs, and a value "
                    "in Bench is never replaced by an import: someone may have edited it)."
                )
                self.report.warnings.append(FileProblem(name, None, message, (candidate.id,)))
        self.seen.setdefault(candidate.id, name)
        db.session.flush()
        resume, is_new = store_resume(candidate, ResumeKind.JSON_RESUME, name, data, values.text, SOURCE, self.actor)
        if is_new:
            self.written.append(resume)
            self.report.attached += 1
        for note in values.notes:
            if note not in self.report.notes:
                self.report.notes.append(note)
        self.flag_duplicates(name, candidate)

    def flag_duplicates(self, name: str, candidate: Candidate) -> None:
        """Warn when the candidate looks like someone else in the pool (e-mail, phone, LinkedIn, name at a company)."""
        matches = duplicates_of(candidate)
        if not matches:
            return
        listed = ", ".join(f"#{match.candidate.id} ({', '.join(match.reasons)})" for match in matches[:3])
        more = f" and {len(matches) - 3} more" if len(matches) > 3 else ""
        message = f"#{candidate.id} may be the same person as {listed}{more}. Merge them if they are one person."
        ids = tuple(match.candidate.id for match in matches[:3])
        self.report.warnings.append(FileProblem(name, None, message, (candidate.id, *ids)))
        self.flagged.add(candidate.id)

    def finish(self) -> None:
        """Fill in the counts the report gives at the end."""
        self.report.updated = len(self.changed)
        self.report.unchanged = len(self.seen.keys() - self.created - self.changed)
        self.report.duplicates_flagged = len(self.flagged)

    def discard(self) -> None:
        """Remove the files this run wrote (its rows are rolled back)."""
        for resume in self.written:
            discard_file(resume)
        self.written.clear()


def import_documents(
    documents: Iterable[tuple[str, bytes | DocumentError]],
    *,
    skip_invalid: bool = False,
    actor: User | None = None,
    via: str = "command line",
    report: JsonImportReport | None = None,
) -> JsonImportReport:
    """Check and import JSON Resume documents, given as (file name, bytes), in one transaction; return the report.

    If any document has an error nothing is imported, unless ``skip_invalid``, which imports the good ones.
    Importing the same documents again changes nothing: the same document is one attachment, the same person
    one candidate.
    """
    report = report or JsonImportReport()
    report.skip_invalid = skip_invalid
    run = JsonResumeImport(report, actor)
    try:
        for name, data in documents:
            run.add(name, data)
        if report.errors and not skip_invalid:
            db.session.rollback()
            run.discard()
            report.warnings.clear()  # about a run that did not happen
            report.notes.clear()
            report.created = report.attached = 0
            return report
        run.finish()
        if report.files:
            record("candidates.imported", actor=actor, details=report.audit_details(f"{VIA}, {via}"))
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        run.discard()
        report.folder_error = "Someone changed the same candidates while the import ran. Run the import again."
        return report
    except BaseException:
        db.session.rollback()  # a crash half-way leaves nothing behind
        run.discard()
        raise
    report.committed = True
    return report


def read_file(path: Path) -> bytes | DocumentError:
    """Return a file's bytes, or a DocumentError if it is not a regular file or is over the size limit."""
    if path.is_symlink() or not path.is_file():
        return DocumentError([(None, "Not a regular file (links and devices are not read).")])
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)  # never more, whatever the file claims
    except OSError as error:
        return DocumentError([(None, f"Cannot read the file: {error.strerror}.")])
    if len(data) > MAX_BYTES:
        return DocumentError([(None, too_big(path.stat().st_size))])
    return data


def json_files(folder: Path) -> list[Path]:
    """Return the *.json files directly in a folder, by name (sub-folders are not searched)."""
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix.lower() == ".json"
        and not path.name.startswith(".")
        and not (path.is_dir() and not path.is_symlink())
    )


def import_path(
    path: Path, *, skip_invalid: bool = False, actor: User | None = None, via: str = "command line"
) -> JsonImportReport:
    """Import one JSON Resume file, or every *.json file of a folder (at most MAX_FILES), in one transaction."""
    report = JsonImportReport(skip_invalid=skip_invalid)
    if path.is_dir():
        files = json_files(path)
        if not files:
            report.folder_error = f"The folder {path.name} has no .json files."
            return report
        if len(files) > MAX_FILES:
            report.folder_error = f"The folder has {len(files):,} .json files; import at most {MAX_FILES:,} at a time."
            return report
    else:
        files = [path]
    # Read one file at a time, so memory holds one document whatever the folder's size.
    documents = ((file.name, read_file(file)) for file in files)
    return import_documents(documents, skip_invalid=skip_invalid, actor=actor, via=via, report=report)


# Exporting -------------------------------------------------------------------------


def candidate_to_json_resume(candidate: Candidate) -> dict:
    """Return a candidate's record as a JSON Resume document (schema v1.x).

    It holds what the candidate would put on a resume: name, contact details, location,
    LinkedIn, current job and tags as skills. Never notes, scorecards, fit scores or
    self-identification answers.
    """
    basics: dict = {"name": candidate.name}
    if candidate.title:
        basics["label"] = candidate.title
    if candidate.email:
        basics["email"] = candidate.email
    if candidate.phone:
        basics["phone"] = candidate.phone
    if candidate.location:
        parts = [part.strip() for part in candidate.location.split(",")]
        # "Austin, TX" -> city and region; anything else stays whole, so importing it back gives the same text.
        basics["location"] = {"city": parts[0], "region": parts[1]} if len(parts) == 2 else {"city": candidate.location}
    if candidate.linkedin_url:
        basics["profiles"] = [{"network": "LinkedIn", "url": candidate.linkedin_url}]
    document: dict = {"basics": basics}
    if candidate.company or candidate.title:
        job = {"name": candidate.company, "position": candidate.title}
        document["work"] = [{key: value for key, value in job.items() if value}]
    if candidate.tag_names:
        document["skills"] = [{"name": name} for name in candidate.tag_names]
    if candidate.updated_at is not None:
        document["meta"] = {"lastModified": candidate.updated_at.strftime("%Y-%m-%dT%H:%M:%S")}
    return document


@allow(Role.MANAGER, Role.ADMIN)
def export_view(candidate_id: int) -> Response:
    """Download a candidate as a JSON Resume file (managers and admins); the export is audited."""
    candidate = db.get_or_404(Candidate, candidate_id)
    document = candidate_to_json_resume(candidate)
    record("candidate.json_resume_exported", candidate)
    db.session.commit()
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="candidate-{candidate_id}.resume.json"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
