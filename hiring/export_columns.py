"""What an export can hold: the column registry, and the rows of a list of candidates, loaded in batches.

A column knows its key (for URLs and ``flask export --columns``), its label, whether it is ticked
by default and how to read its value from a ``Row``. Rows are loaded ``BATCH`` candidates at a
time, with one IN query per kind of data the chosen columns need (record, tags, openings, ratings,
recommendations, fit), never one query per candidate.

Self-identification (EEO) answers are not in the registry, so no export can hold them.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, case, func

from hiring.pool import pool_query
from models import (
    Application,
    Candidate,
    CandidateScore,
    Opening,
    Rating,
    Recommendation,
    Scorecard,
    ScorecardStatus,
    Shortlist,
    ShortlistEntry,
    Tag,
    Trait,
    User,
    db,
)
from models.candidate import candidate_tag

BATCH = 500
RATING_PREFIX = "rating_"
# The tally reads best first, as a manager scans it.
TALLY_ORDER = (Recommendation.STRONG_YES, Recommendation.YES, Recommendation.NO, Recommendation.STRONG_NO)


@dataclass
class Row:
    """One candidate's data for an export: the record fields and whatever else the chosen columns need."""

    record: dict
    tags: list[str] = field(default_factory=list)
    openings: list[tuple[str, str]] = field(default_factory=list)  # (opening title, stage)
    ratings: dict[int, float] = field(default_factory=dict)  # trait id -> combined (mean) rating
    tally: dict[Recommendation, int] = field(default_factory=dict)
    fit: dict | None = None
    entry: tuple[int, str] | None = None  # (position, comment) on the shortlist being exported


@dataclass(frozen=True)
class Column:
    """One exportable column."""

    key: str
    label: str
    value: Callable[[Row], object]
    default: bool = False
    group: str = "Record"
    needs: str | None = None  # the batch loader its value comes from, beyond the record
    width: int = 16  # characters, for XLSX
    fields: tuple[str, ...] = ()  # the candidate fields it reads ("owner_name": the owner's name)
    trait_id: int | None = None  # a combined-rating column's trait


def _label(value) -> str | None:
    return value.label if value is not None else None


def _day(value) -> date | None:
    return value.date() if value is not None else None


def _number(value) -> float | None:
    return float(value) if isinstance(value, Decimal) else value


def _yes_no(value) -> str:
    return "yes" if value else "no"


def record_column(key: str, label: str, name: str, default=False, width=16, show=None) -> Column:
    """A column of one candidate field, shown through ``show`` if given."""
    read = (lambda row: show(row.record[name])) if show else (lambda row: row.record[name])
    return Column(key, label, read, default, width=width, fields=(name,))


def _tally_text(row: Row) -> str:
    return "; ".join(f"{choice.label} {row.tally[choice]}" for choice in TALLY_ORDER if row.tally.get(choice))


def _reasons_text(row: Row) -> str | None:
    if row.fit is None:
        return None
    reasons = row.fit["reasons"]
    return "; ".join(f"{r['label']} {r['effect']:+.1f}" for r in [*reasons.get("up", []), *reasons.get("down", [])])


def _fit(read: Callable[[dict], object]) -> Callable[[Row], object]:
    return lambda row: read(row.fit) if row.fit is not None else None


