"""Edges of the pipeline toward people: terminal tables (HTML reports come later)."""
