"""rate limits: one table of hits for every limit (logins, expressions of interest, uploads)

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-07 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import hub.dbtypes


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    # The old counters are dropped, not copied: they only matter for a window of minutes to a day,
    # so at worst an address gets one fresh window after the upgrade.
    op.create_table('rate_limit_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=320), nullable=False),
    sa.Column('created_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_limit_hits'))
    )
    with op.batch_alter_table('rate_limit_hits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_hits_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_rate_limit_hits_scope_key', ['scope', 'key', 'created_at'], unique=False)

    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_ip'))
        batch_op.drop_index(batch_op.f('ix_login_attempts_email'))
        batch_op.drop_index(batch_op.f('ix_login_attempts_created_at'))
    op.drop_table('login_attempts')
    with op.batch_alter_table('application_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_submissions_ip'))
        batch_op.drop_index(batch_op.f('ix_application_submissions_created_at'))
    op.drop_table('application_submissions')


def downgrade():
    op.create_table('application_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_submissions'))
    )
    with op.batch_alter_table('application_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_submissions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_submissions_ip'), ['ip'], unique=False)
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_ip'), ['ip'], unique=False)

    with op.batch_alter_table('rate_limit_hits', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_limit_hits_scope_key')
        batch_op.drop_index(batch_op.f('ix_rate_limit_hits_created_at'))
    op.drop_table('rate_limit_hits')
