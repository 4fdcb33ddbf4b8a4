"""inquiries.rep: the Customer Service rep who runs the inquiry (seed 001: "the Customer Service
rep who initiated the process"), a person's key in config/people.yaml

Revision ID: 0007_inquiry_rep
Revises: 0003_vetting_checks
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_inquiry_rep"
down_revision = "0003_vetting_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inquiries") as batch:
        batch.add_column(sa.Column("rep", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inquiries") as batch:
        batch.drop_column("rep")
