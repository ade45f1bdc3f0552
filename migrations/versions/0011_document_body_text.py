"""documents keep their body as plain text, made when the body is saved, for the search index

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 11:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # Left empty here: the next rebuild renders each body once and stores its text
    # (hub/documents/body_text.py), and every save keeps it current.
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('body_text_key', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('body_text_key')
        batch_op.drop_column('body_text')
