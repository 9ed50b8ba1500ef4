"""The first store: athletes and their analysed sessions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "athletes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("height_m", sa.Float),
        sa.Column("sex", sa.String(20)),
        sa.Column("birth_date", sa.Date),
        sa.Column("dominant_leg", sa.String(10)),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("athlete_id", sa.Integer, sa.ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("recorded_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("activity", sa.String(40)),
        sa.Column("activity_label", sa.String(120)),
        sa.Column("input_name", sa.String(255), nullable=False),
        sa.Column("input_sha256", sa.String(64), nullable=False),
        sa.Column("input_kind", sa.String(20), nullable=False),
        sa.Column("stored_input", sa.String(80)),
        sa.Column("options_json", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("record_json", sa.Text),
        sa.Column("series_json", sa.Text),
        sa.Column("outputs_json", sa.Text, nullable=False, server_default="[]"),
    )
    op.create_index("ix_sessions_athlete_id", "sessions", ["athlete_id"])
    op.create_index("ix_sessions_status", "sessions", ["status"])


def downgrade() -> None:
    op.drop_table("sessions")
    op.drop_table("athletes")
