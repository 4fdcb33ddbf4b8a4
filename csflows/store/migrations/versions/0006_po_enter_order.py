"""po_actions.enter_order: the order is entered as well as the letter sent (seed 000, Craft &
Hobby Level 4 at or over the minimums), and a supervisor's answer at the PO's review

Revision ID: 0006_po_enter_order
Revises: 0002_purchase_orders
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_po_enter_order"
down_revision = "0002_purchase_orders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("po_actions") as batch:
        batch.add_column(
            sa.Column("enter_order", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("flags", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("po_actions") as batch:
        batch.drop_column("flags")
        batch.drop_column("enter_order")
