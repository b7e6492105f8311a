"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from hiring import ROOT, create_app
from models import db
from models.search import include_in_schema_comparison
from tests.conftest import (
    POSTGRES_URL,
    base_config,
    create_postgres_schema,
    drop_postgres_schema,
    postgres_schema_config,
)

MIGRATIONS = str(ROOT / "migrations")


def test_models_and_migrations_agree(app):
    """No pending autogenerate diff: every model change comes with its migration."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_in_schema_comparison})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models differ from migrations; run `flask --app hiring db migrate`: {diff}"


@pytest.fixture
def empty_database(tmp_path):
    """Yield settings of a database with no tables at all."""
    if POSTGRES_URL:
        schema = create_postgres_schema()
        yield postgres_schema_config(schema)
        drop_postgres_schema(schema)
    else:
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite'}"}


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_migrations_upgrade_downgrade_and_upgrade_again(empty_database):
    app = create_app(base_config(**empty_database))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        assert {"user_account", "audit_entry", "alembic_version"} <= table_names()
        downgrade(directory=MIGRATIONS, revision="base")
        assert table_names() == {"alembic_version"}
        upgrade(directory=MIGRATIONS)
        assert {"user_account", "audit_entry"} <= table_names()
        db.engine.dispose()
