"""The pool list's query: search, filters and sort, shared by the list page, export and bulk actions."""

from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import joinedload, selectinload

from models import Application, Candidate, CandidateScore, PoolStatus, Tag, User, db
from models.candidate import candidate_tag
from models.search import matches_search

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
    today = today or date.today()
    # Tags and owners are shown on every row: load them in two queries, not two per row.
    query = db.select(Candidate).options(selectinload(Candidate.tags), joinedload(Candidate.owner))
    search = matches_search(filters.get("q") or "", db.engine.dialect.name)
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
    return apply_sort(query, filters.get("sort") or DEFAULT_SORT)


def apply_sort(query: Select, sort: str) -> Select:
    """Order by a listed column ("name", or "-name" for descending), then by id for a stable order."""
    descending = sort.startswith("-")
    column = SORT_COLUMNS.get(sort.lstrip("-"), SORT_COLUMNS["updated"])
    if column is User.name:
        query = query.outerjoin(User, Candidate.owner_id == User.id)
    elif column.table is CandidateScore.__table__:
        query = query.outerjoin(CandidateScore, CandidateScore.candidate_id == Candidate.id)
    order = column.desc().nulls_last() if descending else column.asc().nulls_last()
    return query.order_by(order, Candidate.id.desc() if descending else Candidate.id)
