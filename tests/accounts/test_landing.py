"""Where each role's work is, and who may open the admin: plain rules."""

from accounts import roles


def test_each_role_lands_where_its_work_is():
    assert roles.landing([roles.CLERK], is_superuser=False) == roles.DATA_ENTRY
    assert roles.landing([roles.REVIEWER], is_superuser=False) == roles.REVIEW_QUEUE
    assert roles.landing([roles.LEADER], is_superuser=False) == roles.DASHBOARDS
    assert roles.landing([roles.AUDITOR], is_superuser=False) == roles.DASHBOARDS
    assert roles.landing([roles.ADMINISTRATOR], is_superuser=False) == roles.ADMIN_INDEX
    assert roles.landing([], is_superuser=True) == roles.ADMIN_INDEX


def test_a_user_with_two_roles_lands_on_the_one_with_more_to_do():
    assert roles.landing([roles.LEADER, roles.CLERK], is_superuser=False) == roles.DATA_ENTRY
    assert roles.landing([roles.CLERK, roles.ADMINISTRATOR], is_superuser=False) == "admin"


def test_staff_status_follows_having_a_role():
    assert roles.may_open_admin([roles.CLERK], is_superuser=False)
    assert not roles.may_open_admin([], is_superuser=False)
    assert roles.may_open_admin([], is_superuser=True)
