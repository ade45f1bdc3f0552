"""country profiles (engagement, priorities, consented contacts) and notifications

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import hub.dbtypes


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('countries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('engagement_levels', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('priorities', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('member_since', sa.Date(), nullable=True))
    op.create_table(
        'country_contacts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('country_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.Enum('official', 'focal_point', name='contactrole', native_enum=False, create_constraint=False, length=32), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('institution', sa.String(length=300), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('phone', sa.String(length=60), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['country_id'], ['countries.id'], name=op.f('fk_country_contacts_country_id_countries'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_country_contacts')),
    )
    with op.batch_alter_table('country_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_country_contacts_country_id'), ['country_id'], unique=False)
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.Enum('submission', 'application', 'reply', 'match', 'reporting', name='category', native_enum=False, create_constraint=False, length=32), nullable=False),
        sa.Column('message', sa.String(length=500), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('created_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('read_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column('digested_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)
    op.create_table(
        'notification_preferences',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.Enum('off', 'daily', 'weekly', name='digest', native_enum=False, create_constraint=False, length=32), nullable=False),
        sa.Column('last_digest_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_preferences')),
    )


def downgrade():
    op.drop_table('notification_preferences')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_created_at'))
    op.drop_table('notifications')
    with op.batch_alter_table('country_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_country_contacts_country_id'))
    op.drop_table('country_contacts')
    with op.batch_alter_table('countries', schema=None) as batch_op:
        batch_op.drop_column('member_since')
        batch_op.drop_column('priorities')
        batch_op.drop_column('engagement_levels')
