"""documents: what the content loader last loaded into each document (file hash, revision)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # Both stay empty for documents made in the Hub and for those loaded before this migration;
    # the loader fills them on its next run (hub/content/tracking.py).
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('loaded_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('loaded_revision', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('loaded_revision')
        batch_op.drop_column('loaded_sha256')
