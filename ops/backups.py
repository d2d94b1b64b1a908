"""Back up and restore the whole database, and fingerprint its tables.

PostgreSQL (production) goes through `pg_dump --format=custom` / `pg_restore`; SQLite (the
development default) through the sqlite3 backup API. Both take the connection from Django's
settings, so `DATABASE_URL` decides which database is backed up.
"""

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import connection as default_connection

PG_MAGIC = b"PGDMP"  # the first bytes of a pg_dump custom-format archive
SQLITE_MAGIC = b"SQLite format 3\x00"  # the first bytes of every SQLite database file

# A table entry of `pg_restore --list`: "215; 1259 16386 TABLE public auth_group postgres".
# ("TABLE DATA public auth_group postgres" is the entry of its rows, not another table.)
_PG_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )\S+ (\S+)", re.MULTILINE)

PG_CLIENT_HINT = (
    "Install the PostgreSQL client tools, of the server's major version or newer "
    "(Debian/Ubuntu: apt-get install postgresql-client). "
    "提示:未找到 PostgreSQL 客户端程序,请安装与数据库服务器主版本相同或更新的 "
    "postgresql-client 后重试。"
)


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


@dataclass
class BackupInfo:
    path: Path
    size: int  # bytes
    tables: int
    vendor: str  # "postgresql" or "sqlite"


def human_size(size):
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


# ---------------------------------------------------------------- fingerprints


def table_names(connection=None):
    """The tables of the database (PostgreSQL: of the current schema), sorted."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
                "ORDER BY table_name"
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            )
        else:
            raise BackupError(_unsupported(connection))
        return [row[0] for row in cursor.fetchall()]


def table_fingerprints(connection=None):
    """{table: (row_count, checksum)} for every table; equal contents give equal checksums.

    The checksum covers every column of every row, independent of the rows' physical order.
    Each row is hashed and the sorted row hashes are hashed again, so a large table needs
    32 bytes per row rather than its whole text in one string.
    """
    connection = connection or default_connection
    fingerprints = {}
    with connection.cursor() as cursor:
        for table in table_names(connection):
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT count(*), md5(coalesce(string_agg(h, '|' ORDER BY h), '')) "
                    f"FROM (SELECT md5(t::text) AS h FROM {quoted} AS t) AS rows"
                )
                count, checksum = cursor.fetchone()
            else:
                cursor.execute(f"SELECT * FROM {quoted}")
                hashes = sorted(hashlib.md5(repr(row).encode()).hexdigest() for row in cursor)
                count = len(hashes)
                checksum = hashlib.md5("|".join(hashes).encode()).hexdigest()
            fingerprints[table] = (count, checksum)
    return fingerprints


# ---------------------------------------------------------------- backup


def backup(path, *, force=False, connection=None):
    """Write a backup of the whole database to `path`, atomically; returns its BackupInfo.

    The backup goes to a temporary file in the same folder, which is renamed to `path` only
    once it is complete, so `path` is never a half-written backup.
    """
    connection = connection or default_connection
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} is a folder, not a file.")
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; pass --force to overwrite it.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    if connection.vendor == "postgresql":
        pg_dump = _pg_program("pg_dump")
    elif connection.vendor != "sqlite":
        raise BackupError(_unsupported(connection))

    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".partial", dir=path.parent
    )
    os.close(descriptor)
    temporary = Path(temporary)
    try:
        if connection.vendor == "postgresql":
            _run(
                [pg_dump, "--format=custom", f"--file={temporary}", *_pg_args(connection)],
                connection,
                "pg_dump",
            )
        else:
            _sqlite_backup(connection, temporary)
        _fsync(temporary)
        info = inspect_backup(temporary, connection=connection)
        if force:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)  # fails, rather than overwrites, if path appeared
            except FileExistsError:
                raise BackupError(f"{path} already exists; pass --force to overwrite it.") from None
            except OSError:
                os.replace(temporary, path)  # a file system without hard links
        _fsync(path.parent)
    finally:
        temporary.unlink(missing_ok=True)
    info.path = path
    return info


def _sqlite_backup(connection, target):
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()


def _fsync(path):
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync a folder
    finally:
        os.close(descriptor)


# ---------------------------------------------------------------- inspect


def inspect_backup(path, *, connection=None):
    """Check that `path` is a readable backup for this database; returns its BackupInfo.

    Reads the file only; raises BackupError when it is not a backup, is damaged, or was made
    from another kind of database.
    """
    connection = connection or default_connection
    path = Path(path)
    try:
        with open(path, "rb") as file:
            head = file.read(len(SQLITE_MAGIC))
        size = path.stat().st_size
    except OSError as exc:
        raise BackupError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    kind = "postgresql" if head.startswith(PG_MAGIC) else "sqlite" if head == SQLITE_MAGIC else None
    if kind is None:
        raise BackupError(
            f"{path} is not a backup made by `manage.py backup` "
            "(it is neither a pg_dump custom-format archive nor a SQLite database)."
        )
    if kind != connection.vendor:
        raise BackupError(
            f"{path} is a {_vendor_name(kind)} backup, but the database is "
            f"{_vendor_name(connection.vendor)}."
        )
    if kind == "postgresql":
        listing = _run(
            [_pg_program("pg_restore"), "--list", str(path)],
            connection,
            "pg_restore",
            problem=f"{path} is a damaged or unreadable pg_dump archive",
        )
        tables = len(_PG_TABLE.findall(listing))
    else:
        tables = _inspect_sqlite(path)
    return BackupInfo(path=path, size=size, tables=tables, vendor=kind)


def _inspect_sqlite(path):
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            (check,) = source.execute("PRAGMA quick_check").fetchone()
            names = {
                row[0]
                for row in source.execute(
                    "SELECT name FROM sqlite_master "
                    "WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                )
            }
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} is a damaged or unreadable SQLite database: {exc}.") from None
    if check != "ok":
        raise BackupError(f"{path} is a damaged SQLite database: {check}.")
    if "django_migrations" not in names:
        raise BackupError(f"{path} is a SQLite database, but not one of this application.")
    return len(names)


# ---------------------------------------------------------------- restore


def restore(path, *, connection=None):
    """Replace the whole database by the backup at `path`; returns the backup's BackupInfo.

    The file is checked before anything is changed. On PostgreSQL pg_restore runs in a single
    transaction, and on SQLite the backup API replaces the database in one transaction, so a
    restore that fails leaves the database as it was.
    """
    connection = connection or default_connection
    if connection.in_atomic_block:
        raise BackupError("Cannot restore inside a transaction.")
    info = inspect_backup(path, connection=connection)
    if connection.vendor == "postgresql":
        # Drop our own session first: it must hold no locks on the tables pg_restore drops.
        connection.close()
        _run(
            [
                _pg_program("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *_pg_args(connection),
                str(info.path),
            ],
            connection,
            "pg_restore",
            problem="The restore failed and was rolled back; the database is unchanged",
        )
    else:
        _sqlite_restore(connection, info.path)
    _forget_cached_rows()
    return info


def _sqlite_restore(connection, path):
    connection.ensure_connection()
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(f"The restore failed: {exc}.") from None
    finally:
        source.close()


def _forget_cached_rows():
    """Primary keys cached in this process may name other rows after a restore."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


