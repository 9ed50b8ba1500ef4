"""Metrics stage: events + kinematics -> per-step figures and a summary."""

from .steps import Step, measure_steps
from .summary import Summary, asymmetry_pct, per_side, summarize

__all__ = ["Step", "Summary", "asymmetry_pct", "measure_steps", "per_side", "summarize"]
