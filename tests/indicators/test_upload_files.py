"""An uploaded spreadsheet waits for its confirmation in a temporary file: refused, imported or
left unconfirmed, the file does not stay behind."""

import csv
import io
import os
import tempfile
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Actual

IMPORT = reverse("admin:indicators_actual_import")
CONFIRM = reverse("admin:indicators_actual_process_import")


@pytest.fixture
def temp_dir(tmp_path, monkeypatch, settings):
    """The system's temporary folder, for this test only."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return tmp_path


def left_behind(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def upload(value):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["plan", "indicator", "region", "year", "value", "note"])
    writer.writerow(["jiaxing-2011", "P-25", "330400", "2013", value, ""])
    return SimpleUploadedFile("actuals.csv", out.getvalue().encode())


def preview(client, value):
    return client.post(IMPORT, {"format": "1", "import_file": upload(value), "resource": "0"})


@pytest.mark.django_db
def test_a_refused_upload_leaves_no_file(client, bob, temp_dir):
    client.force_login(bob)
    response = preview(client, "九十")
    assert "不是有效的数值" in response.content.decode()
    assert left_behind(temp_dir) == []


@pytest.mark.django_db
def test_an_imported_upload_leaves_no_file(client, bob, temp_dir):
    client.force_login(bob)
    confirm = preview(client, "92.5").context["confirm_form"]
    assert client.post(CONFIRM, dict(confirm.initial)).status_code == 302
    assert Actual.objects.filter(indicator__code="P-25", year=2013).exists()
    assert left_behind(temp_dir) == []


@pytest.mark.django_db
def test_an_unconfirmed_upload_is_removed_after_its_time(client, bob, temp_dir, settings):
    from indicators.uploads import remove_expired_uploads

    client.force_login(bob)
    preview(client, "92.5")
    [waiting] = [p for p in temp_dir.rglob("*") if p.is_file()]
    assert remove_expired_uploads() == 0  # still waiting for its confirmation
    old = time.time() - settings.IMPORT_UPLOAD_KEEP_MINUTES * 60 - 1
    os.utime(waiting, (old, old))
    assert remove_expired_uploads() == 1
    assert left_behind(temp_dir) == []


@pytest.mark.django_db
def test_a_confirmation_naming_another_file_reads_and_removes_nothing(client, bob, temp_dir):
    other = temp_dir / "tmpsomeoneelse"
    other.write_text("plan,indicator,region,year,value,note\n", encoding="utf-8")
    client.force_login(bob)
    confirm = preview(client, "92.5").context["confirm_form"]
    forged = {**confirm.initial, "import_file_name": other.name}
    response = client.post(CONFIRM, forged, follow=True)
    assert response.status_code == 200
    assert "请重新上传" in response.content.decode()
    assert other.exists()
    assert not Actual.objects.filter(indicator__code="P-25", year=2013).exists()
