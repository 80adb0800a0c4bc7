"""Uploading an import file from the web: preview the mapping and problems, then import.

The upload is kept in a private temporary folder under a random id until it
is imported or replaced; the preview reads, maps and validates it with the
import pipeline (:mod:`retain.ingest`) without writing anything.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from retain.config import Settings
from retain.errors import ImportRejectedError, InvalidInputError
from retain.ingest import import_file
from retain.ingest.fields import KINDS
from retain.ingest.mapping import parse_map_options, resolve_columns
from retain.ingest.reader import read_table
from retain.ingest.validation import prepare
from retain.store import Store
from retain.store.bulk import known_usernames

MAX_BYTES = 200 * 1024 * 1024
UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class Uploads:
    """Uploaded files waiting for their import, in a private temporary folder."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="retain-uploads-"))

    def save(self, name: str, data: bytes) -> str:
        """Keep an upload; returns its id."""
        if len(data) > MAX_BYTES:
            raise InvalidInputError("the file is larger than 200 MB; import it with the CLI")
        upload_id = secrets.token_urlsafe(24)
        folder = self.root / upload_id
        folder.mkdir()
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(name or "upload.csv").name)[:100]
        (folder / (safe or "upload.csv")).write_bytes(data)
        return upload_id

    def path(self, upload_id: str) -> Path:
        """The file of an upload; InvalidInputError when it is gone."""
        folder = self.root / upload_id if UPLOAD_ID.match(upload_id) else None
        files = list(folder.iterdir()) if folder and folder.is_dir() else []
        if not files:
            raise InvalidInputError(
                "that upload is gone (imported already?); upload the file again"
            )
        return files[0]

    def discard(self, upload_id: str) -> None:
        """Delete an upload."""
        if UPLOAD_ID.match(upload_id):
            shutil.rmtree(self.root / upload_id, ignore_errors=True)


def preview(
    store: Store, path: Path, kind: str, mapping_text: str, settings: Settings
) -> dict[str, Any]:
    """What importing ``path`` as ``kind`` would do: mapping, ignored columns, problems, rows."""
    if kind not in KINDS:
        raise InvalidInputError(f"unknown import kind {kind!r}; use one of {', '.join(KINDS)}")
    overrides = parse_map_options([line for line in mapping_text.splitlines() if line.strip()])
    try:
        raw = read_table(path)
        columns = resolve_columns(path.name, kind, raw.headers, overrides)
    except ImportRejectedError as exc:
        return {"rows": 0, "mapping": {}, "ignored": [], "problems": exc.problems, "fatal": True}
    prepared = prepare(
        raw,
        kind,
        columns,
        timezone=settings.tz,
        currency=settings.currency,
        known_users=known_usernames(store) if "owner" in columns.fields else None,
    )
    problems = sorted(prepared.problems, key=lambda p: (p.row, p.column))
    return {
        "rows": len(raw.cells),
        "mapping": columns.fields,
        "ignored": columns.ignored,
        "problems": problems[:200],
        "problem_count": len(problems),
        "bad_rows": len(prepared.bad_rows),
        "sample": raw.cells.head(5)
        .astype(object)
        .where(raw.cells.head(5).notna(), "")
        .values.tolist(),
        "headers": raw.headers,
        "fatal": False,
    }


def run_import(
    store: Store,
    path: Path,
    kind: str,
    mapping_text: str,
    skip_bad: bool,
    settings: Settings,
    run_by: str,
) -> Any:
    """Import the file (one transaction) and return the import report."""
    overrides = parse_map_options([line for line in mapping_text.splitlines() if line.strip()])
    return import_file(
        store, kind, path, settings=settings, mapping=overrides, skip_bad=skip_bad, run_by=run_by
    )
