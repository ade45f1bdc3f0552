"""search analytics: daily counts per normalised query and per day, with no personal data

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_query_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('query_text', sa.String(length=256), nullable=False),
        sa.Column('searches', sa.Integer(), nullable=False),
        sa.Column('zero_results', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'query_text', name=op.f('pk_search_query_days')),
    )
    op.create_table(
        'search_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('searches', sa.Integer(), nullable=False),
        sa.Column('zero_results', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_search_days')),
    )


def downgrade():
    op.drop_table('search_days')
    op.drop_table('search_query_days')
