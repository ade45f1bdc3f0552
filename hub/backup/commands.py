"""``flask hub backup [PATH]`` and ``flask hub restore ARCHIVE`` (README, "Backups")."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from hub.errors import HubError

MB = 1024 * 1024


@click.command("backup")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path: Path | None) -> None:
    """Write one tar archive with the database (a consistent copy: the Hub may keep running),
    the attachments and a manifest with checksums. PATH is a file or a folder; by default
    instance/backups/hub-<UTC time>.tar."""
    from hub.backup import archive

    try:
        result = archive.create(path)
    except HubError as exc:
        raise click.ClickException(exc.message) from None
    database = result.manifest["database"]
    rows = sum(database["counts"].values())
    click.echo(
        f"Backed up {database['kind']} (revision {database['schema_revision']}, {rows} rows in "
        f"{len(database['counts'])} tables) and {len(result.manifest['files'])} files, "
        f"{result.bytes / MB:.1f} MB, in {result.seconds:.2f} s, snapshot at "
        f"{result.manifest['snapshot_at']}"
    )
    click.echo(str(result.archive))


@click.command("restore")
@click.argument(
    "archive_path", metavar="ARCHIVE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--force", is_flag=True, help="Replace a database that already holds rows (stop the Hub)."
)
@with_appcontext
def restore_command(archive_path: Path, force: bool) -> None:
    """Check every checksum in ARCHIVE, restore its database and files into this instance's
    (empty) database and data folder, then rebuild the search index."""
    from hub.backup import archive

    try:
        result = archive.restore(archive_path, force=force)
    except HubError as exc:
        raise click.ClickException(exc.message) from None
    database = result.manifest["database"]
    click.echo(
        f"Restored {database['kind']} snapshot of {result.manifest['snapshot_at']} "
        f"({sum(database['counts'].values())} rows, counts match the manifest) and "
        f"{len(result.manifest['files'])} files in {result.seconds:.2f} s; reindexed "
        f"{result.documents_indexed} documents in {result.index_seconds:.2f} s"
    )


def register(group: click.Group) -> None:
    group.add_command(backup_command)
    group.add_command(restore_command)
