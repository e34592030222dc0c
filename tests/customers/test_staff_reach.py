"""Staff reach (issue 8, item 8): being staff is for the admin; other users need the support privilege;
only superusers hand out staff, superuser and permissions; granting customer access has its own
permission; the admin login spends the same hasher allowance as the API."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from django.urls import reverse

from apps.customers.admin import CustomerAccessInline
from apps.customers.models import Customer, User
from tests.api.test_authentication import CountingHasher
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

OTHER_USER_URLS = ["/api/users/{pk}", "/api/users/{pk}/privileges", "/api/users/{pk}/meters"]


def grant(user, codename):
    user.user_permissions.add(Permission.objects.get(codename=codename))
    return User.objects.get(pk=user.pk)  # a fresh instance: has_perm caches


@pytest.mark.parametrize("url", OTHER_USER_URLS)
def test_staff_without_support_cannot_read_other_users(owner, other, url):
    owner.user.is_staff = True
    owner.user.save()
    response = owner.client().get(url.format(pk=other.user.pk))
    assert response.status_code == 404
    assert owner.client().get(url.format(pk=owner.user.pk)).status_code == 200


@pytest.mark.parametrize("url", OTHER_USER_URLS)
def test_the_support_privilege_reads_other_users(owner, other, url):
    grant(owner.user, "support")
    assert owner.client().get(url.format(pk=other.user.pk)).status_code == 200


def test_support_is_listed_among_the_privileges(owner):
    grant(owner.user, "support")
    response = owner.client().get(f"/api/users/{owner.user.pk}/privileges")
    assert "support" in str(response.json())


@pytest.fixture
def staff_user():
    user = UserFactory(is_staff=True)
    # Including the stock access-row permissions: they alone no longer grant access.
    stock = ["view_user", "change_user", "view_customer", "change_customer"]
    for codename in [*stock, "view_customeraccess", "add_customeraccess", "change_customeraccess"]:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return User.objects.get(pk=user.pk)


def _user_change_data(user, **extra):
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        **extra,
    }


def test_staff_cannot_make_themselves_superuser(staff_user):
    client = Client()
    client.force_login(staff_user)
    url = reverse("admin:customers_user_change", args=[staff_user.pk])
    form = client.get(url).context["adminform"].form
    assert not {"is_staff", "is_superuser", "groups", "user_permissions"} & set(form.fields)

    all_permissions = [str(p.pk) for p in Permission.objects.all()[:5]]
    response = client.post(
        url,
        _user_change_data(
            staff_user, is_superuser="on", is_staff="on", user_permissions=all_permissions, **_no_access_rows()
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    staff_user.refresh_from_db()
    assert not staff_user.is_superuser
    assert staff_user.user_permissions.count() == 7


def test_staff_cannot_change_a_superuser(staff_user):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff_user)
    assert client.get(reverse("admin:auth_user_password_change", args=[superuser.pk])).status_code == 403
    response = client.post(reverse("admin:customers_user_change", args=[superuser.pk]), _user_change_data(superuser))
    assert response.status_code == 403


def test_a_superuser_still_grants_staff(staff_user):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    target = UserFactory()
    url = reverse("admin:customers_user_change", args=[target.pk])
    response = client.post(url, _user_change_data(target, is_staff="on", **_no_access_rows()))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_staff


def _no_access_rows():
    return {
        "customer_accesses-TOTAL_FORMS": "0",
        "customer_accesses-INITIAL_FORMS": "0",
        "customer_accesses-MIN_NUM_FORMS": "0",
        "customer_accesses-MAX_NUM_FORMS": "1000",
    }


def test_granting_customer_access_needs_its_own_permission(staff_user, owner):
    request = RequestFactory().get("/admin/")
    request.user = staff_user
    inline = CustomerAccessInline(User, admin.site)
    assert not inline.has_add_permission(request, staff_user)
    assert not inline.has_change_permission(request, staff_user)
    assert not inline.has_delete_permission(request, staff_user)

    request.user = grant(staff_user, "grant_customer_access")
    assert inline.has_add_permission(request, staff_user)


def test_staff_without_the_permission_cannot_grant_themselves_access(staff_user, owner):
    client = Client()
    client.force_login(staff_user)
    url = reverse("admin:customers_user_change", args=[staff_user.pk])
    data = _user_change_data(
        staff_user,
        **{
            **_no_access_rows(),
            "customer_accesses-TOTAL_FORMS": "1",
            "customer_accesses-0-customer": str(owner.customer.pk),
            "customer_accesses-0-user": str(staff_user.pk),
        },
    )
    client.post(url, data)
    assert not Customer.objects.filter(accesses__user=staff_user).exists()


def test_admin_login_spends_the_hasher_allowance(settings):
    settings.AUTH_HASHER_LIMIT = 2
    settings.PASSWORD_HASHERS = ["tests.api.test_authentication.CountingHasher"]
    user = UserFactory(is_staff=True)
    CountingHasher.calls = 0
    client = Client(REMOTE_ADDR="10.2.0.1")
    url = reverse("admin:login")
    for _ in range(2):
        response = client.post(url, {"username": user.username, "password": "wrong"})
        assert "Too many login attempts" not in response.content.decode()
    assert CountingHasher.calls == 2
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert "Too many login attempts from this address" in response.content.decode()
    assert CountingHasher.calls == 2  # refused before the user was looked up or hashed
    assert "_auth_user_id" not in client.session
    # Another address logs in.
    other = Client(REMOTE_ADDR="10.2.0.2")
    assert other.post(url, {"username": user.username, "password": PASSWORD}).status_code == 302
