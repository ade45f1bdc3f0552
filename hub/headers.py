"""Security headers on every response. The CSP allows no inline script: the Hub needs none."""

from __future__ import annotations

from flask import Flask, Request, Response, current_app

UPLOAD_ENDPOINTS = {"workspace.upload"}


class HubRequest(Request):
    """Werkzeug reads URL-encoded forms whole, so only upload routes get the large body limit;
    every other route refuses a big body (413) before anything parses it, CSRF checks included."""

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        if self.endpoint in UPLOAD_ENDPOINTS:
            return limit
        return min(
            current_app.config["MAX_FORM_BYTES"], limit or current_app.config["MAX_FORM_BYTES"]
        )


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def register(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["HUB_ENV"] == "production":
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
