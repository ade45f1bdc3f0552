"""Writers in several processes change one document at once through the Hub's own code
(catalogue T-24, and T-29 when the suite runs on PostgreSQL): none fails with "database is
locked" and no committed change is lost. bench/durability.py runs the full size (8 × 300) and
the deferred-BEGIN baseline."""

from __future__ import annotations

import pytest

from hub.accounts.models import Role
from hub.documents.models import Document, Status
from hub.extensions import db
from tests import factories
from tests.security.durability import run_contention

PROCESSES, TRANSACTIONS = 4, 50


@pytest.mark.parametrize(
    ("scenario", "read_counter"),
    [
        ("edit", lambda doc: int(doc.body.rsplit(" ", 1)[1])),  # optimistic locking
        ("counter", lambda doc: doc.position),  # database.write_transaction
    ],
    ids=["document-edit", "read-modify-write-counter"],
)
def test_concurrent_read_modify_writes_lose_nothing(
    app, database_url, tmp_path, scenario, read_counter
):
    editor = factories.user(role=Role.EDITOR, country_code=None)
    doc = factories.document(status=Status.DRAFT, body="count 0")
    doc_id, editor_id = doc.id, editor.id
    db.session.remove()

    counts = run_contention(
        database_url=database_url, tmp=tmp_path, document_id=doc_id, user_id=editor_id,
        processes=PROCESSES, transactions=TRANSACTIONS, scenario=scenario,
    )  # fmt: skip

    final = read_counter(db.session.get(Document, doc_id))
    print(f"T-24/T-29 {scenario} {db.engine.dialect.name} {PROCESSES}x{TRANSACTIONS}: {counts}")
    assert counts["locked"] == 0
    assert counts["committed"] == PROCESSES * TRANSACTIONS
    assert final == counts["committed"]  # lost updates = committed - final = 0
