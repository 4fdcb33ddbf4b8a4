"""ticket reviews: a person's answer to a ticket the classifier was unsure of (kept as a labelled
example for the classifier), the classifier's guesses on the ticket, its review run, and when
its assignee was told

Revision ID: 0008_ticket_reviews
Revises: 0005_triage
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_ticket_reviews"
down_revision = "0005_triage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("guesses", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("review_run_id", sa.String(length=64), nullable=True))
    op.create_table(
        "ticket_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("type", sa.String(length=120), nullable=False),
        sa.Column("assignee", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("reviewer", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("example", sa.JSON(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", name="uq_ticket_reviews_ticket"),
    )


def downgrade() -> None:
    op.drop_table("ticket_reviews")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("review_run_id")
        batch.drop_column("guesses")
