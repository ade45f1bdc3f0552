"""Requests for the background-job routes of the route matrix (policy in
route_policy.d/jobs.yml). Each retry acts on a failed job made for it alone."""

from __future__ import annotations

from hub.extensions import db
from hub.jobs.models import FailedJob
from tests.security.route_matrix import Call, World, case

case("jobs.failed", "GET")(lambda w, actor: Call("/admin/jobs"))


@case("jobs.retry", "POST")
def _retry(w: World, actor: str) -> Call:
    # A periodic job that succeeds when run again: the retry removes the row.
    row = FailedJob(name="recover_unfinished", args="[]", error="OperationalError: locked",
                    attempts=1, is_final=True)  # fmt: skip
    db.session.add(row)
    db.session.commit()
    failure_id = row.id

    def effect() -> bool:
        db.session.expire_all()
        return db.session.get(FailedJob, failure_id) is None

    return Call(f"/admin/jobs/{failure_id}/retry", effect=effect)
