"""``flask --app wsgi hub ...``: loading content and reference data, and looking after the index."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask.cli import AppGroup

from hub.config import PROJECT_ROOT
from hub.errors import HubError

hub_cli = AppGroup("hub", help="Load content and maintain the search index.")

PROGRESS_THRESHOLD = 50


class _Progress:
    """A click progress bar that appears only for large jobs, on stderr."""

    def __init__(self, label: str, threshold: int = PROGRESS_THRESHOLD):
        self.label, self.threshold, self.bar = label, threshold, None

    def __call__(self, done: int, total: int) -> None:
        if total < self.threshold:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)
        if done >= total:
            self.bar.__exit__(None, None, None)


@hub_cli.command("load-reference")
@click.option(
    "--reference-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=PROJECT_ROOT / "content" / "reference",
    show_default=True,
)
@click.option(
    "--countries",
    "countries_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=PROJECT_ROOT / "content" / "countries.yml",
    show_default=True,
    help="Partnership facts per country.",
)
def load_reference(reference_dir: Path, countries_file: Path) -> None:
    """Load the SDG framework, all ISO countries with UN regions, and Partnership facts."""
    from hub.applications.reference import load_country_groups
    from hub.countries.reference import load_countries, load_partnership
    from hub.sdg.reference import load_sdgs

    counts = load_sdgs(reference_dir / "sdg")
    click.echo(
        f"SDGs: {counts['goals']} goals, {counts['targets']} targets, "
        f"{counts['indicators']} indicators"
    )
    click.echo(f"Countries: {load_countries(reference_dir / 'm49_regions.csv')}")
    groups = reference_dir / "un_country_groups.csv"
    click.echo(f"LDC, LLDC and SIDS memberships: {load_country_groups(groups)}")
    try:
        click.echo(f"Partnership entries: {load_partnership(countries_file)}")
    except HubError as exc:
        raise click.ClickException(exc.message) from None


LOAD_REFERENCE_FIRST = (
    "the reference data (countries and SDGs) is not loaded in this database. "
    "Run `flask --app wsgi hub load-reference` first"
)


def missing_reference() -> list[str]:
    """Which reference tables are empty: content and focal points name countries and SDGs, so
    without them every file would be rejected one by one for the same reason."""
    from sqlalchemy import func, select

    from hub.countries.models import Country
    from hub.extensions import db
    from hub.sdg.models import SdgGoal

    tables = {"countries": Country, "SDGs": SdgGoal}
    count = func.count()
    return [
        name
        for name, model in tables.items()
        if not db.session.scalar(select(count).select_from(model))
    ]


@hub_cli.command("load-content")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Apply changed files even to documents changed in the Hub since their last load; the "
    "Hub's version stays in each document's history. Unchanged files are still left alone.",
)
def load_content(paths: tuple[Path, ...], force: bool) -> None:
    """Load Markdown content files (see docs/content-format.md). Safe to run again: a file that
    did not change since its last load changes nothing, and a changed file never overwrites
    changes made in the Hub unless --force is given."""
    from hub.content.loader import load_paths

    if missing_reference():
        raise click.ClickException(
            f"nothing loaded: {LOAD_REFERENCE_FIRST}, then run this command again."
        )
    report = load_paths(paths, progress=_Progress("Loading content"), force=force)
    for path, reason in report.rejected:
        click.echo(f"rejected {path}: {reason}", err=True)
    for conflict in report.conflicts:
        click.echo(
            f"conflict {conflict.path}: {conflict.slug!r} not updated: {conflict.reason}",
            err=True,
        )
    for forced in report.forced:
        kept = (
            f"revision {forced.revision} holds the version before this load, to restore from "
            "its history"
            if forced.revision
            else "it had no earlier revision"
        )
        click.echo(
            f"forced {forced.path}: {forced.slug!r} updated although {forced.reason}; {kept}",
            err=True,
        )
    if report.conflicts:
        click.echo(_conflict_advice(len(report.conflicts)), err=True)
    if report.index_error:
        click.echo(report.index_error, err=True)
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


def _conflict_advice(count: int) -> str:
    files = "this file was" if count == 1 else f"these {count} files were"
    return (
        f"Warning: {files} not loaded, so the changes made in the Hub are kept. Bring those "
        "changes into the file and load it again, or run the command again with --force to let "
        "the file win (the Hub's version stays in the document's history)."
    )


@hub_cli.command("reindex")
def reindex() -> None:
    """Rebuild the search index from the database into a fresh folder and swap it in."""
    from hub.search import indexing

    result = indexing.rebuild(
        progress=_Progress("Indexing", threshold=1), reason="flask hub reindex"
    )
    rate = result.documents / result.seconds if result.seconds else 0.0
    click.echo(
        f"Indexed {result.documents} documents in {result.seconds:.2f} s ({rate:.0f} docs/s)"
    )


@hub_cli.command("check-index")
@click.option("--repair", is_flag=True, help="Fix what the check finds.")
def check_index(repair: bool) -> None:
    """Report documents missing from, extra in, or stale in the index; non-zero exit if any."""
    from hub.search import indexing

    started = time.perf_counter()
    freed = indexing.sweep()
    report = indexing.check()
    click.echo(
        f"missing {len(report.missing)}, extra {len(report.extra)}, stale {len(report.stale)}, "
        f"changes pending {report.pending} ({time.perf_counter() - started:.2f} s)"
    )
    if freed:
        click.echo(f"removed {freed / 1e6:.1f} MB left by killed rebuilds")
    for label, ids in (
        ("missing", report.missing),
        ("extra", report.extra),
        ("stale", report.stale),
    ):
        if ids:
            click.echo(f"  {label}: document ids {', '.join(map(str, ids[:20]))}", err=True)
    if report.ok:
        return
    if repair:
        indexing.repair(report)
        click.echo("repaired")
        return
    sys.exit(1)


@hub_cli.command("sweep-partial-files")
@click.option(
    "--older-than",
    default=3600.0,
    show_default=True,
    help="Seconds; a younger temporary file may be an upload still being written.",
)
def sweep_partial_files(older_than: float) -> None:
    """Remove the temporary files of uploads that a crash interrupted. The worker does this
    at start and every ten minutes; this is for a host that runs no worker."""
    from hub.documents import files

    removed = files.sweep_partial_uploads(older_than=older_than)
    for path in removed:
        click.echo(f"removed {path}")
    click.echo(f"{len(removed)} temporary file(s) removed")


@hub_cli.command("follow")
def follow() -> None:
    """Keep this host's search index in step with the change log until stopped (SIGTERM).

    Run one per host next to the web workers (docs/deployment.md); web requests never write
    the index."""
    from flask import current_app

    from hub.search import follower

    follower.run_forever(current_app._get_current_object())


ROLE_NAMES = {"admin": "an administrator", "editor": "a Secretariat editor"}


def _check_role_and_country(role: str, country: str | None) -> None:
    """Refuse combinations the account rules refuse, in the command's own words, before the
    password is asked for."""
    if role == "focal_point" and not country:
        raise click.UsageError(
            "a focal point belongs to one country: add --country with its three-letter ISO "
            "code, for example --country GHA."
        )
    if role != "focal_point" and country:
        raise click.UsageError(
            f"--country is only for focal points; {ROLE_NAMES[role]} works for every country "
            "and has none. Leave out --country, or use --role focal_point."
        )
    if role == "focal_point" and missing_reference():
        raise click.ClickException(f"{LOAD_REFERENCE_FIRST}, then create the focal point.")


@hub_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    type=click.Choice(["admin", "editor", "focal_point"]),
    required=True,
    help="admin manages accounts; editor is the Secretariat; focal_point writes for a country.",
)
@click.option("--country", help="ISO alpha-3 code such as GHA; required for focal points only.")
@click.option("--password", help="Asked for when not given; at least 12 characters.")
def create_user(
    email: str, name: str, role: str, country: str | None, password: str | None
) -> None:
    """Create an account with a password (the first admin, typically)."""
    from hub.accounts import service
    from hub.accounts.models import Role

    _check_role_and_country(role, country)
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = service.create_user(
            email=email, name=name, role=Role(role), country_iso3=country, by=None
        )
        service.set_password(user, password, reason="cli")
    except HubError as exc:
        from hub.extensions import db

        db.session.rollback()
        if "user" in locals():
            db.session.delete(user)
            db.session.commit()
        raise click.ClickException(exc.message) from None
    where = f" for {user.country.name}" if user.country else ""
    click.echo(f"Created {role} {user.email}{where}")


# --- running the Hub: web server, index follower, job queue worker (hub/jobs) ---


@hub_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--worker/--no-worker",
    default=None,
    help="Run a job queue worker in this process. Default: yes with the embedded SQLite queue, "
    "no with Redis (run `flask hub worker` on some host).",
)
def serve(host: str, port: int, worker: bool | None) -> None:
    """Serve the Hub over HTTP, with this host's index follower and, by default, a worker."""
    from flask import current_app

    from hub.jobs.serve import serve as run

    app = current_app._get_current_object()
    jobs = app.extensions["hub_jobs"]
    if worker is None:
        worker = not jobs.uses_redis and not jobs.huey.immediate
    if worker and jobs.huey.immediate:
        raise click.UsageError("JOBS_IMMEDIATE is on: jobs run as they are queued, no worker.")
    run(app, host, port, worker=worker, say=lambda text: click.echo(text, err=True))


@hub_cli.command("worker")
@click.option("--workers", type=int, default=None, help="Threads (default: JOBS_WORKERS).")
def worker(workers: int | None) -> None:
    """Run background jobs from the queue until stopped (SIGINT lets running jobs finish)."""
    from flask import current_app

    from hub.jobs.runner import ImmediateQueue, run_alone

    try:
        run_alone(current_app._get_current_object(), workers)
    except ImmediateQueue as exc:
        raise click.ClickException(str(exc)) from None


# --- end of the commands that run the Hub ---


def _register_area_commands() -> None:
    """Commands that belong to one area live in that area's package. The job queue runs
    digests and reminders on its schedule (hub/jobs/schedule.py); these commands run them now."""
    from hub.backup.commands import register as register_backup
    from hub.notifications.commands import send_digests_command
    from hub.reporting.commands import register as register_reporting

    hub_cli.add_command(send_digests_command)
    register_reporting(hub_cli)
    register_backup(hub_cli)


_register_area_commands()
