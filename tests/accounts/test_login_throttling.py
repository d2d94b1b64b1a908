"""Login throttling behind a proxy, through the real admin login view.

Failures count per user name and client address; behind TRUSTED_PROXY_COUNT proxies the client
address is read from X-Forwarded-For, never further left than the proxies wrote it; a user
name has a ceiling of failures from all addresses together, and an address one for all user
names together.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

LOGIN = "/admin/login/"
PROXY = "10.0.0.2"  # the nginx in front of the application


def attempt(username, password, *, client_address=None, forwarded=None, remote=PROXY):
    """One login through the proxy: nginx appends the client's address to X-Forwarded-For."""
    chain = ", ".join(a for a in (forwarded, client_address) if a)
    extra = {"REMOTE_ADDR": remote}
    if chain:
        extra["HTTP_X_FORWARDED_FOR"] = chain
    return Client().post(LOGIN, {"username": username, "password": password}, **extra).status_code


@pytest.mark.django_db
def test_behind_a_trusted_proxy_one_clients_failures_do_not_lock_out_another(bob, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    failures = [
        attempt("bob", "wrong", client_address="203.0.113.7")
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert failures[-1] == 429
    assert attempt("bob", "pw-bob-1", client_address="203.0.113.7") == 429
    assert attempt("bob", "pw-bob-1", client_address="198.51.100.4") == 302


@pytest.mark.django_db
def test_an_address_the_client_wrote_itself_is_not_believed(bob, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [
        attempt("bob", "wrong", client_address="203.0.113.7", forwarded=f"192.0.2.{n}")
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429
    assert attempt("bob", "pw-bob-1", client_address="203.0.113.7", forwarded="192.0.2.99") == 429


@pytest.mark.django_db
def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(bob, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt("bob", "wrong", client_address=f"203.0.113.{n}", remote="198.51.100.1")
    assert attempt("bob", "pw-bob-1", client_address="203.0.113.99", remote="198.51.100.1") == 429
    assert attempt("bob", "pw-bob-1", remote="198.51.100.2") == 302


@pytest.mark.django_db
def test_a_user_name_guessed_from_many_addresses_reaches_a_ceiling(bob, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 8
    # Four failures from each of two addresses: each stays under the per-address limit of 5.
    statuses = [attempt("bob", "wrong", client_address=f"203.0.113.{n % 2}") for n in range(8)]
    assert statuses == [200] * 7 + [429]
    # bob is now locked on every address; other user names are not.
    assert attempt("bob", "pw-bob-1", client_address="198.51.100.4") == 429
    assert attempt("alice-not", "x", client_address="198.51.100.4") == 200


@pytest.mark.django_db
def test_an_address_spraying_guesses_at_many_user_names_reaches_a_ceiling(bob, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 9
    # Three guesses at each of three user names: under every per-name limit.
    statuses = [
        attempt(name, "wrong", client_address="203.0.113.7")
        for name in ("bob", "carol-guess", "dave-guess")
        for _ in range(3)
    ]
    assert statuses == [200] * 8 + [429]
    # That address is now locked for any user name, even with the right password; bob logs
    # in from elsewhere.
    assert attempt("bob", "pw-bob-1", client_address="203.0.113.7") == 429
    assert attempt("erin-guess", "x", client_address="203.0.113.7") == 429
    assert attempt("bob", "pw-bob-1", client_address="198.51.100.4") == 302


@pytest.mark.django_db
def test_no_address_ceiling_when_it_is_zero(bob, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 0
    for n in range(12):
        attempt(f"guess-{n}", "wrong", client_address="203.0.113.7")
    assert attempt("bob", "pw-bob-1", client_address="203.0.113.7") == 302


@pytest.mark.django_db
def test_the_per_pair_limit_still_locks_one_address_out(bob, settings):
    statuses = [attempt("bob", "wrong", remote="203.0.113.9") for _ in range(5)]
    assert statuses == [200] * 4 + [429]
    assert attempt("bob", "pw-bob-1", remote="203.0.113.9") == 429
    assert attempt("bob", "pw-bob-1", remote="198.51.100.4") == 302


@pytest.mark.django_db
def test_a_login_counts_the_failures_against_it_in_one_query(bob):
    attempt("bob", "wrong")
    with CaptureQueriesContext(connection) as queries:
        assert attempt("bob", "pw-bob-1") == 302
    sums = [q["sql"] for q in queries if 'SUM("axes_accessattempt"' in q["sql"]]
    assert len(sums) == 1  # axes' own count, the user name's and the address's ceilings
