"""Uploads lose nothing and leak nothing: a file is on disk only when its transaction
committed; the server decides the content type from the bytes; only PDFs and images are
shown inline, everything else is an attachment, always with nosniff."""
from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from app.engine import documents, runtime
from app.engine.models import Document
from app.extensions import db
from tests.test_complaint_lifecycle import accept, file_public_complaint, open_task

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n% evidence\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def upload_files(app) -> list[str]:
    root = Path(app.config["UPLOAD_DIR"])
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def response_task(browser, orgs):
    _, complaint = file_public_complaint(browser, orgs)
    accept(browser, complaint)
    [task] = open_task(complaint.case_id, "agency_response")
    return task


def respond(b, task_id, content, name, mimetype="application/octet-stream"):
    return b.post(f"/tasks/{task_id}", {"response_text": "Our account of what happened.",
                                        "response_evidence": (io.BytesIO(content), name, mimetype)},
                  content_type="multipart/form-data")


def test_a_conflicting_completion_leaves_no_file(app, browser, orgs, monkeypatch):
    task = response_task(browser, orgs)
    task_id = task.id
    db.session.remove()
    loser, winner = browser("agency"), browser("agency")
    real_build_form = runtime.build_form
    raced = []

    def build_form_then_lose_the_race(task, **kw):
        form = real_build_form(task, **kw)
        if not raced:  # the first completion has read the task and the case; another one commits first
            raced.append(True)
            task.case.state  # noqa: B018 (loaded as it was before the other completion)
            result = {}

            def other_completion():
                with app.app_context():
                    result["r"] = respond(winner, task_id, PDF, "winner.pdf")
                    db.session.remove()

            worker = threading.Thread(target=other_completion)
            worker.start()
            worker.join()
            assert result["r"].status_code == 302, result["r"].get_data(as_text=True)[:800]
        return form

    monkeypatch.setattr(runtime, "build_form", build_form_then_lose_the_race)
    r = respond(loser, task_id, PNG, "loser.png")
    assert r.status_code == 303, r.get_data(as_text=True)[:800]  # the conflict: back to the task, a message
    assert raced
    docs = list(db.session.scalars(select(Document)))
    assert [d.filename for d in docs] == ["winner.pdf"]
    assert upload_files(app) == [docs[0].stored_name]  # the loser's file is gone, no temp file left


def test_a_rolled_back_upload_leaves_no_file(app, orgs):
    from werkzeug.datastructures import FileStorage
    storage = FileStorage(io.BytesIO(PDF), filename="draft.pdf", content_type="application/pdf")
    doc = documents.store(storage, field="evidence")
    assert documents.path_of(doc).exists() is False  # not before the commit
    db.session.rollback()
    assert upload_files(app) == []
    storage = FileStorage(io.BytesIO(PDF), filename="kept.pdf", content_type="application/pdf")
    doc = documents.store(storage, field="evidence")
    db.session.commit()
    assert upload_files(app) == [doc.stored_name]


def test_an_html_file_claiming_to_be_a_png_is_an_attachment_of_no_html_type(app, browser, orgs):
    task = response_task(browser, orgs)
    agency = browser("agency")
    # refused outright by its extension
    assert respond(agency, task.id, HTML, "page.html", "image/png").status_code == 422
    assert upload_files(app) == []
    # named .png and sent as image/png, but HTML inside
    assert respond(agency, task.id, HTML, "photo.png", "image/png").status_code == 302
    doc = db.session.scalar(select(Document))
    assert doc.content_type == "application/octet-stream"
    r = browser("handler").get(f"/documents/{doc.id}")
    assert r.status_code == 200
    assert "html" not in r.headers["Content-Type"] and "image" not in r.headers["Content-Type"]
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("content, name, kind, inline", [
    (PDF, "evidence.txt", "application/pdf", True),
    (PNG, "scan.jpg", "image/png", True),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "photo.jpeg", "image/jpeg", True),
    (b"just some notes", "notes.pdf", "application/octet-stream", False),
])
def test_the_type_comes_from_the_bytes(app, browser, orgs, content, name, kind, inline):
    task = response_task(browser, orgs)
    assert respond(browser("agency"), task.id, content, name, "text/html").status_code == 302
    doc = db.session.scalar(select(Document))
    assert doc.content_type == kind
    r = browser("handler").get(f"/documents/{doc.id}")
    assert r.headers["Content-Type"].split(";")[0] == kind
    assert r.headers["Content-Disposition"].startswith("inline" if inline else "attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_office_documents_are_recognised_inside_their_zip():
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert documents.sniff(buf.getvalue()).endswith("wordprocessingml.document")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert documents.sniff(buf.getvalue()) == "application/zip"
    assert documents.sniff(b"PK\x03\x04 not really a zip") == "application/octet-stream"


def test_an_upload_over_the_size_setting_is_a_form_error(app, browser, orgs):
    app.config["UPLOAD_MAX_FILE_BYTES"] = 1024
    task = response_task(browser, orgs)
    r = respond(browser("agency"), task.id, PDF + b"x" * 2048, "big.pdf")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "big.pdf" in page and "1 KB" in page
    assert upload_files(app) == [] and db.session.scalar(select(Document)) is None