FIT = "Interviews and fit"
# The fixed columns, in export order; trait columns go after "openings" (see available_columns).
BEFORE_TRAITS = [
    record_column("name", "Name", "name", True, 24),
    record_column("email", "E-mail", "email", True, 28),
    record_column("phone", "Phone", "phone", True, 18),
    record_column("status", "Status", "status", True, 13, _label),
    Column("openings", "Openings (stage)", lambda r: "; ".join(f"{t} ({s})" for t, s in r.openings), True,
           needs="openings", width=30),
]  # fmt: skip
AFTER_TRAITS = [
    Column("recommendations", "Recommendations", _tally_text, True, FIT, "tally", 24),
    Column("tier", "Predicted tier", _fit(lambda fit: fit["predicted_tier"].value), True, FIT, "fit", 9),
    Column("p_a", "P(A) %", _fit(lambda fit: round(100 * fit["p_a"])), True, FIT, "fit", 8),
    Column("certainty", "Certainty", _fit(lambda fit: fit["certainty"].label), True, FIT, "fit", 10),
    Column("reasons", "Top reasons", _reasons_text, True, FIT, "fit", 40),
    record_column("owner", "Owner", "owner_name", True, 18),
    record_column("last_touch", "Last touch", "last_touch_at", True, 12, _day),
    Column("fit", "Fit score (0-100)", _fit(lambda fit: round(fit["score"], 1)), False, FIT, "fit", 9),
    record_column("id", "Bench id", "id", width=9),
    record_column("external_id", "External id", "external_id"),
    record_column("alt_email", "Other e-mail", "alt_email", width=28),
    record_column("linkedin", "LinkedIn", "linkedin_url", width=30),
    record_column("location", "Location", "location"),
    record_column("company", "Company", "company", width=20),
    record_column("title", "Job title", "title", width=20),
    record_column("segment", "Segment", "segment", width=12, show=_label),
    record_column("deal_size", "Typical deal size", "typical_deal_size", width=12),
    record_column("sales_cycle", "Sales cycle (days)", "sales_cycle_days", width=10),
    record_column("quota_years", "Years carrying quota", "quota_years", width=10, show=_number),
    record_column("past_attainment", "Past attainment %", "past_attainment_pct", width=10),
    record_column("attainment_verified", "Attainment verified", "attainment_verified", width=10, show=_yes_no),
    record_column("source", "Source", "source", width=12, show=_label),
    record_column("referrer", "Referrer", "referrer", width=20),
    Column("tags", "Tags", lambda r: "; ".join(r.tags), needs="tags", width=24),
    record_column("next_touch", "Next touch", "next_touch_on", width=12),
    record_column("notes", "Notes", "notes", width=50),
    record_column("created", "Created (UTC)", "created_at", width=18),
    record_column("updated", "Updated (UTC)", "updated_at", width=18),
]  # fmt: skip
# Ticked by default on a shortlist's export: its order and comments are what the list is for.
SHORTLIST_COLUMNS = [
    Column("position", "Position", lambda r: r.entry[0], True, group="Shortlist", needs="entry", width=8),
    Column("comment", "Comment", lambda r: r.entry[1], True, group="Shortlist", needs="entry", width=40),
]


class UnknownColumns(ValueError):
    """Column keys that are not in the registry."""

    def __init__(self, keys: list[str]):
        super().__init__(f"Unknown columns: {', '.join(keys)}")
        self.keys = keys


def trait_columns() -> list[Column]:
    """One column per trait in use (not retired): the combined rating, the mean of the ratings given."""
    in_use = db.select(Trait.id, Trait.key, Trait.name).where(Trait.retired.is_(False)).order_by(Trait.id)
    return [
        Column(f"{RATING_PREFIX}{key}", name, lambda row, tid=trait_id: row.ratings.get(tid), True, FIT, "ratings", 10,
               trait_id=trait_id)
        for trait_id, key, name in db.session.execute(in_use)
    ]  # fmt: skip


def available_columns(shortlist: bool = False) -> list[Column]:
    """Every column an export may hold, in export order (with a shortlist's position and comment if asked)."""
    columns = [*BEFORE_TRAITS, *trait_columns(), *AFTER_TRAITS]
    return [*SHORTLIST_COLUMNS, *columns] if shortlist else columns


def default_keys(columns: list[Column]) -> list[str]:
    """The keys of the columns ticked by default."""
    return [column.key for column in columns if column.default]


def pick_columns(keys: Iterable[str], columns: list[Column]) -> list[Column]:
    """The chosen columns in registry order; UnknownColumns if a key is not among ``columns``."""
    wanted = list(dict.fromkeys(keys))
    known = {column.key for column in columns}
    unknown = [key for key in wanted if key not in known]
    if unknown:
        raise UnknownColumns(unknown)
    return [column for column in columns if column.key in wanted]


def pool_ids(filters: dict) -> list[int]:
    """The ids of the pool list's candidates for validated filters, in the list's order."""
    query = pool_query(filters).with_only_columns(Candidate.id)
    return list(db.session.scalars(query))


def shortlist_ids(shortlist: Shortlist) -> tuple[list[int], dict[int, tuple[int, str]]]:
    """A shortlist's candidate ids in its order, and each one's (position, comment)."""
    rows = db.session.execute(
        db.select(ShortlistEntry.candidate_id, ShortlistEntry.position, ShortlistEntry.comment)
        .where(ShortlistEntry.shortlist_id == shortlist.id)
        .order_by(ShortlistEntry.position, ShortlistEntry.id)
    ).all()
    return [row[0] for row in rows], {row[0]: (row[1], row[2] or "") for row in rows}


def load_rows(
    ids: list[int], columns: list[Column], entries: dict[int, tuple[int, str]] | None = None
) -> Iterator[Row]:
    """Yield the rows of ``ids`` in that order, loading BATCH candidates at a time."""
    needs = {column.needs for column in columns}
    fields = {name for column in columns for name in column.fields}
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        rows = _records(batch, fields)
        for need, loader in LOADERS.items():
            if need in needs:
                loader(batch, rows, columns)
        for candidate_id in batch:
            row = rows.get(candidate_id)
            if row is None:  # deleted or merged away since the ids were read
                continue
            if entries is not None:
                row.entry = entries.get(candidate_id, (None, ""))
            yield row


