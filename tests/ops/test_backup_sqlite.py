"""The SQLite side of backup and restore, on a database file of its own (no server needed)."""

import pytest
from django.db.utils import ConnectionHandler

from ops import backups


@pytest.fixture
def sqlite(tmp_path, django_db_blocker):
    """A Django connection to a small SQLite database with a migrations table and data."""
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "db.sqlite3")}}
    )
    connection = handler["default"]
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE django_migrations (id integer primary key, name text)")
            cursor.execute("CREATE TABLE plan (id integer primary key, title text, ratio real)")
            cursor.executemany(
                "INSERT INTO plan (title, ratio) VALUES (%s, %s)",
                [("嘉兴", 0.5), ("浙江", None), ("杭州", 1.25)],
            )
            cursor.execute("INSERT INTO django_migrations (name) VALUES ('0001_initial')")
        yield connection
        connection.close()


def test_backup_wipe_restore(sqlite, tmp_path):
    before = backups.table_fingerprints(sqlite)
    assert set(before) == {"django_migrations", "plan"}
    assert before["plan"][0] == 3

    path = tmp_path / "backup.sqlite3"
    info = backups.backup(path, connection=sqlite)
    assert (info.tables, info.size) == (2, path.stat().st_size)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.sqlite3", "db.sqlite3"]
    with pytest.raises(backups.BackupError, match="already exists"):
        backups.backup(path, connection=sqlite)

    with sqlite.cursor() as cursor:
        cursor.execute("DELETE FROM plan")
        cursor.execute("INSERT INTO plan (title) VALUES ('other')")
        cursor.execute("CREATE TABLE stray (id integer)")
    assert backups.table_fingerprints(sqlite) != before

    backups.restore(path, connection=sqlite)
    assert backups.table_fingerprints(sqlite) == before


def test_restore_refuses_what_is_not_a_backup(sqlite, tmp_path):
    before = backups.table_fingerprints(sqlite)
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"\x00" * 4096)
    with pytest.raises(backups.BackupError, match="not a backup"):
        backups.restore(garbage, connection=sqlite)

    damaged = tmp_path / "damaged.sqlite3"
    backups.backup(damaged, connection=sqlite)
    damaged.write_bytes(damaged.read_bytes()[:100] + b"\xff" * 5000)
    with pytest.raises(backups.BackupError, match="damaged"):
        backups.restore(damaged, connection=sqlite)

    pg = tmp_path / "pg.dump"
    pg.write_bytes(backups.PG_MAGIC + b"\x01" * 100)
    with pytest.raises(backups.BackupError, match="PostgreSQL backup, but the database is SQLite"):
        backups.restore(pg, connection=sqlite)
    assert backups.table_fingerprints(sqlite) == before


def test_fingerprints_see_a_changed_value(sqlite):
    before = backups.table_fingerprints(sqlite)
    with sqlite.cursor() as cursor:
        cursor.execute("UPDATE plan SET ratio = 0.51 WHERE title = '嘉兴'")
    after = backups.table_fingerprints(sqlite)
    assert after["plan"][0] == before["plan"][0]
    assert after["plan"][1] != before["plan"][1]
    assert after["django_migrations"] == before["django_migrations"]
