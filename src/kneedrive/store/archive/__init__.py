"""The whole store as one file (a backup, or moving to another laptop): a zip archive with a manifest.

    manifest.json              {"format": "kneedrive-store", "version": 1, "store_revision", "files": [...]}
    store.json                 the athletes, the sessions (each with its record and series) and the plans
    sessions/<id>/<name>       each session's outputs (report.html, analysis.json, annotated.mp4, ...)
    inputs/<id>.<ext>          the uploaded video or keypoint file, where the store kept one

`export_store` writes it atomically (a temporary file beside the target, renamed when complete). Done and
failed sessions are exported; an analysis still queued or running is not (it has no result yet).

`import_store` refuses a bad archive whole, with one line, before anything is stored: not a zip, another
format or a newer version, a member that the manifest does not list or whose size or SHA-256 differs, a
path that is not one of the names above (no `..`, no absolute path, no link ever reaches the file system:
files are written under names built from validated ids), a member over the size limits or compressed beyond
any real file (a zip bomb), more than the disk holds, rows that do not validate. The rows go in in one
transaction and the files are moved into place before it commits (removed again if it does not), so an
import is all or nothing.

Duplicates are skipped, never overwritten: an athlete with the same name (case-insensitive) is the same
athlete (the sessions are added to them, the stored athlete's details are kept); a session with the same id,
or with the same athlete, day, input file (SHA-256) and options as a stored one, is skipped; so is a plan
already given (same athlete, goal and time). Importing the same archive twice adds nothing the second time.
"""

from __future__ import annotations

from .check import read_archive
from .export import ExportSummary, export_store
from .format import FORMAT, VERSION, ArchiveLimits, BadArchive
from .load import ImportPlan, import_store, preview_import

__all__ = [
    "FORMAT",
    "VERSION",
    "ArchiveLimits",
    "BadArchive",
    "ExportSummary",
    "ImportPlan",
    "export_store",
    "import_store",
    "preview_import",
    "read_archive",
]
