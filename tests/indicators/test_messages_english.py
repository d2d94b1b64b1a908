"""An English clerk reads data-entry and import errors in English; stored text stays Chinese."""

import ast
import gettext
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from indicators.models import Actual, Indicator
from indicators.services.actuals import EntryRow, actual_save

from .test_data_entry import actual, post_page
from .test_import_actuals import GOOD, write_csv

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


@pytest.fixture(autouse=True)
def default_language_after():
    """A request in English leaves English active in the thread; the next test must not see it."""
    yield
    translation.deactivate()


def indicator(code):
    return Indicator.objects.get(plan__slug="jiaxing-2011", code=code)


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_a_stale_save_is_refused_in_english(bob, bert):
    p25, region = indicator("P-25"), bob.profile.department.region
    actual_save(user=bob, region=region, year=2013, rows=[EntryRow(p25, text="93")])
    with translation.override("en"):
        # bert's page was read before bob saved: it knows no version of the figure
        result = actual_save(user=bert, region=region, year=2013, rows=[EntryRow(p25, text="95")])
    [message] = result.errors[p25.pk]
    assert message.startswith("This figure was changed to “93” by bob at ")
    assert message.endswith(
        "so your change was not saved. Please check the figure and enter it again."
    )
    assert actual("P-25").raw == "93"


@pytest.mark.django_db
def test_an_unreadable_value_on_the_entry_page_is_explained_in_english(client, bob):
    response = post_page(in_english(client), bob, {"P-25": "93.5", "P-26": "九十二"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "“九十二” is not a valid number; write it like 98.5, 98.5%, 98以上" in html
    assert "不是有效的数值" not in html
    assert not Actual.objects.filter(indicator__plan__slug="jiaxing-2011").exists()


@pytest.mark.django_db
def test_a_bad_import_row_is_explained_in_english(tmp_path, bob):
    bad = ["jiaxing-2011", "P-27", "999999", "2013", "95", ""]
    path = write_csv(tmp_path, [*GOOD, bad])
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError):
        call_command("import_actuals", str(path), "--user", "bob", stderr=err)
    assert "There is no region with the code “999999”." in err.getvalue()
    assert not Actual.objects.filter(indicator__plan__slug="jiaxing-2011").exists()


@pytest.mark.django_db
def test_an_upload_of_another_file_type_is_refused_in_english(client, bob):
    in_english(client).force_login(bob)
    response = client.post(
        reverse("admin:indicators_actual_import"),
        {"format": "1", "import_file": SimpleUploadedFile("actuals.txt", b"x"), "resource": "0"},
    )
    html = response.content.decode()
    assert "Only .xlsx or .csv files are accepted; “actuals.txt” is neither." in html
    assert "只接受" not in html


@pytest.mark.django_db
def test_a_suspicion_is_explained_in_english_but_stored_in_chinese(client, bob):
    for year, value in [(2011, "90"), (2012, "91")]:
        Actual.objects.create(
            indicator=indicator("P-25"),
            region=bob.profile.department.region,
            year=year,
            value=Decimal(value),
            raw=value,
            status="approved",
        )
    html = post_page(in_english(client), bob, {"P-25": "40"}).content.decode()
    assert "This figure may be wrong: It is well outside the range of earlier figures" in html
    post_page(client, bob, {"P-25": "40"}, notes={"P-25": "统计口径调整"})
    stored = actual("P-25").suspicion  # kept in the site's language, like the history
    assert stored.startswith("超出历史数据范围(90") and stored.endswith(")较多。")


def po_entries(path):
    """{field: text} and flags of each live entry of a .po file (header and obsolete left out)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields, flags, field = {}, set(), None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("msg"):  # msgctxt, msgid, msgid_plural, msgstr, msgstr[n]
                field, literal = line.split(" ", 1)
                fields[field] = ast.literal_eval(literal)
            elif line.startswith('"') and field:
                fields[field] += ast.literal_eval(line)
        if fields.get("msgid"):
            entries.append((fields, flags))
    return entries


def test_every_message_has_a_compiled_english_translation():
    entries = po_entries(LOCALE / "django.po")
    assert len(entries) > 300
    with open(LOCALE / "django.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog
    missing = []
    for fields, flags in entries:
        key = fields["msgid"]
        if "msgctxt" in fields:
            key = f"{fields['msgctxt']}\x04{key}"
        keys = [(key, 0), (key, 1)] if "msgid_plural" in fields else [key]
        in_po = [v for k, v in fields.items() if k.startswith("msgstr")]
        if "fuzzy" in flags or not all(in_po) or not all(compiled.get(k) for k in keys):
            missing.append(fields["msgid"])
    assert missing == []  # untranslated or fuzzy, or the .mo not compiled since


GETTEXT_CALLS = {
    "_": 0,
    "gettext": 0,
    "gettext_lazy": 0,
    "gettext_noop": 0,
    "pgettext": 1,
    "pgettext_lazy": 1,
}


def source_msgids():
    """(file, context, msgid) of every gettext call on a literal in the project's Python code."""
    base = Path(settings.BASE_DIR)
    for path in sorted(base.glob("*/**/*.py")):
        parts = path.relative_to(base).parts
        if parts[0] in ("tests", "benchmarks") or parts[0].startswith(".") or "migrations" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            position = GETTEXT_CALLS.get(node.func.id)
            if position is None or len(node.args) <= position:
                continue
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            if isinstance(args[position], str):
                context = args[0] if position else None
                yield str(path.relative_to(base)), context, args[position]


def test_every_message_in_the_code_is_in_the_english_catalogue():
    catalogue = {(f.get("msgctxt"), f["msgid"]) for f, _ in po_entries(LOCALE / "django.po")}
    found = list(source_msgids())
    assert len(found) > 100
    assert [m for m in found if m[1:] not in catalogue] == []  # run makemessages -l en


@pytest.mark.django_db
def test_a_weaker_target_than_the_parent_region_is_explained_in_english(plans):
    from indicators.selectors import alignment_flags

    flags = alignment_flags()
    jinhua = next(
        f
        for f in flags
        if f.child.indicator.plan.slug == "jinhua-2023" and f.child.raw == "94%以上"
    )
    with translation.override("en"):
        message = jinhua.message
    assert message.startswith("金华市's 2025 target 94%以上 is weaker than 浙江省's target 96")
    assert message.endswith("for the same year (制造业产品质量合格率)")
