"""triage models in the store: each retrained model's skops bytes, training-set hash, evaluation
and place in the promotion history, so every worker reads the same promoted model

Revision ID: 0017_triage_models
Revises: 0016_ticket_mirrors
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_triage_models"
down_revision = "0016_ticket_mirrors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "triage_models",
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("training_sha256", sa.String(length=64), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("scikit_learn", sa.String(length=40), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("evaluation", sa.JSON(), nullable=False),
        sa.Column("skops", sa.LargeBinary(), nullable=False),
        sa.Column("promoted_seq", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_index("ix_triage_models_active", "triage_models", ["active"])


def downgrade() -> None:
    op.drop_index("ix_triage_models_active", table_name="triage_models")
    op.drop_table("triage_models")
