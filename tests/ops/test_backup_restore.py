"""Back up the real PostgreSQL database, wipe it, restore it: every table comes back intact."""

import os
import shutil
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from indicators.models import Actual, Indicator
from indicators.services.actuals import EntryRow, actual_approve, actual_save, actual_submit
from ops.backups import PG_MAGIC, table_fingerprints, table_names

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def require_postgresql():
    """Skip without PostgreSQL and its client tools, except in CI, where that is a failure."""
    problems = []
    if connection.vendor != "postgresql":
        problems.append("the tests are not running on PostgreSQL (set DATABASE_URL)")
    for program in ("pg_dump", "pg_restore"):
        if shutil.which(program) is None:
            problems.append(f"{program} is not installed")
    if problems:
        message = "; ".join(problems)
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the backup tests: {message}")
        pytest.skip(message)


@pytest.fixture
def data(plans, bob, dave):
    """The six plans, some users, and figures in several states: committed, for pg_dump."""
    require_postgresql()
    region = bob.profile.department.region
    indicators = {
        code: Indicator.objects.get(plan__slug="jiaxing-2011", code=code)
        for code in ("P-25", "P-26", "P-29")
    }
    submitted = actual_submit(
        user=bob,
        region=region,
        year=2013,
        rows=[EntryRow(indicators["P-25"], "93"), EntryRow(indicators["P-26"], "95.5")],
    ).saved
    actual_approve(user=dave, actuals=submitted[:1])
    actual_save(
        user=bob,
        region=region,
        year=2014,
        rows=[EntryRow(indicators["P-29"], "1.5", note="初报数")],
    )
    assert Actual.objects.filter(status="approved").exists()
    assert Actual.objects.filter(status="draft").exists()


def wipe():
    """Empty every table, and drop one outright."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(quote(t) for t in table_names())} CASCADE")
        cursor.execute(f"DROP TABLE {quote(Actual._meta.db_table)} CASCADE")


def test_backup_wipe_restore_gives_back_every_table(data, tmp_path):
    before = table_fingerprints()
    approved = Actual.objects.filter(status="approved").count()
    assert len(before) > 20
    assert before[Actual._meta.db_table][0] == Actual.objects.count() > 0
    assert before[get_user_model()._meta.db_table][0] == get_user_model().objects.count() >= 2
    assert before["django_migrations"][0] > 0

    path = tmp_path / "qualityplan.dump"
    out = call_command_output("backup", str(path))
    assert path.read_bytes().startswith(PG_MAGIC)
    assert f"{len(before)} tables" in out
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind

    wipe()
    wiped = table_fingerprints()
    assert wiped != before
    assert Actual._meta.db_table not in wiped
    assert all(count == 0 for count, _ in wiped.values())

    out = call_command_output("restore", str(path), "--yes")
    assert "Restored" in out
    assert table_fingerprints() == before

    # The ORM and the migration state work on the restored database.
    assert Actual.objects.filter(status="approved").count() == approved
    call_command("migrate", "--check", verbosity=0)


def test_backup_refuses_to_overwrite_without_force(tmp_path):
    require_postgresql()
    path = tmp_path / "qualityplan.dump"
    path.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="already exists; pass --force"):
        call_command("backup", str(path))
    assert path.read_bytes() == b"an older backup"

    out = call_command_output("backup", str(path), "--force")
    assert "Backed up" in out
    assert path.read_bytes().startswith(PG_MAGIC)
    assert list(tmp_path.iterdir()) == [path]
    assert "is a readable PostgreSQL backup" in call_command_output("backup", "--verify", str(path))


def test_a_bad_or_unconfirmed_restore_fails_clearly_and_changes_nothing(data, tmp_path):
    path = tmp_path / "qualityplan.dump"
    call_command_output("backup", str(path))
    Actual.objects.filter(status="draft").delete()  # the backup differs from the database
    before = table_fingerprints()

    with pytest.raises(CommandError, match="Pass --yes"):
        call_command("restore", str(path))

    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(b"this is not a backup\n" * 100)
    with pytest.raises(CommandError, match=r"is not a backup made by `manage\.py backup`"):
        call_command("restore", str(garbage), "--yes")
    with pytest.raises(CommandError, match="is not a backup"):
        call_command("backup", "--verify", str(garbage))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("restore", str(tmp_path / "missing.dump"), "--yes")

    content = path.read_bytes()
    header_only = tmp_path / "header.dump"
    header_only.write_bytes(content[:64])
    with pytest.raises(CommandError, match="damaged or unreadable pg_dump archive"):
        call_command("restore", str(header_only), "--yes")

    # The table of contents is intact but the data is cut off: pg_restore starts, dropping
    # tables, and fails part-way; its single transaction is rolled back.
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(content[: len(content) * 2 // 3])
    with pytest.raises(CommandError, match="rolled back; the database is unchanged"):
        call_command("restore", str(truncated), "--yes")

    assert table_fingerprints() == before


def test_a_missing_pg_dump_is_explained(tmp_path, monkeypatch):
    require_postgresql()
    monkeypatch.setenv("PATH", str(tmp_path))
    path = tmp_path / "qualityplan.dump"
    with pytest.raises(CommandError, match=r"pg_dump was not found(.|\n)*postgresql-client"):
        call_command("backup", str(path))
    assert not path.exists()


def call_command_output(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()
