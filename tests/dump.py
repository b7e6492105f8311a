"""Everything a database holds, as one string: to check that a person's data is really gone.

On SQLite: every table in ``sqlite_master`` (FTS5 shadow tables included), the terms
of every FTS5 index (through a temporary fts5vocab table), and the raw bytes of the
database file, which also hold free pages and the unused space of pages.
On PostgreSQL: every table of the current schema, row by row as text. (Dead row
versions waiting for VACUUM are not readable through SQL, so they are not in it.)
"""

from pathlib import Path

import sqlalchemy as sa


def dump_database_text(engine: sa.Engine) -> str:
    """Return all the data of the whole database behind ``engine`` as one string (bytes decoded as latin-1)."""
    if engine.dialect.name == "sqlite":
        return sqlite_dump(engine)
    if engine.dialect.name == "postgresql":
        return postgres_dump(engine)
    raise NotImplementedError(engine.dialect.name)


def text_of(value) -> str:
    """Return a value as text; bytes are decoded as latin-1, which maps every byte to a character."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    return "" if value is None else str(value)


def sqlite_dump(engine: sa.Engine) -> str:
    """Every SQLite table, every FTS5 term, then the raw database file."""
    # Table names come from the database's own catalogue, so building SQL from them is safe (S608).
    parts = []
    with engine.connect() as conn:
        objects = conn.execute(sa.text("SELECT type, name, sql FROM sqlite_master")).all()
        for kind, name, sql in objects:
            parts.append(f"-- {kind} {name}: {sql}")
            if kind != "table":
                continue
            for row in conn.execute(sa.text(f'SELECT * FROM "{name}"')):  # noqa: S608
                parts.append("\t".join(text_of(value) for value in row))
            if sql and "USING FTS5" in sql.upper():
                parts.extend(fts_terms(conn, name))
        conn.rollback()
    database_file = Path(engine.url.database)
    parts.append(database_file.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def fts_terms(conn: sa.Connection, fts_table: str) -> list[str]:
    """Every term an FTS5 index holds, read through a temporary fts5vocab table (not written to the file)."""
    vocab = f"temp.dump_vocab_{fts_table}"
    conn.execute(sa.text(f"CREATE VIRTUAL TABLE {vocab} USING fts5vocab(main, '{fts_table}', 'row')"))
    terms = [text_of(term) for term in conn.scalars(sa.text(f"SELECT term FROM {vocab}"))]  # noqa: S608
    conn.execute(sa.text(f"DROP TABLE {vocab}"))
    return terms


def postgres_dump(engine: sa.Engine) -> str:
    """Every table of the current schema (the tests set it through search_path), each row as text."""
    parts = []
    with engine.connect() as conn:
        tables = conn.scalars(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        ).all()
        for name in tables:
            parts.append(f"-- table {name}")
            parts.extend(conn.scalars(sa.text(f'SELECT t::text FROM "{name}" t')))  # noqa: S608
        conn.rollback()
    return "\n".join(parts)
