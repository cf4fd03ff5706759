"""Security headers on every response (pages, JSON, static files, errors).

A small after_request rather than Flask-Talisman: five fixed headers need no dependency,
and the policy stays readable in one place (Talisman's extras, e.g. forcing HTTPS, belong to
the reverse proxy here). Scripts come only from /static: no inline script, no eval, no event
handler attributes. Style sheets come only from /static too; style *attributes* are allowed
(style-src-attr) because bpmn-js builds its icons (e.g. the align-elements menu) from SVG
markup with style attributes; <style> elements stay forbidden."""
from __future__ import annotations

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def register(app) -> None:
    hsts = int(app.config.get("HSTS_SECONDS") or 0)

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if hsts > 0:
            headers.setdefault("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
        return response
