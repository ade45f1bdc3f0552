"""peer learning offers, needs and brokered matches

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import hub.dbtypes


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _enum(*values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=False, length=32)


def upgrade():
    op.create_table(
        'offers_needs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', _enum('offer', 'need', name='itemkind'), nullable=False),
        sa.Column('country_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('areas', sa.JSON(), nullable=False),
        sa.Column('status', _enum('open', 'closed', 'withdrawn', name='itemstatus'), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('closed_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_offers_needs_author_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['country_id'], ['countries.id'], name=op.f('fk_offers_needs_country_id_countries'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_offers_needs_updated_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offers_needs')),
    )
    with op.batch_alter_table('offers_needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_needs_country_id'), ['country_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_needs_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_needs_status'), ['status'], unique=False)
    op.create_table(
        'brokered_matches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('need_id', sa.Integer(), nullable=False),
        sa.Column('offer_id', sa.Integer(), nullable=False),
        sa.Column('matched_on', sa.Date(), nullable=False),
        sa.Column('status', _enum('proposed', 'in_progress', 'completed', 'declined', name='matchstatus'), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['need_id'], ['offers_needs.id'], name=op.f('fk_brokered_matches_need_id_offers_needs'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['offer_id'], ['offers_needs.id'], name=op.f('fk_brokered_matches_offer_id_offers_needs'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_brokered_matches_recorded_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_brokered_matches')),
    )
    with op.batch_alter_table('brokered_matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brokered_matches_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_brokered_matches_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_brokered_matches_status'), ['status'], unique=False)
    op.create_table(
        'offer_need_goals',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('goal_number', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['goal_number'], ['sdg_goals.number'], name=op.f('fk_offer_need_goals_goal_number_sdg_goals')),
        sa.ForeignKeyConstraint(['item_id'], ['offers_needs.id'], name=op.f('fk_offer_need_goals_item_id_offers_needs'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('item_id', 'goal_number', name=op.f('pk_offer_need_goals')),
    )
    op.create_table(
        'offer_need_topics',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('section_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['offers_needs.id'], name=op.f('fk_offer_need_topics_item_id_offers_needs'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['section_id'], ['documents.id'], name=op.f('fk_offer_need_topics_section_id_documents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('item_id', 'section_id', name=op.f('pk_offer_need_topics')),
    )
    with op.batch_alter_table('offer_need_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_need_topics_section_id'), ['section_id'], unique=False)
    op.create_table(
        'match_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('status', _enum('proposed', 'in_progress', 'completed', 'declined', name='matchstatus'), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', hub.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_match_events_author_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['match_id'], ['brokered_matches.id'], name=op.f('fk_match_events_match_id_brokered_matches'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_match_events')),
    )
    with op.batch_alter_table('match_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_events_match_id'), ['match_id'], unique=False)


def downgrade():
    with op.batch_alter_table('match_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_events_match_id'))
    op.drop_table('match_events')
    with op.batch_alter_table('offer_need_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_need_topics_section_id'))
    op.drop_table('offer_need_topics')
    op.drop_table('offer_need_goals')
    with op.batch_alter_table('brokered_matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_brokered_matches_status'))
        batch_op.drop_index(batch_op.f('ix_brokered_matches_offer_id'))
        batch_op.drop_index(batch_op.f('ix_brokered_matches_need_id'))
    op.drop_table('brokered_matches')
    with op.batch_alter_table('offers_needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offers_needs_status'))
        batch_op.drop_index(batch_op.f('ix_offers_needs_kind'))
        batch_op.drop_index(batch_op.f('ix_offers_needs_country_id'))
    op.drop_table('offers_needs')
