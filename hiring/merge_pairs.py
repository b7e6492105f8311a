"""Likely duplicate pairs across the whole pool, found in SQL so the page stays fast with a large pool."""

from dataclasses import dataclass
from itertools import groupby

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, and_, func, select, union_all

from hiring.duplicates import (
    NAME_SIMILARITY,
    REASONS,
    SAME_EMAIL,
    SAME_LINKEDIN,
    SAME_PHONE,
    SIMILAR_NAME,
    name_similarity,
)
from models import Candidate, db
from models.contact import fold

# A value shared by more records than this is a placeholder (a switchboard
# number, a team inbox), not one person; pairing them all would flood the list.
MAX_SHARED = 20
# Names are compared pairwise within a company, so large companies are left
# out of name matching (their people are still paired by contact details).
MAX_COMPANY_GROUP = 40


@dataclass(frozen=True)
class DuplicatePair:
    """Two candidates who look like the same person, the lower id first."""

    candidate: Candidate
    other: Candidate
    reasons: tuple[str, ...]


def _union(selects: list[Select]):
    return selects[0] if len(selects) == 1 else union_all(*selects)


def _pairs_sharing(*columns) -> Select:
    """Return a SELECT of (low id, high id) for candidates with the same value in any of ``columns``.

    Shared values are found first with one GROUP BY; only their few holders are
    then self-joined, through the columns' indexes.
    """
    values = _union([select(column.label("key")).where(column.is_not(None)) for column in columns]).subquery()
    shared = select(values.c.key).group_by(values.c.key).having(func.count().between(2, MAX_SHARED)).cte("shared")
    holders = _union(
        [
            select(Candidate.id.label("candidate_id"), column.label("key")).where(column.in_(select(shared.c.key)))
            for column in columns
        ]
    ).cte("holders")
    a, b = holders.alias("a"), holders.alias("b")
    return (
        select(a.c.candidate_id, b.c.candidate_id)
        .join_from(a, b, and_(a.c.key == b.c.key, a.c.candidate_id < b.c.candidate_id))
        .distinct()
    )


def contact_pairs() -> dict[tuple[int, int], set[str]]:
    """Return candidate pairs that share an e-mail (in either column), a phone or a LinkedIn URL."""
    pairs: dict[tuple[int, int], set[str]] = {}
    for reason, columns in (
        (SAME_EMAIL, (Candidate.email, Candidate.alt_email)),
        (SAME_PHONE, (Candidate.phone_normalized,)),
        (SAME_LINKEDIN, (Candidate.linkedin_key,)),
    ):
        for low, high in db.session.execute(_pairs_sharing(*columns)):
            pairs.setdefault((low, high), set()).add(reason)
    return pairs


def _name_key(name: str) -> str:
    # What name_similarity compares: folded words in alphabetical order. Folding
    # only changes accented letters, so plain ASCII names skip it (it is the slow part).
    return " ".join(sorted((name.lower() if name.isascii() else fold(name)).split()))


def _affixes(name_key: str) -> set[str]:
    # Names this similar nearly always share the first or last two letters of a word
    # ("Jon"/"John", "Kristina"/"Christina"), so only names sharing one are compared.
    return {affix for word in name_key.split() for affix in (f"{word[:2]}-", f"-{word[-2:]}")}


def _could_be_similar(a: str, b: str, letters_a: frozenset, letters_b: frozenset) -> bool:
    # An upper bound of difflib's ratio from the letters each name lacks of the other's,
    # all computed in C: it rules out most pairs long before the real (slow) comparison.
    only_a = sum(map(a.count, letters_a - letters_b))
    only_b = sum(map(b.count, letters_b - letters_a))
    common = min(len(a) - only_a, len(b) - only_b)
    return 2 * common >= NAME_SIMILARITY * (len(a) + len(b))


def similar_names_within(people: list[tuple[int, str]]) -> set[tuple[int, int]]:
    """Return the pairs of ids among (id, name) rows of one company whose names are very similar."""
    keys = {person_id: _name_key(name) for person_id, name in people}
    letters = {person_id: frozenset(key) for person_id, key in keys.items()}
    by_affix: dict[str, list[int]] = {}
    for person_id, key in keys.items():
        for affix in _affixes(key):
            by_affix.setdefault(affix, []).append(person_id)
    names = dict(people)
    compared, pairs = set(), set()
    for ids in by_affix.values():
        for index, a in enumerate(ids):
            for b in ids[index + 1 :]:
                if (a, b) in compared:
                    continue
                compared.add((a, b))
                if _could_be_similar(keys[a], keys[b], letters[a], letters[b]) and (
                    name_similarity(names[a], names[b]) >= NAME_SIMILARITY
                ):
                    pairs.add((a, b))
    return pairs


def similar_name_pairs() -> set[tuple[int, int]]:
    """Return pairs of candidates with very similar names at the same company (companies of bounded size)."""
    company = func.lower(Candidate.company)
    small_companies = (
        select(company)
        .where(Candidate.company.is_not(None), Candidate.company != "")
        .group_by(company)
        .having(func.count().between(2, MAX_COMPANY_GROUP))
    )
    rows = db.session.execute(
        select(company, Candidate.id, Candidate.name)
        .where(company.in_(small_companies))
        .order_by(company, Candidate.id)
    )
    pairs = set()
    for _, members in groupby(rows, key=lambda row: row[0]):
        pairs |= similar_names_within([(row.id, row.name) for row in members])
    return pairs


def likely_duplicate_pairs() -> list[tuple[int, int, tuple[str, ...]]]:
    """Return (low id, high id, reasons) of every likely duplicate pair, most reasons and newest first."""
    pairs = contact_pairs()
    for pair in similar_name_pairs():
        pairs.setdefault(pair, set()).add(SIMILAR_NAME)
    found = [(low, high, tuple(r for r in REASONS if r in reasons)) for (low, high), reasons in pairs.items()]
    return sorted(found, key=lambda item: (-len(item[2]), -item[1], -item[0]))


class PairPagination(Pagination):
    """One page of duplicate pairs, with the same interface as ``db.paginate`` for the pagination macros."""

    def _query_items(self) -> list[DuplicatePair]:
        chunk = self._query_args["pairs"][self._query_offset : self._query_offset + self.per_page]
        ids = {candidate_id for low, high, _ in chunk for candidate_id in (low, high)}
        loaded = {c.id: c for c in db.session.scalars(select(Candidate).where(Candidate.id.in_(ids)))}
        return [DuplicatePair(loaded[low], loaded[high], reasons) for low, high, reasons in chunk]

    def _query_count(self) -> int:
        return len(self._query_args["pairs"])


def duplicate_pairs_page(page: int | None = None, per_page: int = 50) -> PairPagination:
    """Return one page of likely duplicate pairs; a page past the end is 404."""
    return PairPagination(page=page, per_page=per_page, max_per_page=200, pairs=likely_duplicate_pairs())
