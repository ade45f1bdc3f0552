"""document topics: briefs and experiences tagged to the guidebook sections they illustrate

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'document_topics',
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('section_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_topics_document_id_documents'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['section_id'], ['documents.id'], name=op.f('fk_document_topics_section_id_documents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('document_id', 'section_id', name=op.f('pk_document_topics')),
    )
    with op.batch_alter_table('document_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_topics_section_id'), ['section_id'], unique=False)


def downgrade():
    with op.batch_alter_table('document_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_topics_section_id'))
    op.drop_table('document_topics')
