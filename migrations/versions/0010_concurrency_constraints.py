"""Constraints that keep racing requests consistent: one active model version, one running training job.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    # Rows left by races before these constraints existed: keep the newest active version and the
    # newest running job, so that the unique indexes can be built.
    op.execute(
        "UPDATE model_version SET active = false WHERE active AND id <> "
        "(SELECT max(id) FROM model_version WHERE active)"
    )
    op.execute(
        "UPDATE training_job SET status = 'failed', "
        "message = 'Stopped: another training job was running at the same time.' "
        "WHERE status = 'running' AND id <> (SELECT max(id) FROM training_job WHERE status = 'running')"
    )
    op.create_index(
        "uq_model_version_one_active",
        "model_version",
        ["active"],
        unique=True,
        postgresql_where=sa.text("active"),
        sqlite_where=sa.text("active"),
    )
    op.create_index(
        "uq_training_job_one_running",
        "training_job",
        ["status"],
        unique=True,
        postgresql_where=sa.text("status = 'running'"),
        sqlite_where=sa.text("status = 'running'"),
    )


def downgrade():
    op.drop_index("uq_training_job_one_running", table_name="training_job")
    op.drop_index("uq_model_version_one_active", table_name="model_version")