# ---------------------------------------------------------------- PostgreSQL helpers


def _pg_program(name):
    program = shutil.which(name)
    if program is None:
        raise BackupError(f"{name} was not found on PATH. {PG_CLIENT_HINT}")
    return program


def _pg_args(connection):
    """Host, port, user and database as options; never the password."""
    settings = connection.settings_dict
    args = []
    if settings.get("USER"):
        args.append(f"--username={settings['USER']}")
    if settings.get("HOST"):
        args.append(f"--host={settings['HOST']}")
    if settings.get("PORT"):
        args.append(f"--port={settings['PORT']}")
    if settings.get("NAME"):
        args.append(f"--dbname={settings['NAME']}")
    return args


def _pg_env(connection):
    """The environment for pg_dump/pg_restore: the password (and SSL options) travel here."""
    _, env = connection.client.settings_to_cmd_args_env(connection.settings_dict, [])
    return {**os.environ, "PGCONNECT_TIMEOUT": "10", **(env or {})}


def _run(args, connection, program, problem=None):
    try:
        finished = subprocess.run(
            args,
            env=_pg_env(connection),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise BackupError(f"Cannot run {program}: {exc}. {PG_CLIENT_HINT}") from None
    if finished.returncode != 0:
        detail = finished.stderr.strip() or f"exit status {finished.returncode}"
        raise BackupError(f"{problem or program + ' failed'}:\n{detail}")
    return finished.stdout


def _vendor_name(vendor):
    return {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(vendor, vendor)


def _unsupported(connection):
    return f"Backups support PostgreSQL and SQLite, not {_vendor_name(connection.vendor)}."
