"""expressions of interest and their review

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import hub.dbtypes


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
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
    op.create_table('country_groups',
    sa.Column('iso3', sa.String(length=3), nullable=False),
    sa.Column('group', sa.Enum('LDC', 'LLDC', 'SIDS', name='countrygroup', native_enum=False, length=32), nullable=False),
    sa.PrimaryKeyConstraint('iso3', 'group', name=op.f('pk_country_groups'))
    )
    op.create_table('application_weights',
    sa.Column('criterion', sa.String(length=32), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('updated_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_application_weights_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('criterion', name=op.f('pk_application_weights'))
    )
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('received', 'under_review', 'info_requested', 'accepted', 'waitlisted', 'declined', name='applicationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('open_country_id', sa.Integer(), nullable=True),
    sa.Column('official_name', sa.String(length=200), nullable=False),
    sa.Column('official_title', sa.String(length=200), nullable=False),
    sa.Column('official_institution', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('initiatives', sa.Text(), nullable=False),
    sa.Column('commitment', sa.Enum('none', 'senior_official', 'minister', 'head_of_government', name='commitment', native_enum=False, length=32), nullable=False),
    sa.Column('engagement_levels', sa.JSON(), nullable=False),
    sa.Column('consent_official', sa.Boolean(), nullable=False),
    sa.Column('consent_focal_points', sa.Boolean(), nullable=False),
    sa.Column('consent_description', sa.Boolean(), nullable=False),
    sa.Column('pdf_filename', sa.String(length=255), nullable=True),
    sa.Column('pdf_stored_name', sa.String(length=64), nullable=True),
    sa.Column('pdf_size', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['country_id'], ['countries.id'], name=op.f('fk_applications_country_id_countries')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_applications_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('open_country_id', name=op.f('uq_applications_open_country_id'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_country_id'), ['country_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_status'), ['status'], unique=False)
    op.create_table('application_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('received', 'under_review', 'info_requested', 'accepted', 'waitlisted', 'declined', name='applicationstatus', native_enum=False, length=32), nullable=True),
    sa.Column('to_status', sa.Enum('received', 'under_review', 'info_requested', 'accepted', 'waitlisted', 'declined', name='applicationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_events_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_application_events_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_events'))
    )
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_events_application_id'), ['application_id'], unique=False)
    op.create_table('application_focal_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('institution', sa.String(length=300), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_focal_points_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_focal_points'))
    )
    with op.batch_alter_table('application_focal_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_focal_points_application_id'), ['application_id'], unique=False)
    op.create_table('application_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_notes_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_application_notes_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_notes'))
    )
    with op.batch_alter_table('application_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_notes_application_id'), ['application_id'], unique=False)


def downgrade():
    with op.batch_alter_table('application_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_notes_application_id'))
    op.drop_table('application_notes')
    with op.batch_alter_table('application_focal_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_focal_points_application_id'))
    op.drop_table('application_focal_points')
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_events_application_id'))
    op.drop_table('application_events')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_status'))
        batch_op.drop_index(batch_op.f('ix_applications_created_at'))
        batch_op.drop_index(batch_op.f('ix_applications_country_id'))
    op.drop_table('applications')
    op.drop_table('application_weights')
    op.drop_table('country_groups')
    with op.batch_alter_table('application_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_submissions_ip'))
        batch_op.drop_index(batch_op.f('ix_application_submissions_created_at'))
    op.drop_table('application_submissions')
