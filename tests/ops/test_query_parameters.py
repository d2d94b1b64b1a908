"""Malformed query parameters answer 400 (or are ignored), never 500: every page outside the
dashboards, probed as the probe did (?year=abc, ?year=1e3, ?region=x) and a few more."""

import pytest
from django.test import Client

from .test_security import all_patterns, concrete, url_values  # noqa: F401 - a fixture

# The probe's own three, asked of every role.
PROBED = ["year=abc", "year=1e3", "region=x"]
BAD = [
    *PROBED,
    "year=99999999999999999999",
    "department=abc",
    "plan=x",
    "pk=abc",
    "q=%00",
    "p=abc",
    "o=abc",
]
# Pages that change something on GET, or end the session.
SKIP = ("_delete", "logout", "set_language")


def probe(user, values, queries):
    browser = Client(raise_request_exception=False)
    browser.force_login(user)
    failures = []
    for name, route in all_patterns():
        if name.startswith("dashboards:") or name.endswith(SKIP) or "static" in route:
            continue
        path = concrete(route, values)
        for query in queries:
            response = browser.get(f"{path}?{query}")
            if response.status_code >= 500:
                failures.append((name, query, response.status_code))
    return failures


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "queries"),
    # The superuser, who reaches every page, one query at a time: the test processes share
    # the crawl.
    [*(("alice", [query]) for query in BAD), ("frank", PROBED), ("bob", PROBED)],
    ids=[*(f"superuser-{query}" for query in BAD), "auditor", "clerk"],
)
def test_no_page_outside_the_dashboards_fails_on_malformed_parameters(role, queries, request):
    values = request.getfixturevalue("url_values")  # an object of every kind to point at
    assert probe(request.getfixturevalue(role), values, queries) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/indicators/actual/export/",
        "/admin/indicators/plan/export/",
        "/admin/indicators/indicator/export/",
        "/admin/indicators/target/export/",
    ],
)
@pytest.mark.parametrize("query", ["year=abc", "year=1e3", "region=x"])
def test_an_export_with_a_malformed_filter_answers_400(client, alice, path, query):
    client.force_login(alice)
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert "筛选条件" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/admin/regions/department/add/", "region=x"),
        ("/admin/indicators/indicator/add/", "department=abc"),
        ("/admin/regions/region/add/", "parent=x"),
    ],
)
def test_an_add_page_with_a_malformed_prefill_answers_400(client, alice, path, query):
    client.force_login(alice)
    assert client.get(f"{path}?{query}").status_code == 400
    assert client.get(path).status_code == 200
