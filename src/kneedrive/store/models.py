"""The store's tables as SQLAlchemy 2 ORM classes (the head of migrations/versions). Rows stay inside
kneedrive.store: callers get the frozen values of kneedrive.store.values."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class AthleteRow(Base):
    __tablename__ = "athletes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    height_m: Mapped[float | None] = mapped_column(Float)
    sex: Mapped[str | None] = mapped_column(String(20))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    dominant_leg: Mapped[str | None] = mapped_column(String(10))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"), index=True)
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    activity: Mapped[str | None] = mapped_column(String(40))
    activity_label: Mapped[str | None] = mapped_column(String(120))
    input_name: Mapped[str] = mapped_column(String(255))
    input_sha256: Mapped[str] = mapped_column(String(64))
    input_kind: Mapped[str] = mapped_column(String(20))
    stored_input: Mapped[str | None] = mapped_column(String(80))
    options_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    record_json: Mapped[str | None] = mapped_column(Text)
    series_json: Mapped[str | None] = mapped_column(Text)
    outputs_json: Mapped[str] = mapped_column(Text, default="[]")
    # revision 0002: progress of a queued analysis
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    progress_phase: Mapped[str | None] = mapped_column(String(40))
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    phase_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class PlanRow(Base):
    """A training plan given to an athlete (revision 0002), usually aimed at one session's faults."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[str | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    goal: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    plan_json: Mapped[str] = mapped_column(Text)
