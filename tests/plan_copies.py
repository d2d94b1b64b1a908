"""A copy of fixtures/ with one more plan file, for tests of plans that are not among the
six (a national plan, say)."""

import shutil

import yaml
from django.conf import settings


def fixtures_with_plan(tmp_path, plan, *, canonical_links=()):
    """Copy fixtures/ to tmp_path, add `plan` (a plan file's content) and link its indicators
    to catalogue entries: `canonical_links` is (entry key, indicator code) pairs. Returns the
    copy's folder."""
    copy = tmp_path / "fixtures"
    shutil.copytree(settings.PLAN_FIXTURES_DIR, copy)
    slug = plan["plan"]["slug"]
    (copy / "plans" / f"{slug}.yaml").write_text(
        yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8"
    )
    if canonical_links:
        path = copy / "canonical.yaml"
        canonical = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = {e["key"]: e for e in canonical["canonical"]}
        for key, code in canonical_links:
            entries[key]["members"].append({"plan": slug, "indicator": code})
        path.write_text(yaml.safe_dump(canonical, allow_unicode=True), encoding="utf-8")
    return copy
