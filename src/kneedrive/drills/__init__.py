"""Drills: the drill table (data), recognition and per-drill metrics; the synthetic drill and sprint
models (athletes with known truth) that the generator builds demos and tests from."""
