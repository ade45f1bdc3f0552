"""Backups: one tar archive holding a consistent copy of the database, the data files
(attachments) and a manifest with checksums; and the restore that checks them.

``archive.create()`` copies SQLite with the sqlite3 backup API (a copied file under a live WAL
database can be torn) and PostgreSQL with ``pg_dump`` in an exported snapshot, so the row counts
in the manifest are those of the copy. ``archive.restore()`` verifies every checksum before it
touches anything, refuses to overwrite a non-empty database unless forced, and rebuilds the
search index, which is never backed up: it is derived from the database.
"""
