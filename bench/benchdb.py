"""Shared by the bench scripts (run as `python bench/<script>.py`, so this folder is on sys.path)."""

from pathlib import Path


def fresh_database():
    """Drop and recreate the configured database (SQLite file with its WAL files, or a PostgreSQL database
    of its own), then migrate it. Call after django.setup()."""
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            Path(str(db["NAME"]) + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        admin = psycopg.connect(
            host=db["HOST"],
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
        admin.close()
    call_command("migrate", verbosity=0)
