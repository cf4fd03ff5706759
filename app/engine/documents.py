"""Uploaded evidence: bounded in size and type, stored outside the web root under a
random name, served only to users who may see the case.

A file is written only when its transaction commits: ``store`` writes it under a
temporary name (``<name>.part``) and the session's after_commit renames it; a rollback,
a conflict or a session closed without commit deletes it. The content type is decided
here from the bytes (``sniff``), never from the client's header; only PDFs and images
are shown inline (see engine/views.py ``document``)."""
from __future__ import annotations

import hashlib
import io
import os
import secrets
import zipfile
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from ..extensions import db
from .models import Document

OCTET_STREAM = "application/octet-stream"
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif"}
_MAGIC = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]
_OFFICE = [  # (a member of the zip, the type of an Office Open XML document)
    ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
]
PENDING_KEY = "jianping.pending_uploads"


def sniff(data: bytes) -> str:
    """The content type of ``data`` from its first bytes (magic numbers): PDF, PNG, JPEG,
    GIF, zip-based Office documents (and other zips); anything else is octet-stream."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return OCTET_STREAM
        for member, kind in _OFFICE:
            if member in names:
                return kind
        return "application/zip"
    return OCTET_STREAM


def sniff_file(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(16)
        if not head.startswith(b"PK\x03\x04"):
            return sniff(head)
        fh.seek(0)
        return sniff(fh.read())


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
    final = upload_dir() / stored_name
    temp = final.with_name(stored_name + ".part")
    temp.write_bytes(data)
    db.session().info.setdefault(PENDING_KEY, []).append((temp, final))
    original = secure_filename(storage.filename or "") or "upload"
    # keep the user's (possibly Chinese) name for display, sanitized of path parts
    display = os.path.basename((storage.filename or original).replace("\\", "/"))[:255] or original
    doc = Document(case_id=case_id, task_id=task_id, field=field, filename=display,
                   stored_name=stored_name, content_type=sniff(data),
                   size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=user_id)
    db.session.add(doc)
    db.session.flush()
    return doc


def path_of(doc: Document) -> Path:
    return upload_dir() / doc.stored_name


def served_type(doc: Document) -> tuple[str, bool]:
    """(content type, inline?) of a stored file, from its bytes: rows stored before the
    server decided the type may carry a client's claim."""
    kind = sniff_file(path_of(doc))
    return kind, kind in INLINE_TYPES


def for_case(case_id: int) -> list[Document]:
    return list(db.session.scalars(db.select(Document).where(Document.case_id == case_id).order_by(Document.id)))


# --- files follow their transaction ----------------------------------------------------------

@event.listens_for(Session, "after_commit")
def _publish_uploads(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    for temp, final in session.info.pop(PENDING_KEY, []):
        os.replace(temp, final)


@event.listens_for(Session, "after_transaction_end")
def _discard_uploads(session, transaction) -> None:
    """The outermost transaction ended without a commit (rollback, conflict, close):
    its uploads were never stored."""
    if transaction.parent is not None or transaction.nested:
        return
    for temp, _final in session.info.pop(PENDING_KEY, []):
        temp.unlink(missing_ok=True)
