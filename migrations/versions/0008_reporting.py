"""periodic reporting periods and reports

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import hub.dbtypes


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reporting_schedules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('months', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('set_by_id', sa.Integer(), nullable=True),
        sa.Column('set_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_reporting_schedules_set_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_schedules')),
    )
    op.create_table(
        'reporting_reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('country_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('due_soon', 'overdue', 'red', name='reminderkind', native_enum=False, create_constraint=False, length=32), nullable=False),
        sa.Column('period_starts_on', sa.Date(), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('sent_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['country_id'], ['countries.id'], name=op.f('fk_reporting_reminders_country_id_countries'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_reminders')),
        sa.UniqueConstraint('country_id', 'kind', 'period_starts_on', name='uq_reporting_reminders'),
    )
    with op.batch_alter_table('reporting_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reporting_reminders_country_id'), ['country_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reporting_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reporting_reminders_country_id'))
    op.drop_table('reporting_reminders')
    op.drop_table('reporting_schedules')
