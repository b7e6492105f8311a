"""Which Bench column each column of a candidate file holds: guessed from its header, changeable by the user.

Besides Bench's own header names, the headers of other systems' exports are
recognised by alias, ignoring case, spaces and punctuation: OpenCATS (list
export and its legacy database export), Lever and the Greenhouse import
template. ``ColumnMapping.map_row`` turns one row into the cells the candidate
import reads, combining columns where needed (first and last name, city and
state, several phones) and keeping in the notes whatever has no column of its
own, so that nothing in the file is lost.
"""

import re
from dataclasses import dataclass, field

from hiring.csv_reading import COLUMNS, column_letter, unguarded
from models import PoolStatus, Source
from models.contact import fold, normalize_linkedin

IGNORE = "ignore"
# Every choice of the mapping, in the order the page lists them, with what it means.
TARGETS: dict[str, str] = {
    IGNORE: "Ignore this column",
    "name": "Full name",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "E-mail",
    "alt_email": "Second e-mail",
    "phone": "Phone",
    "cell_phone": "Mobile phone (preferred as the phone)",
    "work_phone": "Work phone (the phone if there is no mobile)",
    "home_phone": "Home phone (the phone if there is no other)",
    "location": "Location",
    "city": "City (joined with the state into the location)",
    "state": "State or region (joined with the city)",
    "company": "Company",
    "title": "Title",
    "linkedin": "LinkedIn URL",
    "links": "Links (a LinkedIn profile becomes the LinkedIn URL, other links go to the notes)",
    "source": "Source, in Bench's words (" + ", ".join(source.value for source in Source) + ")",
    "source_other": "Source, in another system's words (Bench's source when clear; kept in the notes)",
    "status": "Status, in Bench's words (" + ", ".join(status.value for status in PoolStatus) + ")",
    "stage": "Stage in another system (the status when clear; kept in the notes)",
    "owner": "Owner: a Bench user's e-mail or name",
    "owner_email": "Owner's e-mail",
    "tags": "Tags (separated by commas or semicolons)",
    "notes": "Notes",
    "keep_in_notes": "Keep in the notes, labelled with the column's name",
    "external_id": "External id (re-imports match on it)",
    "opencats_id": "OpenCATS candidate id (stored as opencats:ID)",
    "next_touch": "Next touch date (YYYY-MM-DD)",
}
# Columns that several file columns may feed; any other target takes one column at most.
MULTIPLE = {IGNORE, "phone", "cell_phone", "work_phone", "home_phone", "links", "source_other", "stage", "tags"}
MULTIPLE |= {"notes", "keep_in_notes"}
# Targets that fill the same Bench field, so at most one of each group may be chosen.
EXCLUSIVE = ({"external_id", "opencats_id"}, {"owner", "owner_email"})
# The phone is the first non-empty of these, in this order; the other numbers go to the notes.
PHONES = ("phone", "cell_phone", "work_phone", "home_phone")
NAME_TARGETS = ("name", "first_name", "last_name")


def alias_key(header: str) -> str:
    """Return the form headers are compared in: lowercase letters and digits only ("E-Mail" -> "email")."""
    return re.sub(r"[\W_]+", "", fold(header))


def aliases(table: dict[str, str]) -> dict[str, str]:
    """Return an alias table keyed by ``alias_key``."""
    return {alias_key(header): target for header, target in table.items()}


@dataclass(frozen=True)
class Profile:
    """The headers of one system's export, and the Bench column each stands for."""

    key: str
    label: str
    headers: dict[str, str]


