"""The pool list's query: search, filters and sort, shared by the list page, export and bulk actions."""

from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, and_, func, or_
from sqlalchemy.orm import defer, joinedload, selectinload

from models import Application, Candidate, CandidateScore, PoolStatus, Tag, User, db
from models.candidate import candidate_tag
from models.search import count_search_matches, matches_search

# Candidates in these statuses are no longer kept warm.
CLOSED_STATUSES = (PoolStatus.HIRED, PoolStatus.DECLINED, PoolStatus.REJECTED)

SORT_COLUMNS = {
    "name": Candidate.name,
    "company": Candidate.company,
    "title": Candidate.title,
    "location": Candidate.location,
    "status": Candidate.status,
    "owner": User.name,
    "next_touch": Candidate.next_touch_on,
    "last_touch": Candidate.last_touch_at,
    "created": Candidate.created_at,
    "updated": Candidate.updated_at,
    "fit": CandidateScore.score,
    "p_a": CandidateScore.p_a,
}
DEFAULT_SORT = "-updated"
# Sorts by another table's column, which a candidate may lack (no owner, not scored): the join, and the
# ORDER BY of the candidates that have a row there, which that table's index gives in order (see PoolPagination).
JOINED_SORTS = {
    "owner": (User, Candidate.owner_id == User.id, (User.name, User.id)),
    "fit": (CandidateScore, CandidateScore.candidate_id == Candidate.id, (CandidateScore.score,)),
    "p_a": (CandidateScore, CandidateScore.candidate_id == Candidate.id, (CandidateScore.p_a,)),
}
# From this many search matches on, SQLite reads the pool in sort order and keeps the matches, rather
# than sorting every match (see models.search.matches_search).
MANY_MATCHES = 1000


def going_cold_clause(today: date, cold_days: int):
    """Candidates still in play whose next touch is due, or who have not been touched for ``cold_days``."""
    cutoff = datetime.combine(today, datetime.min.time(), UTC) - timedelta(days=cold_days)
    untouched = or_(
        Candidate.last_touch_at < cutoff,
        and_(Candidate.last_touch_at.is_(None), Candidate.created_at < cutoff),
    )
    return and_(Candidate.status.not_in(CLOSED_STATUSES), or_(Candidate.next_touch_on <= today, untouched))


def pool_query(filters: dict, today: date | None = None) -> Select:
    """Return the SELECT of candidates for validated filter values, sorted.

    ``filters`` keys: q, status, source, owner, tag, segment, opening, stage, touch, fit, sort.
    """
    # Tags and owners are shown on every row: load them in two queries, not two per row.
    query = db.select(Candidate).options(selectinload(Candidate.tags), joinedload(Candidate.owner))
    return apply_sort(filter_query(query, filters, today), filters.get("sort") or DEFAULT_SORT)


def filter_query(query: Select, filters: dict, today: date | None = None, many_matches: bool = False) -> Select:
    """Add the WHERE clauses of the filters (all but the sort) to a SELECT of candidates."""
    today = today or date.today()
    search = matches_search(filters.get("q") or "", db.engine.dialect.name, many_matches)
    if search is not None:
        query = query.where(search)
    for key, column in (("status", Candidate.status), ("source", Candidate.source), ("segment", Candidate.segment)):
        if filters.get(key):
            query = query.where(column == filters[key])
    if filters.get("owner") == "none":
        query = query.where(Candidate.owner_id.is_(None))
    elif filters.get("owner"):
        query = query.where(Candidate.owner_id == int(filters["owner"]))
    if filters.get("tag"):
        tagged = db.select(candidate_tag.c.candidate_id).join(Tag).where(Tag.name == filters["tag"])
        query = query.where(Candidate.id.in_(tagged))
    if filters.get("opening") or filters.get("stage"):
        considered = db.select(Application.candidate_id)
        if filters.get("opening"):
            considered = considered.where(Application.opening_id == int(filters["opening"]))
        if filters.get("stage"):
            considered = considered.where(Application.stage == filters["stage"])
        query = query.where(Candidate.id.in_(considered))
    fit = filters.get("fit")
    if fit == "unscored":
        query = query.where(Candidate.id.not_in(db.select(CandidateScore.candidate_id)))
    elif fit:
        query = query.where(
            Candidate.id.in_(db.select(CandidateScore.candidate_id).where(CandidateScore.predicted_tier == fit))
        )
    touch = filters.get("touch")
    if touch == "due":
        query = query.where(Candidate.next_touch_on <= today, Candidate.status.not_in(CLOSED_STATUSES))
    elif touch == "cold":
        query = query.where(going_cold_clause(today, current_app.config["GOING_COLD_DAYS"]))
    elif touch == "none":
        query = query.where(Candidate.next_touch_on.is_(None))
    return query


