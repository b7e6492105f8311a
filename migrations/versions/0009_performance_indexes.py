"""Indexes for the pool list, search and candidate page at 100,000 candidates.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # The pool list sorted by owner reads the owners in name order, then each one's candidates in id order.
    # Plain op.create_index (never batch mode on candidate: it would drop the SQLite FTS triggers).
    op.create_index('ix_user_account_name', 'user_account', ['name', 'id'])
    op.create_index('ix_candidate_owner_id_id', 'candidate', ['owner_id', 'id'])
    op.drop_index('ix_candidate_owner_id', table_name='candidate')


def downgrade():
    op.create_index('ix_candidate_owner_id', 'candidate', ['owner_id'])
    op.drop_index('ix_candidate_owner_id_id', table_name='candidate')
    op.drop_index('ix_user_account_name', table_name='user_account')