PROFILES = (
    Profile("bench", "Bench's own columns", aliases({column: column for column in COLUMNS})),
    Profile(
        "opencats",
        "an OpenCATS list export",
        aliases({
            "First Name": "first_name", "Last Name": "last_name", "E-Mail": "email", "2nd E-Mail": "alt_email",
            "Home Phone": "home_phone", "Cell Phone": "cell_phone", "Work Phone": "work_phone", "City": "city",
            "State": "state", "Key Skills": "tags", "Source": "source_other", "Current Employer": "company",
            "Misc Notes": "notes", "Owner": "owner", "Created": "keep_in_notes", "Modified": IGNORE,
            "Date Created": "keep_in_notes", "Date Modified": IGNORE, "Web Site": "links",
        }),
    ),
    Profile(
        "opencats_legacy",
        "an OpenCATS legacy export",
        aliases({
            "candidateID": "opencats_id", "lastName": "last_name", "firstName": "first_name",
            "phoneHome": "home_phone", "phoneCell": "cell_phone", "phoneWork": "work_phone", "email1": "email",
            "email2": "alt_email", "keySkills": "tags", "city": "city", "state": "state", "source": "source_other",
            "currentEmployer": "company", "notes": "notes", "webSite": "links", "dateCreated": "keep_in_notes",
            "dateModified": IGNORE,
        }),
    ),
    Profile(
        "lever",
        "a Lever export",
        aliases({
            "Full Name": "name", "Email": "email", "Phone": "phone", "Location": "location",
            "Sources": "source_other", "Origin": "source_other", "Tags": "tags", "Stage": "stage",
            "Date Added": "keep_in_notes", "Company": "company", "Links": "links", "Headline": "title",
        }),
    ),
    Profile(
        "greenhouse",
        "a Greenhouse import file",
        aliases({
            "First Name": "first_name", "Last Name": "last_name", "Company": "company", "Title": "title",
            "Email": "email", "Phone": "phone", "Social Media": "links", "Website": "links",
            "Source": "source_other", "Notes": "notes",
        }),
    ),
)  # fmt: skip
PROFILE_BY_KEY = {profile.key: profile for profile in PROFILES}
# Headers recognised whatever the file's origin (the profile's own reading wins).
COMMON = aliases({
    "Full Name": "name", "First Name": "first_name", "Last Name": "last_name", "E-Mail": "email",
    "E-Mail Address": "email", "Mobile": "cell_phone", "Mobile Phone": "cell_phone", "Cell Phone": "cell_phone",
    "Work Phone": "work_phone", "Home Phone": "home_phone", "City": "city", "State": "state",
    "Current Employer": "company", "Job Title": "title", "LinkedIn URL": "linkedin", "LinkedIn Profile": "linkedin",
})  # fmt: skip

# Another system's words for Bench's sources and statuses, compared as lowercase words without accents.
SOURCE_WORDS = {
    Source.REFERRAL: ("referral", "referred", "employee referral", "referred by"),
    Source.EVENT: ("event", "career fair", "job fair", "conference", "meetup", "campus", "university"),
    Source.INBOUND: ("applied", "inbound", "career site", "careers page", "company website", "job board", "indeed"),
    Source.SOURCED: ("sourced", "sourcing", "linkedin", "outbound", "prospected", "headhunted"),
    Source.AGENCY: ("agency", "recruiting agency", "staffing agency", "search firm"),
}
STAGE_WORDS = {
    PoolStatus.HIRED: ("hired",),
    PoolStatus.OFFER: ("offer", "offer extended", "offer made"),
    PoolStatus.INTERVIEWING: ("interview", "phone screen", "recruiter screen", "screen", "onsite", "on site"),
    PoolStatus.ENGAGED: ("reached out", "responded", "contacted", "replied"),
    PoolStatus.PROSPECT: ("new lead", "lead", "new applicant", "new"),
    PoolStatus.REJECTED: ("rejected", "disqualified"),
    PoolStatus.DECLINED: ("declined", "withdrew", "withdrawn"),
}
URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.[a-z]{2,}/\S*", re.IGNORECASE)


class MappingError(ValueError):
    """The mapping asked for cannot be used; the message says why."""


