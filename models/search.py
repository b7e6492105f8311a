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


def query_words(query: str) -> list[str]:
    """The words of a search box that are searched for."""
    return search_words(query)[:20]  # a bound on the work one search box can ask for


def fts_match(words: list[str]):
    """The SQLite FTS5 condition matching every word as a prefix."""
    fts_query = " AND ".join(f'"{word}"*' for word in words)
    return text("candidate_fts MATCH :fts_query").bindparams(fts_query=fts_query)


def matches_search(query: str, dialect_name: str, many_matches: bool = False) -> ColumnElement[bool] | None:
    """Return a WHERE clause for candidates matching every word of ``query`` as a prefix.

    Returns None when the query has no words (nothing to filter on). ``many_matches`` (SQLite) says
    that the words match many candidates: the clause then lets SQLite read the candidates in the
    ORDER BY's index order and keep the matching ones, so that a first page stops after a few
    hundred rows, instead of looking every match up by id and sorting them all.
    """
    words = query_words(query)
    if not words:
        return None
    if dialect_name == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in words)
        document = func.to_tsvector(literal_column("'simple'"), Candidate.search_text)
        return document.op("@@")(func.to_tsquery(literal_column("'simple'"), tsquery))
    matching_ids = select(literal_column("rowid")).select_from(text("candidate_fts")).where(fts_match(words))
    # "+ 0" makes the id an expression, which SQLite does not look up by its primary key.
    return (Candidate.id + 0 if many_matches else Candidate.id).in_(matching_ids)


def count_search_matches(session: Session, query: str, dialect_name: str) -> int | None:
    """Return how many candidates the words of ``query`` match, from the SQLite FTS5 index alone.

    None on PostgreSQL, or when the query has no words.
    """
    words = query_words(query)
    if not words or dialect_name != "sqlite":
        return None
    return session.scalar(select(func.count()).select_from(text("candidate_fts")).where(fts_match(words)))


def purge_search_index(session: Session) -> None:
    """Rewrite the search index so that no word of a changed or deleted candidate stays in it.

    SQLite FTS5 marks removed words as deleted and keeps the old index segments
    until they are merged; 'optimize' merges them all, and with secure_delete the
    freed pages are zeroed. PostgreSQL computes the tsvector from the row, so there is nothing to do.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.flush()  # the triggers that update the index run on flush
        session.execute(text("INSERT INTO candidate_fts(candidate_fts) VALUES ('optimize')"))
