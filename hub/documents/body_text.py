"""Each document's body as plain text, made once when the body is saved.

Rendering Markdown is about a quarter of a full reindex's CPU time (2.6 ms of about 9.5 per
brief). A save renders one body, so the text is made there and stored beside the Markdown; a
rebuild then only reads it. The stored text carries a key: a digest of the body it was made from
and of the renderer (Python-Markdown and nh3 versions, our extensions and this module's revision).
Text whose key does not match, because the body was changed by a bulk statement or the
renderer changed, is never used: it is rendered afresh, and refreshed at the next save.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, event
from sqlalchemy.orm import Mapper

from hub.documents.models import Document
from hub.markup import EXTENSION_CONFIGS, EXTENSIONS, plain_text

# Bump when plain_text() changes what it makes from the same Markdown (2: blocks end in a full
# stop, so a heading never runs into the sentence after it).
REVISION = 2
RENDERER = "|".join(
    (
        str(REVISION),
        version("markdown"),
        version("nh3"),
        repr(EXTENSIONS),
        repr(sorted(EXTENSION_CONFIGS.items())),
    )
)


def key_for(body: str | None) -> str:
    digest = hashlib.sha256(RENDERER.encode())
    digest.update(b"\0")
    digest.update((body or "").encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _is_current(doc: Document, key: str) -> bool:
    """Whether the stored text was made from the body and renderer that ``key`` names."""
    return doc.body_text is not None and doc.body_text_key == key


def body_text(doc: Document, rendered: list[Rendered] | None = None) -> str:
    """The body as plain text: the stored text when it was made from this body by this
    renderer, otherwise rendered now (and noted in ``rendered``, for ``store_rendered``)."""
    key = key_for(doc.body)
    if _is_current(doc, key):
        return doc.body_text
    text = plain_text(doc.body)
    if rendered is not None and doc.id is not None:
        rendered.append(Rendered(doc.id, text, key))
    return text


class Rendered(NamedTuple):
    doc_id: int
    text: str
    key: str


def store_rendered(connection: Connection, rendered: list[Rendered]) -> None:
    """Keep texts that a reader had to render (documents saved before texts were stored, or
    before a renderer change), so the next rebuild reads them. A plain UPDATE: no new version
    (an editor's open form stays valid), no change-log row (the index text is the same), and the
    old ``updated_at``. A body changed meanwhile no longer matches the key, so a late write
    is never used."""
    if not rendered:
        return
    table = Document.__table__
    statement = (
        table.update()
        .where(table.c.id == bindparam("doc_id"))
        .values(
            body_text=bindparam("text"),
            body_text_key=bindparam("key"),
            updated_at=table.c.updated_at,
        )
    )
    connection.execute(statement, [r._asdict() for r in rendered])


def columns_for(body: str | None) -> dict[str, str]:
    """The stored-text columns for a document row with this body (for bulk inserts, which
    bypass the save hook below)."""
    return {"body_text": plain_text(body), "body_text_key": key_for(body)}


def refresh(doc: Document) -> bool:
    """Store the body's plain text unless what is stored is current; True when it changed."""
    if _is_current(doc, key_for(doc.body)):
        return False
    for name, value in columns_for(doc.body).items():
        setattr(doc, name, value)
    return True


@event.listens_for(Document, "before_insert")
@event.listens_for(Document, "before_update")
def _refresh_on_save(mapper: Mapper, connection: object, target: Document) -> None:
    refresh(target)
