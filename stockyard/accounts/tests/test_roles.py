import pytest
from django.contrib.auth.models import Group

from stockyard.accounts.roles import MATRIX, Capability, Role, roles_allow


@pytest.mark.django_db
def test_every_role_exists_as_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


def test_every_capability_is_in_the_matrix():
    assert set(MATRIX) == set(Capability)


def test_admin_may_do_everything_and_viewer_only_reads():
    assert all(roles_allow(frozenset({Role.ADMIN}), capability) for capability in Capability)
    viewer = frozenset({Role.VIEWER})
    assert roles_allow(viewer, Capability.CATALOG_VIEW)
    assert not roles_allow(viewer, Capability.REPORTS_EXPORT)
    assert not roles_allow(viewer, Capability.STOCK_MOVE)


def test_every_role_reads_the_catalog():
    assert all(roles_allow(frozenset({role}), Capability.CATALOG_VIEW) for role in Role)


def test_nobody_but_admin_manages_users():
    assert not any(
        roles_allow(frozenset({role}), Capability.USERS_MANAGE)
        for role in Role
        if role != Role.ADMIN
    )


@pytest.mark.django_db
def test_roles_are_assigned_even_when_their_group_is_missing(make_user):
    Group.objects.filter(name=Role.SALES.value).delete()  # e.g. a flushed test database
    user = make_user(Role.SALES)
    assert user.roles == frozenset({Role.SALES})
