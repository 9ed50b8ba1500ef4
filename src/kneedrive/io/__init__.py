"""Edges of the pipeline: files in, typed data out (and back)."""
