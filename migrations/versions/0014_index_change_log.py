"""search: the index outbox becomes a change log read by every index host from its own position

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    # AUTOINCREMENT on SQLite: an id is never handed out twice, even after a prune emptied the
    # table, so a host's position always means the same changes (docs/deployment.md).
    op.create_table('index_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_changes')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('index_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_index_changes_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_index_changes_created_at'), ['created_at'], unique=False)
    # Rows still in the outbox were never applied; keep them (a host without a recorded position
    # rebuilds from the database anyway, so nothing depends on them).
    op.execute(
        'INSERT INTO index_changes (id, document_id, created_at) '
        'SELECT id, document_id, created_at FROM index_outbox'
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "SELECT setval(pg_get_serial_sequence('index_changes', 'id'), "
            "COALESCE((SELECT max(id) FROM index_changes), 0) + 1, false)"
        )
    with op.batch_alter_table('index_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_index_outbox_document_id'))
    op.drop_table('index_outbox')

    op.create_table('index_hosts',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('index_dir', sa.String(length=1000), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('applied_through', sa.Integer(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_rebuild_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_rebuild_reason', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_index_hosts'))
    )
    op.create_table('index_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pruned_through', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_log'))
    )


def downgrade():
    op.drop_table('index_log')
    op.drop_table('index_hosts')
    op.create_table('index_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_outbox'))
    )
    with op.batch_alter_table('index_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_index_outbox_document_id'), ['document_id'], unique=False)
    # Which rows each host had applied is lost: the outbox would replay the whole log, which is
    # safe (applying a change twice gives the same index).
    op.execute(
        'INSERT INTO index_outbox (id, document_id, created_at) '
        'SELECT id, document_id, created_at FROM index_changes'
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "SELECT setval(pg_get_serial_sequence('index_outbox', 'id'), "
            "COALESCE((SELECT max(id) FROM index_outbox), 0) + 1, false)"
        )
    with op.batch_alter_table('index_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_index_changes_created_at'))
        batch_op.drop_index(batch_op.f('ix_index_changes_document_id'))
    op.drop_table('index_changes')