def words(text: str) -> str:
    """Return text as lowercase words without accents or punctuation, for matching other systems' labels."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def phrase_match(text: str, table: dict) -> object | None:
    """Return the key of ``table`` whose phrases match ``text``: the whole text first, then any phrase in it."""
    said = words(text)
    for key, phrases in table.items():
        if said == key.value.replace("_", " ") or said in phrases:
            return key
    for key, phrases in table.items():
        if any(re.search(rf"\b{re.escape(phrase)}\b", said) for phrase in phrases):
            return key
    return None


def source_of(text: str) -> Source | None:
    """Return Bench's source for another system's source ("Employee Referral" -> referral), or None if unclear."""
    return phrase_match(text, SOURCE_WORDS)


def status_of(text: str) -> PoolStatus | None:
    """Return Bench's status for another system's stage ("Phone screen" -> interviewing), or None if unclear."""
    if (member := phrase_match(text, {status: () for status in PoolStatus})) is not None:
        return member
    return phrase_match(text, STAGE_WORDS)


def is_linkedin(url: str) -> bool:
    """Return True if the URL is a LinkedIn page."""
    return (normalize_linkedin(url) or "").startswith("linkedin.com/")


@dataclass
class MappedRow:
    """One row as the candidate import reads it: cells by Bench column, where each came from, and note lines."""

    cells: dict[str, str] = field(default_factory=dict)
    origins: dict[str, int] = field(default_factory=dict)  # Bench column -> index of the file column
    note_lines: list[str] = field(default_factory=list)

    def put(self, column: str, value: str, index: int) -> None:
        """Set a cell and remember its file column."""
        self.cells[column] = value
        self.origins[column] = index


@dataclass
class ColumnMapping:
    """The file's headers and, for each, the Bench column it is read as (or "ignore")."""

    headers: list[str]
    targets: list[str]
    profile: Profile = PROFILES[0]
    recognised: list[bool] = field(default_factory=list)

    @property
    def unknown(self) -> list[str]:
        """Headers that are not a column Bench knows, and so are ignored."""
        columns = zip(self.headers, self.targets, self.recognised, strict=True)
        return [header.strip() for header, target, known in columns if target == IGNORE and not known]

    @property
    def ignored(self) -> list[str]:
        """Headers that Bench knows but which the mapping ignores."""
        columns = zip(self.headers, self.targets, self.recognised, strict=True)
        return [header.strip() for header, target, known in columns if target == IGNORE and known]

    def columns_of(self, target: str) -> list[int]:
        """Return the indexes of the file columns read as ``target``."""
        return [index for index, chosen in enumerate(self.targets) if chosen == target]

    def problems(self) -> list[str]:
        """Return why this mapping cannot be used, if it cannot (each problem one sentence)."""
        problems = []
        for target in TARGETS:
            indexes = self.columns_of(target)
            if target not in MULTIPLE and len(indexes) > 1:
                problems.append(self.twice(target, indexes))
        for group in EXCLUSIVE:
            indexes = sorted(index for target in group for index in self.columns_of(target))
            if len(indexes) > 1 and len({self.targets[i] for i in indexes}) > 1:
                problems.append(self.twice(" or ".join(sorted(group)), indexes))
        if all(target == IGNORE for target in self.targets):
            found = ", ".join(header.strip() for header in self.headers[:10] if header.strip())
            problems.append(
                "The first line must name the columns, but none of its cells is a column Bench knows. "
                f"Found: {found}. Known columns: {', '.join(COLUMNS)}."
            )
        elif not any(self.columns_of(target) for target in NAME_TARGETS):
            problems.append("The file needs a name column, or first_name and last_name columns.")
        return problems

    def twice(self, target: str, indexes: list[int]) -> str:
        """Return the message for a Bench column read from several file columns."""
        if len({alias_key(self.headers[index]) for index in indexes}) == 1:
            first, second = column_letter(indexes[0]), column_letter(indexes[1])
            return f"The column {target} appears twice (columns {first} and {second})."
        listed = " and ".join(f"{column_letter(i)} ({self.headers[i].strip()})" for i in indexes)
        return f"Columns {listed} are both read as {target}. Choose one of them, and another use for the other."

    def override(self, choices: dict[str, str]) -> None:
        """Change the targets of columns named by header (compared like aliases); raise MappingError if unclear."""
        for header, target in choices.items():
            if target not in TARGETS:
                raise MappingError(f"Unknown Bench column “{target}”. Use one of: {', '.join(TARGETS)}.")
            exact = [i for i, name in enumerate(self.headers) if name.strip() == header.strip()]
            similar = [i for i, name in enumerate(self.headers) if alias_key(name) == alias_key(header)]
            indexes = exact or similar
            if not indexes:
                listed = ", ".join(name.strip() for name in self.headers if name.strip())
                raise MappingError(f"The file has no column “{header}”. Its columns are: {listed}.")
            if len(indexes) > 1:
                raise MappingError(f"The file has several columns called “{header}”.")
            self.targets[indexes[0]] = target

    def choose(self, targets: list[str]) -> None:
        """Replace every column's target (one per header, as the page posts them)."""
        if len(targets) != len(self.headers) or any(target not in TARGETS for target in targets):
            raise MappingError("The mapping does not fit this file. Choose what each column holds again.")
        self.targets = list(targets)

    def letter(self, column: str) -> str | None:
        """Return the letter of the first file column feeding a Bench column, or None."""
        for target in (column, *SOURCES_OF.get(column, ())):
            if indexes := self.columns_of(target):
                return column_letter(indexes[0])
        return None

    def describe_all(self) -> list[tuple[str, str, str]]:
        """Return (letter, header, target) for every column of the file, in order."""
        columns = enumerate(zip(self.headers, self.targets, strict=True))
        return [(column_letter(index), header.strip(), target) for index, (header, target) in columns]

    def describe(self) -> list[tuple[str, str, str]]:
        """Return (letter, header, target) for every named column of the file."""
        return [column for column in self.describe_all() if column[1]]

    def map_row(self, cells: list[str]) -> MappedRow:
        """Return one row's cells as the candidate import reads them, combining and noting as the mapping says."""
        row = MappedRow()
        phones, places, sources, stages = [], {}, [], []
        for index, target in enumerate(self.targets):
            value = unguarded(cells[index]) if index < len(cells) else ""
            if target == IGNORE or not value:
                continue
            label = self.headers[index].strip()
            if target in PHONES:
                phones.append((PHONES.index(target), index, label, value))
            elif target in ("city", "state"):
                places[target] = (index, value)
            elif target == "links":
                self.add_links(row, index, label, value)
            elif target == "source_other":
                sources.append((index, label, value))
            elif target == "stage":
                stages.append((index, label, value))
            elif target in ("tags", "notes"):
                joiner = "; " if target == "tags" else "\n"
                joined = f"{row.cells[target]}{joiner}{value}" if target in row.cells else value
                row.put(target, joined, row.origins.get(target, index))
            elif target == "keep_in_notes":
                row.note_lines.append(f"{label}: {value}")
            elif target == "opencats_id":
                row.put("external_id", f"opencats:{value}", index)
            else:
                row.put(target, value, index)
        self.combine_phones(row, phones)
        self.combine_place(row, places)
        self.read_words(row, sources, "source", source_of, Source)
        self.read_words(row, stages, "status", status_of, PoolStatus)
        return row

    def add_links(self, row: MappedRow, index: int, label: str, value: str) -> None:
        """Take the first LinkedIn profile among a cell's links as the LinkedIn URL; note the other links."""
        links = URL.findall(value) or [value]
        others = []
        for link in links:
            link = link.rstrip(",;")
            if "linkedin" not in row.cells and is_linkedin(link):
                row.put("linkedin", link, index)
            else:
                others.append(link)
        if others:
            row.note_lines.append(f"{label}: {', '.join(others)}")

    @staticmethod
    def combine_phones(row: MappedRow, phones: list[tuple[int, int, str, str]]) -> None:
        """Use the preferred phone (mobile, then work, then home) as the phone; note the others."""
        phones.sort()
        for number, (_, index, label, value) in enumerate(phones):
            if number == 0:
                row.put("phone", value, index)
            elif re.sub(r"\D", "", value) != re.sub(r"\D", "", row.cells["phone"]):
                row.note_lines.append(f"{label}: {value}")

    @staticmethod
    def combine_place(row: MappedRow, places: dict[str, tuple[int, str]]) -> None:
        """Join city and state into the location, unless the file has a location of its own (then note them)."""
        if not places:
            return
        joined = ", ".join(places[part][1] for part in ("city", "state") if part in places)
        first = min(index for index, _ in places.values())
        if "location" in row.cells:
            if words(joined) not in words(row.cells["location"]):
                row.note_lines.append(f"City and state: {joined}")
        else:
            row.put("location", joined, first)

    @staticmethod
    def read_words(row: MappedRow, found: list, column: str, read, enum_class) -> None:
        """Set a Bench field from another system's word for it when clear; note the original words unless exact."""
        exact = {member.value for member in enum_class}
        for index, label, value in found:
            member = read(value)
            if member is not None and column not in row.cells:
                row.put(column, member.value, index)
            if words(value).replace(" ", "_") not in exact:
                row.note_lines.append(f"{label}: {value}")


