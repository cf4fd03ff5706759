"""The real application served over HTTP from a background thread, for browser tests.

The database is a temporary SQLite file, or the PostgreSQL database named by
DATABASE_URL (reset first, as tests/conftest.py does), with the BPMN deployed and the
demo users loaded.
"""
from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Iterator

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent


def build_app(tmp_path: Path):
    from tests.conftest import build_app as build
    return build(tmp_path)


@contextlib.contextmanager
def serve(app) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 on a free port; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        from app.extensions import db
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


CHROMIUM = Path("/usr/bin/chromium")  # Debian's Chromium; never a Playwright browser download
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def chromium_browser():
    """Debian's Chromium driven by Playwright, closed afterwards."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
