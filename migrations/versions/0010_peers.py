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


def upgrade():
    pass


def downgrade():
    pass