def sort_key(sort: str) -> tuple[str, bool]:
    """Return the SORT_COLUMNS key of a sort value ("-name" for descending) and whether it is descending."""
    key = sort.lstrip("-")
    return (key, sort.startswith("-")) if key in SORT_COLUMNS else (DEFAULT_SORT.lstrip("-"), True)


def ordered(columns, descending: bool) -> list[ColumnElement]:
    """ORDER BY terms: every column in one direction, empty values last."""
    return [column.desc().nulls_last() if descending else column.asc().nulls_last() for column in columns]


def apply_sort(query: Select, sort: str) -> Select:
    """Order by a listed column ("name", or "-name" for descending), then by id for a stable order."""
    key, descending = sort_key(sort)
    columns = (SORT_COLUMNS[key],)
    if key in JOINED_SORTS:
        table, on, columns = JOINED_SORTS[key]
        query = query.outerjoin(table, on)
    return query.order_by(*ordered((*columns, Candidate.id), descending))


class PoolPagination(Pagination):
    """One page of ``pool_query``'s candidates and their total, in query shapes that stay fast at 100,000 candidates.

    Takes ``filters`` (as for ``pool_query``). Rows are loaded without their long texts (notes, resume,
    search words), which the list does not show. A sort by a column that may be empty (or by another
    table's column) reads first the candidates with a value, in the index's order, then the others by
    id: the same order as ``pool_query``'s "NULLS LAST", without sorting the whole pool.
    """

    def _matches(self) -> int | None:
        """The number of candidates the search words match on SQLite, whatever the other filters (else None)."""
        if "matches" not in self._query_args:
            words, dialect = self._query_args["filters"].get("q") or "", db.engine.dialect.name
            self._query_args["matches"] = count_search_matches(db.session, words, dialect)
        return self._query_args["matches"]

    def _query(self) -> Select:
        filters = self._query_args["filters"]
        many = (self._matches() or 0) >= MANY_MATCHES
        query = db.select(Candidate).options(
            selectinload(Candidate.tags),
            selectinload(Candidate.owner),
            defer(Candidate.notes),
            defer(Candidate.resume_text),
            defer(Candidate.search_text),
        )
        return filter_query(query, filters, many_matches=many)

    def _query_items(self) -> list[Candidate]:
        key, descending = sort_key(self._query_args["filters"].get("sort") or DEFAULT_SORT)
        query, offset = self._query(), self._query_offset
        if key in JOINED_SORTS:
            table, on, columns = JOINED_SORTS[key]
            tie = CandidateScore.candidate_id if table is CandidateScore else Candidate.id
            with_value, without_value = query.join(table, on), query.where(~db.select(table).where(on).exists())
        else:
            column, tie = SORT_COLUMNS[key], Candidate.id
            columns = (column,)
            if not column.expression.nullable:
                return self._rows(query, (column, tie), descending, self.per_page, offset)
            with_value, without_value = query.where(column.is_not(None)), query.where(column.is_(None))
        # Empty values last, in two queries: "NULLS LAST" would keep both engines from reading an index
        # in (value, id) order (SQLite re-sorts every candidate with the same value, PostgreSQL all of them).
        items = self._rows(with_value, (*columns, tie), descending, self.per_page, offset)
        if len(items) == self.per_page:
            return items
        # How many candidates have a value is known unless this page has none of them.
        if items:
            before = offset + len(items)
        else:
            before = db.session.scalar(db.select(func.count()).select_from(with_value.subquery()))
        rest = self._rows(without_value, (Candidate.id,), descending, self.per_page - len(items), offset - before)
        return [*items, *rest]

    @staticmethod
    def _rows(query: Select, columns, descending: bool, limit: int, offset: int) -> list[Candidate]:
        """The rows of ``query`` ordered by ``columns``, all in one direction."""
        order = [column.desc() if descending else column.asc() for column in columns]
        return db.session.scalars(query.order_by(*order).limit(limit).offset(max(0, offset))).all()

    def _query_count(self) -> int:
        filters = self._query_args["filters"]
        if set(filters) <= {"q", "sort"} and self._matches() is not None:
            return self._matches()  # the search is the only filter: its index knows the count
        query = filter_query(db.select(Candidate.id), filters)
        return db.session.scalar(db.select(func.count()).select_from(query.subquery()))


def pool_page(filters: dict, page: int | None = None, per_page: int = 50) -> PoolPagination:
    """Return one page of the pool list for validated filter values (page from the request's ``page`` if None)."""
    return PoolPagination(page=page, per_page=per_page, max_per_page=None, error_out=False, filters=filters)
