"""Uploaded evidence: bounded in size and type, stored outside the web root under a
random name, served only to users who may see the case."""
from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from ..extensions import db
from .models import Document


class UploadError(ValueError):
    pass


def check_upload(storage: FileStorage) -> str | None:
    """An error message, or None when the file is acceptable."""
    name = storage.filename or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = current_app.config["UPLOAD_ALLOWED_EXTENSIONS"]
    if ext not in allowed:
        return _l("file type .%(ext)s not allowed (allowed: %(allowed)s)", ext=ext or "?",
                  allowed=", ".join(sorted(allowed)))
    storage.stream.seek(0, os.SEEK_END)
    size = storage.stream.tell()
    storage.stream.seek(0)
    limit = current_app.config["UPLOAD_MAX_FILE_BYTES"]
    if size > limit:
        return _l("file too large (%(size)s KB; limit %(limit)s KB)", size=size // 1024, limit=limit // 1024)
    if size == 0:
        return _l("file is empty")
    return None


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(storage: FileStorage, *, case_id=None, task_id=None, field=None, user_id=None) -> Document:
    error = check_upload(storage)
    if error:
        raise UploadError(str(error))
    data = storage.read()
    stored_name = secrets.token_hex(16)
    (upload_dir() / stored_name).write_bytes(data)
    original = secure_filename(storage.filename or "") or "upload"
    # keep the user's (possibly Chinese) name for display, sanitized of path parts
    display = os.path.basename((storage.filename or original).replace("\\", "/"))[:255] or original
    doc = Document(case_id=case_id, task_id=task_id, field=field, filename=display,
                   stored_name=stored_name, content_type=storage.mimetype or "application/octet-stream",
                   size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=user_id)
    db.session.add(doc)
    db.session.flush()
    return doc


def path_of(doc: Document) -> Path:
    return upload_dir() / doc.stored_name


def for_case(case_id: int) -> list[Document]:
    return list(db.session.scalars(db.select(Document).where(Document.case_id == case_id).order_by(Document.id)))
