"""Full-text search over candidates: SQLite FTS5 or PostgreSQL tsvector, behind one function.

Both engines index ``candidate.search_text``, which already holds folded,
punctuation-free words (see ``Candidate.refresh_search_text``), so both find
the same candidates for the same query. The index objects live only in the
migrations, since they differ per database.
"""

from sqlalchemy import ColumnElement, func, literal_column, select, text
from sqlalchemy.orm import Session

from models.candidate import Candidate
from models.contact import search_words

# Objects that exist in the database but not in the models; Alembic's
# comparison must not ask to drop them.
SEARCH_INDEX_NAMES = ("candidate_fts", "ix_candidate_search")


def include_in_schema_comparison(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object`` hook: leave the search index objects out of comparisons."""
    return not (name and name.startswith(SEARCH_INDEX_NAMES))


def matches_search(query: str, dialect_name: str) -> ColumnElement[bool] | None:
    """Return a WHERE clause for candidates matching every word of ``query`` as a prefix.

    Returns None when the query has no words (nothing to filter on).
    """
    words = search_words(query)[:20]  # a bound on the work one search box can ask for
    if not words:
        return None
    if dialect_name == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in words)
        document = func.to_tsvector(literal_column("'simple'"), Candidate.search_text)
        return document.op("@@")(func.to_tsquery(literal_column("'simple'"), tsquery))
    fts_query = " AND ".join(f'"{word}"*' for word in words)
    matching_ids = (
        select(literal_column("rowid"))
        .select_from(text("candidate_fts"))
        .where(text("candidate_fts MATCH :fts_query").bindparams(fts_query=fts_query))
    )
    return Candidate.id.in_(matching_ids)


def purge_search_index(session: Session) -> None:
    """Rewrite the search index so that no word of a changed or deleted candidate stays in it.

    SQLite FTS5 marks removed words as deleted and keeps the old index segments
    until they are merged; 'optimize' merges them all, and with secure_delete the
    freed pages are zeroed. PostgreSQL computes the tsvector from the row, so there is nothing to do.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.flush()  # the triggers that update the index run on flush
        session.execute(text("INSERT INTO candidate_fts(candidate_fts) VALUES ('optimize')"))
