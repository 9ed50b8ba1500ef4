"""Progress of queued analyses (the web app's upload queue) and the plans given to athletes.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("started_at", sa.DateTime))
        batch.add_column(sa.Column("finished_at", sa.DateTime))
        batch.add_column(sa.Column("progress_phase", sa.String(40)))
        batch.add_column(sa.Column("progress_done", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("progress_total", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("phase_started_at", sa.DateTime))
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("athlete_id", sa.Integer, sa.ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("session_id", sa.String(32), sa.ForeignKey("sessions.id", ondelete="SET NULL")),
        sa.Column("goal", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("plan_json", sa.Text, nullable=False),
    )
    op.create_index("ix_plans_athlete_id", "plans", ["athlete_id"])


def downgrade() -> None:
    op.drop_table("plans")
    with op.batch_alter_table("sessions") as batch:
        for name in ("phase_started_at", "progress_total", "progress_done", "progress_phase", "finished_at"):
            batch.drop_column(name)
        batch.drop_column("started_at")
