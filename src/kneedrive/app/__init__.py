"""The coach's workspace: a local web app (FastAPI under uvicorn, jinja2 pages, a JSON API under /api/) over
the store (kneedrive.store). `kneedrive serve` starts it; `create_app(AppConfig(...))` builds it for tests."""
