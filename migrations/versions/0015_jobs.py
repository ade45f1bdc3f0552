"""jobs: outgoing mail kept until sent, and jobs that failed

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import hub.dbtypes


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outgoing_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipients', sa.Text(), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=False),
        sa.Column('status', sa.Enum('queued', 'sending', 'sent', 'failed', 'uncertain', name='mailstatus', native_enum=False, create_constraint=False, length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column('handed_over_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column('sent_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column('refused', sa.Text(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail')),
    )
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_mail_status'), ['status'], unique=False)
    op.create_table(
        'failed_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('args', sa.Text(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('is_final', sa.Boolean(), nullable=False),
        sa.Column('first_failed_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_failed_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_jobs')),
    )
    with op.batch_alter_table('failed_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_failed_jobs_name'), ['name'], unique=False)


def downgrade():
    with op.batch_alter_table('failed_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_failed_jobs_name'))
    op.drop_table('failed_jobs')
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_status'))
    op.drop_table('outgoing_mail')
