"""ticket mirrors: what each ticket last showed in the mailbox (IMAP keywords, folder) and in
NetSuite (a supportCase), and tickets.uidvalidity, the folder's UIDVALIDITY their uid belongs to

Revision ID: 0016_ticket_mirrors
Revises: 0005_triage
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_ticket_mirrors"
down_revision = "0005_triage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("uidvalidity", sa.BigInteger(), nullable=True))
    op.create_table(
        "ticket_mirrors",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=40), nullable=False),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("ref", sa.String(length=300), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("ticket_id", "system"),
    )


def downgrade() -> None:
    op.drop_table("ticket_mirrors")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("uidvalidity")
