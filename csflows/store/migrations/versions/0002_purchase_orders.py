"""po_actions: what the purchase-order procedure did with each PO (seed 000)

Revision ID: 0002_purchase_orders
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_purchase_orders"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "po_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=400), nullable=False),
        sa.Column("po_key", sa.String(length=120), nullable=False),
        sa.Column("po_number", sa.String(length=100), nullable=True),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("inquiry_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("division", sa.String(length=60), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("template", sa.String(length=120), nullable=True),
        sa.Column("template_values", sa.JSON(), nullable=True),
        sa.Column("message_key", sa.String(length=300), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("party", "po_key", name="uq_po_actions_party_po"),
    )
    with op.batch_alter_table("po_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_po_actions_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_po_actions_ticket_id"), ["ticket_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("po_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_po_actions_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_po_actions_customer_id"))
    op.drop_table("po_actions")