def values(rows: Iterable[Row], columns: list[Column]) -> Iterator[list]:
    """Yield each row as the list of its columns' values."""
    readers = [column.value for column in columns]
    for row in rows:
        yield [read(row) for read in readers]


# The loaders run Core statements on the session's connection, over the tables: an export reads
# hundreds of thousands of values, and ORM-enabled statements cost about twice as much per row.
CANDIDATE, USER, SCORE = Candidate.__table__, User.__table__, CandidateScore.__table__
CARD, RATING, TAG, APPLICATION, OPENING = (
    Scorecard.__table__, Rating.__table__, Tag.__table__, Application.__table__, Opening.__table__,
)  # fmt: skip


def _execute(query: Select) -> list:
    return db.session.connection().execute(query).all()


def _records(batch: list[int], fields: set[str]) -> dict[int, Row]:
    # Only the fields the columns show: converting values (dates, enums) costs more than reading them.
    query = db.select(CANDIDATE.c.id, *(CANDIDATE.c[name] for name in sorted(fields - {"id", "owner_name"})))
    if "owner_name" in fields:
        query = query.add_columns(USER.c.name.label("owner_name")).outerjoin(USER, USER.c.id == CANDIDATE.c.owner_id)
    return {row.id: Row(row._asdict()) for row in _execute(query.where(CANDIDATE.c.id.in_(batch)))}


def _tags(batch: list[int], rows: dict[int, Row], columns: list[Column]) -> None:
    query = (
        db.select(candidate_tag.c.candidate_id, TAG.c.name)
        .join(TAG, TAG.c.id == candidate_tag.c.tag_id)
        .where(candidate_tag.c.candidate_id.in_(batch))
        .order_by(TAG.c.name)
    )
    for candidate_id, name in _execute(query):
        rows[candidate_id].tags.append(name)


def _openings(batch: list[int], rows: dict[int, Row], columns: list[Column]) -> None:
    query = (
        db.select(APPLICATION.c.candidate_id, OPENING.c.title, APPLICATION.c.stage)
        .join(OPENING, OPENING.c.id == APPLICATION.c.opening_id)
        .where(APPLICATION.c.candidate_id.in_(batch))
        .order_by(OPENING.c.title, OPENING.c.id)
    )
    for candidate_id, title, stage in _execute(query):
        rows[candidate_id].openings.append((title, stage))


def _submitted(query: Select, batch: list[int]) -> Select:
    # coalesce() keeps SQLite (which has no statistics without ANALYZE) from reading every submitted
    # scorecard through the status index for each batch, instead of the batch's by candidate.
    submitted = func.coalesce(CARD.c.status, "") == ScorecardStatus.SUBMITTED.value
    return query.where(CARD.c.candidate_id.in_(batch), submitted)


def _ratings(batch: list[int], rows: dict[int, Row], columns: list[Column]) -> None:
    # The combined rating is the mean of the ratings given, as on the candidate's page (scorecards.TraitRow).
    # One row per candidate with a mean per trait: a tenth of the rows of one per candidate and trait.
    # (No "trait_id IN" filter: the CASEs ignore other traits, and SQLite plans such a filter badly.)
    traits = [column.trait_id for column in columns if column.trait_id is not None]
    means = [func.avg(case((RATING.c.trait_id == trait_id, RATING.c.score))) for trait_id in traits]
    query = (
        db.select(CARD.c.candidate_id, *means)
        .join(CARD, CARD.c.id == RATING.c.scorecard_id)
        .group_by(CARD.c.candidate_id)
    )
    for candidate_id, *found in _execute(_submitted(query, batch)):
        ratings = rows[candidate_id].ratings
        for trait_id, mean in zip(traits, found, strict=True):
            if mean is not None:
                ratings[trait_id] = round(float(mean), 2)


def _tally(batch: list[int], rows: dict[int, Row], columns: list[Column]) -> None:
    query = (
        db.select(CARD.c.candidate_id, CARD.c.recommendation, func.count())
        .where(CARD.c.recommendation.is_not(None))
        .group_by(CARD.c.candidate_id, CARD.c.recommendation)
    )
    for candidate_id, recommendation, count in _execute(_submitted(query, batch)):
        rows[candidate_id].tally[recommendation] = count


def _fits(batch: list[int], rows: dict[int, Row], columns: list[Column]) -> None:
    columns = ("candidate_id", "p_a", "score", "predicted_tier", "certainty", "reasons")
    query = db.select(*(SCORE.c[name] for name in columns)).where(SCORE.c.candidate_id.in_(batch))
    for row in _execute(query):
        rows[row.candidate_id].fit = dict(row._mapping)


LOADERS: dict[str, Callable[[list[int], dict[int, Row], list[Column]], None]] = {
    "tags": _tags,
    "openings": _openings,
    "ratings": _ratings,
    "tally": _tally,
    "fit": _fits,
}
