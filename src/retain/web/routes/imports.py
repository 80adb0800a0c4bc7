"""Imports (admins): upload a file, see the mapping and the problems, then import it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from retain.ingest.fields import FIELDS, KINDS
from retain.web import imports
from retain.web.deps import Admin, StoreDep
from retain.web.pages import render

pages = APIRouter(include_in_schema=False)
Kind = Annotated[str, Form(max_length=20)]
MapText = Annotated[str, Form(max_length=5000)]


@pages.get("/imports")
def imports_page(request: Request, user: Admin) -> Response:
    return render(request, "imports.html", {"nav": "imports", "kinds": KINDS})


@pages.post("/imports/preview")
async def preview_upload(
    request: Request,
    store: StoreDep,
    user: Admin,
    kind: Kind,
    file: Annotated[UploadFile | None, File()] = None,
    upload_id: Annotated[str | None, Form(max_length=64)] = None,
    mapping: MapText = "",
) -> Response:
    uploads = request.app.state.uploads
    if file is not None and file.filename:
        upload_id = uploads.save(file.filename, await file.read())
    if not upload_id:
        return render(
            request,
            "imports.html",
            {"nav": "imports", "kinds": KINDS, "error": "choose a file to upload"},
            422,
        )
    path = uploads.path(upload_id)
    view = imports.preview(store, path, kind, mapping, request.app.state.settings)
    return render(
        request,
        "import_preview.html",
        {
            "nav": "imports",
            "kind": kind,
            "upload_id": upload_id,
            "file_name": path.name,
            "mapping_text": mapping,
            "fields": [f.name for f in FIELDS[kind]],
            **view,
        },
    )


@pages.post("/imports/run")
def run_upload(
    request: Request,
    store: StoreDep,
    user: Admin,
    kind: Kind,
    upload_id: Annotated[str, Form(max_length=64)],
    mapping: MapText = "",
    skip_bad: Annotated[bool, Form()] = False,
) -> Response:
    uploads = request.app.state.uploads
    path = uploads.path(upload_id)
    report = imports.run_import(
        store, path, kind, mapping, skip_bad, request.app.state.settings, run_by=user.username
    )
    uploads.discard(upload_id)
    request.app.state.figures.clear()
    return render(request, "import_done.html", {"nav": "imports", "report": report})
