"""Real server processes over one database, and a small HTTP client that behaves like a
browser (cookies, CSRF token, no redirect following) — for the tests that prove state
written by one worker process is carried on by another."""
from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(port: int, proc: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(OSError):
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        time.sleep(0.1)  # waiting for a process to listen, not for behaviour under test
    raise RuntimeError(f"server on {port} did not start:\n{log.read_text(errors='replace')[-3000:]}")


@contextlib.contextmanager
def worker_processes(count: int, config: dict, logdir: Path):
    """``count`` gunicorn servers (one worker process each, so which process answers is
    known) on one database, each building its own app and parsing its diagrams afresh.
    Yields their base URLs; the servers' logs are returned for checks via ``logs``."""
    args = ", ".join(f"{k}={v!r}" for k, v in config.items())
    target = f"app:create_app('test', {args})"
    procs, urls, logs = [], [], []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        for i in range(count):
            port = free_port()
            log = logdir / f"server-{i}.log"
            fh = log.open("wb")
            proc = subprocess.Popen(
                [str(GUNICORN), "--workers", "1", "--threads", "4", "--bind", f"127.0.0.1:{port}",
                 "--timeout", "120", "--log-level", "warning", target],
                cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
            procs.append((proc, fh))
            _wait_until_up(port, proc, log)
            urls.append(f"http://127.0.0.1:{port}")
            logs.append(log)
        yield urls, logs
    finally:
        for proc, fh in procs:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
            if proc.poll() is None:
                proc.kill()
            fh.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status_code, self.headers, self.body = status, headers, body

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class HttpBrowser:
    """A browser session against real servers: one cookie jar, any server of the set."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        self._token = None

    def request(self, method: str, url: str, data: dict | None = None) -> Response:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, method=method)
        try:
            with self.opener.open(req, timeout=120) as r:
                return Response(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, e.headers, e.read())

    def get(self, url: str) -> Response:
        return self.request("GET", url)

    def post(self, url: str, data: dict) -> Response:
        if self._token is None:
            page = self.get(url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + "/login").text()
            self._token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        return self.request("POST", url, {"csrf_token": self._token, **data})

    def login(self, base: str, username: str, password: str) -> "HttpBrowser":
        r = self.post(f"{base}/login", {"username": username, "password": password})
        assert r.status_code == 302, r.text()[:800]
        self._token = None  # the session changed: read the token again
        return self
