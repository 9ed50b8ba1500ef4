"""Drill and sprint models (synthetic athletes with known truth), recognition, per-drill metrics."""