# The Bench column a target's value ends up in, when it differs from the target.
SOURCES_OF = {
    "phone": ("cell_phone", "work_phone", "home_phone"),
    "location": ("city", "state"),
    "linkedin": ("links",),
    "source": ("source_other",),
    "status": ("stage",),
    "external_id": ("opencats_id",),
}


def guess(headers: list[str]) -> ColumnMapping:
    """Return the mapping of a header row: the export format whose headers it matches best, then common aliases.

    Bench's own columns win a tie, so Bench's files keep their strict meaning.
    """
    keys = [alias_key(header) for header in headers]

    def score(profile: Profile) -> int:
        return sum(1 for key in keys if key in profile.headers)

    profile = max(PROFILES, key=score)  # max keeps the first of equals: Bench's own
    targets, recognised = [], []
    for key in keys:
        target = profile.headers.get(key) or (COMMON.get(key) if key else None)
        targets.append(target or IGNORE)
        recognised.append(target is not None)
    mapping = ColumnMapping(list(headers), targets, profile, recognised)
    # A second column with the same meaning (two "Phone" columns, say) is ignored and reported, not an error,
    # unless both have the same header: that is a mistake in the file.
    for target in TARGETS:
        indexes = mapping.columns_of(target)
        if target not in MULTIPLE and len(indexes) > 1 and len({keys[i] for i in indexes}) > 1:
            for index in indexes[1:]:
                mapping.targets[index] = IGNORE
    return mapping
