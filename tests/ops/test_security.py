"""Every URL refuses strangers; roles stay in their lane; logins are throttled; CSRF holds."""

import io
import zipfile
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from indicators.models import Actual, Indicator, Plan
from indicators.services.actuals import EntryRow, actual_save

# Reachable without logging in, by design.
PUBLIC = {
    "healthz",
    "healthz_live",
    "set_language",
    "admin:login",
    "admin:logout",
    "admin:jsi18n",
    "admin:view_on_site",
    "admin:password_reset",
    "admin:autocomplete",
}


def all_patterns(resolver=None, prefix="", namespace=""):
    """(name, regex-ish route) of every URL pattern, discovered from the URL configuration."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from all_patterns(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}" if p.name else str(p.pattern), prefix + str(p.pattern)


def concrete(route, values):
    """A real path for a route, with its parameters filled from existing objects."""
    import re

    path = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")

    def fill(match):
        name = match.group(0)
        for key, value in values.items():
            if key in name:
                return str(value)
        return "1"

    path = re.sub(r"<[^>]+>|\(\?P<[^>]+>[^)]*\)", fill, path)
    return "/" + path.lstrip("/")


@pytest.fixture
def url_values(bob, carol):
    actual = actual_save(
        user=carol,
        region=carol.profile.department.region,
        year=2013,
        rows=[EntryRow(Indicator.objects.get(plan__slug="jiaxing-2011", code="P-37"), "120")],
    ).saved[0]
    return {
        "slug": "zhejiang-13",
        "code": "T1-1-01",
        "key": "air-quality-good-days-ratio",
        "object_id": actual.pk,
        "pk": carol.profile.department.pk,
        "app_label": "indicators",
        "content_type_id": 1,
    }


@pytest.mark.django_db
def test_every_url_sends_anonymous_visitors_to_login(client, url_values):
    checked = 0
    for name, route in all_patterns():
        if name in PUBLIC or "static" in route or "media" in route:
            continue
        response = client.get(concrete(route, url_values))
        assert response.status_code in (302, 404), (name, route, response.status_code)
        if response.status_code == 302:
            assert "/admin/login/" in response["Location"], (name, route)
        checked += 1
    assert checked > 60


@pytest.mark.django_db
def test_app_pages_refuse_a_clerk_with_403(client, bob, url_values):
    client.force_login(bob)
    for name, route in all_patterns():
        if not name.startswith(("dashboards:", "reports:")):
            continue
        response = client.get(concrete(route, url_values))
        assert response.status_code in (403, 404), (name, response.status_code)


@pytest.mark.django_db
def test_admin_pages_a_role_may_not_use_answer_403(client, erin, url_values):
    client.force_login(erin)  # 领导: reads, changes nothing
    for name, route in all_patterns():
        if name.startswith("admin:") and name.endswith(
            ("_add", "_delete", "_import", "_process_import")
        ):
            response = client.get(concrete(route, url_values))
            assert response.status_code in (403, 404, 405), (name, response.status_code)


@pytest.mark.django_db
def test_a_clerk_cannot_reach_another_departments_row_by_its_id(client, bob, url_values):
    other = Actual.objects.get(pk=url_values["object_id"])
    client.force_login(bob)
    for name in ("change", "history", "delete"):
        response = client.get(f"/admin/indicators/actual/{other.pk}/{name}/")
        assert response.status_code in (302, 403, 404)
        assert "120" not in response.content.decode()


@pytest.mark.django_db
def test_logins_are_throttled_after_repeated_failures(bob, settings):
    browser = Client()
    statuses = [
        browser.post("/admin/login/", {"username": "bob", "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = browser.post("/admin/login/", {"username": "bob", "password": "pw-bob-1"})
    assert locked.status_code == 429
    assert "登录已暂时锁定" in locked.content.decode()
    other = Client().post("/admin/login/", {"username": "alice-not", "password": "x"})
    assert other.status_code == 200  # only that user name is locked


@pytest.mark.django_db
def test_forms_need_a_csrf_token(bob, frank):
    browser = Client(enforce_csrf_checks=True)
    assert (
        browser.post("/admin/login/", {"username": "bob", "password": "pw-bob-1"}).status_code
        == 403
    )
    browser.force_login(bob)
    assert (
        browser.post(
            f"/admin/indicators/actual/entry/?department={bob.profile.department.pk}&year=2013",
            {"entry-TOTAL_FORMS": "0", "entry-INITIAL_FORMS": "0"},
        ).status_code
        == 403
    )
    browser.force_login(frank)
    assert browser.post("/reports/", {}).status_code == 403


def _zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (120 * 1024 * 1024))
    return buffer.getvalue()


BAD_UPLOADS = [
    ("figures.txt", b"plan,indicator\n", "只接受"),
    ("figures.xlsx", b"this is not a zip", "不是有效的 XLSX"),
    ("bomb.xlsx", None, "压缩炸弹"),
    ("big.csv", b"plan,indicator,region,year,value,note\n" + b"x" * (6 * 1024 * 1024), "过大"),
    (
        "many.csv",
        b"plan,indicator,region,year,value,note\n" + b"jiaxing-2011,P-25,,2013,1,\n" * 5002,
        "行数",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "message"), BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
def test_bad_uploads_are_refused_with_a_message_and_nothing_written(
    client, tmp_path, bob, name, data, message
):
    data = _zip_bomb() if data is None else data
    before = Actual.objects.count()
    client.force_login(bob)
    page = client.post(
        "/admin/indicators/actual/import/",
        {
            "format": "0" if name.endswith("xlsx") else "1",
            "resource": "0",
            "import_file": SimpleUploadedFile(name, data),
        },
    )
    assert message in page.content.decode()
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError, match=message):
        call_command("import_actuals", str(path), "--user", "bob", stdout=StringIO())
    assert Actual.objects.count() == before
    assert Plan.objects.filter(slug="jiaxing-2011").exists()
