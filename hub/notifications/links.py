"""Paths stored with notifications, and the full addresses that e-mails need.

Notifications are made inside requests and outside them (the CLI, tests calling services), so
``url_for``, which needs a request or SERVER_NAME, is used only where a request exists.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import current_app, has_request_context, url_for


def path_for(endpoint: str, **values: Any) -> str:
    """The site path of ``endpoint`` (with the script root), in or out of a request."""
    if has_request_context():
        return url_for(endpoint, **values)
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc or "localhost", script_name=base.path or "/")
    return adapter.build(endpoint, values)


def absolute(path: str) -> str:
    """A stored path as a full address on the public site, for e-mails."""
    return urljoin(current_app.config["PUBLIC_URL"], path)
