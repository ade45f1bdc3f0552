"""documents: a correction proposed to a published brief or experience points at it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # One pending correction per published document (the unique constraint); it is never
    # published itself, so it can never show up as a second copy of the document.
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision_of_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_documents_revision_of_id'), ['revision_of_id'])
        batch_op.create_foreign_key(batch_op.f('fk_documents_revision_of_id_documents'), 'documents', ['revision_of_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint('correction_never_published', "revision_of_id IS NULL OR status <> 'published'")


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_documents_correction_never_published'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_documents_revision_of_id_documents'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_documents_revision_of_id'), type_='unique')
        batch_op.drop_column('revision_of_id')
