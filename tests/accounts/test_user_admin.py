"""Users by role in one step: the add form, staff status, the list, the landing pages, 403s."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts import roles
from tests.conftest import jiaxing_department


@pytest.fixture(autouse=True)
def default_language_after():
    """A request in English leaves English active in the thread; the next test must not see it."""
    yield
    translation.deactivate()


def _add_user(client, **fields):
    data = {
        "username": "hana",
        "first_name": "韩娜",
        "password1": "Qp-strong-pass-2024",
        "password2": "Qp-strong-pass-2024",
        "role": roles.CLERK,
        "department": jiaxing_department("市质量技监局").pk,
        "_save": "保存",
        **fields,
    }
    return client.post(reverse("admin:auth_user_add"), data)


def _log_in(username, password, **headers):
    """Log in on the admin's login page as a person does; returns the page landed on."""
    browser = Client(**headers)
    page = browser.get(reverse("admin:login"))
    assert page.status_code == 200
    return browser, browser.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": page.context["next"]},
        follow=True,
    )


def _landed(response):
    query = response.request.get("QUERY_STRING")
    return response.request["PATH_INFO"] + (f"?{query}" if query else "")


@pytest.mark.django_db
def test_an_administrator_adds_a_clerk_on_one_form_who_can_log_in_at_once(client, grace):
    client.force_login(grace)  # 系统管理员, not a superuser
    form = client.get(reverse("admin:auth_user_add")).content.decode()
    for field in ("username", "first_name", "password1", "password2", "role", "department"):
        assert f'name="{field}"' in form
    response = _add_user(client)
    assert response.status_code == 302, response.context["adminform"].form.errors
    hana = User.objects.get(username="hana")
    assert (hana.first_name, hana.is_staff, hana.is_superuser) == ("韩娜", True, False)
    assert [g.name for g in hana.groups.all()] == [roles.CLERK]
    assert hana.profile.department == jiaxing_department("市质量技监局")

    _, page = _log_in("hana", "Qp-strong-pass-2024")
    assert _landed(page) == reverse("admin:indicators_actual_worklist")
    assert page.status_code == 200


@pytest.mark.django_db
def test_a_clerk_needs_a_department(client, grace):
    client.force_login(grace)
    response = _add_user(client, department="")
    assert response.status_code == 200
    assert "填报人员须选择所属单位" in response.content.decode()
    assert not User.objects.filter(username="hana").exists()


@pytest.mark.django_db
def test_a_leader_needs_no_department(client, alice):
    client.force_login(alice)
    assert _add_user(client, role=roles.LEADER, department="").status_code == 302
    assert User.objects.get(username="hana").profile.department is None


@pytest.mark.django_db
def test_the_user_list_shows_role_and_department(client, alice, bob, erin):
    client.force_login(alice)
    page = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "<th" in page and "角色" in page and "所属单位" in page
    assert "填报人员" in page and "嘉兴市 市质量技监局" in page and "领导" in page


@pytest.mark.django_db
def test_staff_status_follows_the_role_however_it_is_given(plans):
    user = User.objects.create_user("ivan", password="pw-ivan-1")
    assert not user.is_staff
    user.groups.add(Group.objects.get(name=roles.AUDITOR))
    assert user.is_staff and User.objects.get(pk=user.pk).is_staff
    user.groups.clear()
    assert not User.objects.get(pk=user.pk).is_staff
    Group.objects.get(name=roles.LEADER).user_set.add(user)
    assert User.objects.get(pk=user.pk).is_staff
    Group.objects.get(name=roles.LEADER).user_set.clear()
    assert not User.objects.get(pk=user.pk).is_staff


@pytest.mark.django_db
def test_an_account_without_a_role_is_told_so_at_login(plans):
    User.objects.create_user("ivan", password="pw-ivan-1")
    _, page = _log_in("ivan", "pw-ivan-1")
    assert "账号 ivan 还没有角色,不能登录" in page.content.decode()


@pytest.mark.django_db
def test_an_administrator_cannot_make_anyone_a_superuser(client, grace, bob):
    client.force_login(grace)
    page = client.get(reverse("admin:auth_user_change", args=[bob.pk])).content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("bob", "/admin/indicators/actual/worklist/"),
        ("dave", "/admin/indicators/actual/review/"),
        ("erin", "/"),
        ("frank", "/"),
        ("grace", "/admin/"),
    ],
)
def test_each_role_lands_where_its_work_is_after_logging_in(request, who, page):
    user = request.getfixturevalue(who)
    _, response = _log_in(user.username, f"pw-{who}-1")
    assert response.status_code == 200
    assert _landed(response) == page
    assert response.redirect_chain == [(page, 302)]  # straight there, not through /start/


def test_a_login_asked_to_go_elsewhere_goes_there(bob):
    browser = Client()
    response = browser.post(
        reverse("admin:login"),
        {
            "username": "bob",
            "password": "pw-bob-1",
            "next": reverse("admin:indicators_actual_entry"),
        },
    )
    assert response["Location"] == reverse("admin:indicators_actual_entry")


@pytest.mark.django_db
def test_a_page_a_role_may_not_open_says_so_in_chinese_with_the_way_back(client, bob):
    client.force_login(bob)
    response = client.get(reverse("dashboards:overview"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权打开此页面" in page and "填报人员" in page
    assert f'id="back" href="{reverse("landing")}' not in page  # the page itself, not a hop
    assert f'href="{reverse("admin:indicators_actual_worklist")}"' in page

    english = client.get(reverse("dashboards:overview"), HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 403
    assert "You may not open this page" in english.content.decode()


@pytest.mark.django_db
def test_the_admin_carries_the_products_name(client, alice):
    client.force_login(alice)
    page = client.get(reverse("admin:index")).content.decode()
    assert "质量发展规划目标监测" in page and "Django" not in page


@pytest.mark.django_db
def test_view_site_takes_a_clerk_to_their_work_and_a_leader_to_the_dashboards(client, bob, erin):
    client.force_login(bob)
    assert f'href="{reverse("landing")}"' in client.get(reverse("admin:index")).content.decode()
    assert client.get(reverse("landing")).status_code == 302
    client.force_login(erin)
    assert 'href="/"' in client.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db
def test_a_locked_out_login_is_explained_in_english_too(bob, settings):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked = browser.post(reverse("admin:login"), {"username": "bob", "password": "wrong"})
    assert locked.status_code == 429
    assert "Login temporarily locked" in locked.content.decode()
