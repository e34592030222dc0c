"""GET api/users/{userId}, .../privileges, GET and PATCH api/customers/{customerId}."""

import pytest
from django.contrib.auth.models import Group, Permission

from apps.customers.models import Customer
from esmart.api.area import Area

pytestmark = pytest.mark.django_db


class TestUser:
    def test_returns_the_caller(self, owner):
        response = owner.client().get(f"/api/users/{owner.user.pk}")
        assert response.status_code == 200
        body = response.json()
        assert body["UserId"] == owner.user.pk
        assert body["UserName"] == owner.user.username
        assert sorted(body["CustomerIds"]) == sorted([owner.customer.pk, owner.net_customer.pk])

    def test_another_users_id_is_404(self, owner, other):
        assert owner.client().get(f"/api/users/{other.user.pk}").status_code == 404

    def test_staff_may_not_read_other_users_but_support_may(self, owner, other):
        owner.user.is_staff = True
        owner.user.save()
        assert owner.client().get(f"/api/users/{other.user.pk}").status_code == 404
        owner.user.user_permissions.add(Permission.objects.get(codename="support"))
        assert owner.client().get(f"/api/users/{other.user.pk}").status_code == 200

    def test_no_credentials_401(self, anonymous, owner):
        assert anonymous.get(f"/api/users/{owner.user.pk}").status_code == 401

    def test_non_numeric_id_is_404(self, owner):
        assert owner.client().get("/api/users/abc").status_code == 404


class TestPrivileges:
    def test_lists_direct_and_group_privileges(self, owner):
        cim = Permission.objects.get(codename="cim_export")
        care = Permission.objects.get(codename="care")
        owner.user.user_permissions.add(cim)
        group = Group.objects.create(name="care staff")
        group.permissions.add(care)
        owner.user.groups.add(group)

        response = owner.client().get(f"/api/users/{owner.user.pk}/privileges")
        assert response.status_code == 200
        assert [p["Name"] for p in response.json()] == ["care", "cim_export"]
        assert all(p["Description"] for p in response.json())

    def test_no_privileges_is_an_empty_list(self, owner):
        response = owner.client().get(f"/api/users/{owner.user.pk}/privileges")
        assert response.status_code == 200
        assert response.json() == []

    def test_another_users_id_is_404(self, owner, other):
        assert owner.client().get(f"/api/users/{other.user.pk}/privileges").status_code == 404

    def test_no_credentials_401(self, anonymous, owner):
        assert anonymous.get(f"/api/users/{owner.user.pk}/privileges").status_code == 401


class TestCustomer:
    def test_get_returns_the_customer_response_dto(self, owner):
        response = owner.client().get(f"/api/customers/{owner.customer.pk}")
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {
            "Address",
            "BirthDate",
            "CustomerId",
            "CustomerType",
            "Email",
            "FirstName",
            "IsBroadbandCustomer",
            "IsDistrictHeatingCustomer",
            "IsNetCustomer",
            "IsPowerCustomer",
            "LastName",
            "MobileNumber",
            "OrganizationNo",
            "PhoneNumber",
            "Pin",
            "RequiresProfileConfirmation",
        }
        assert set(body["Address"]) == {
            "AddressText",
            "City",
            "CoAddress",
            "CountryCode",
            "Entrance",
            "Floor",
            "HouseLetter",
            "HouseNo",
            "IsEditable",
            "POBox",
            "ZipCode",
        }
        assert body["CustomerId"] == owner.customer.pk
        assert body["BirthDate"] == "1980-05-17T00:00:00"
        assert (body["IsPowerCustomer"], body["IsNetCustomer"]) == (True, False)

    def test_get_runs_two_queries_when_credentials_are_warm(self, owner, django_assert_num_queries):
        client = owner.client()
        client.get(f"/api/customers/{owner.customer.pk}")
        with django_assert_num_queries(2):  # the user row, then the scoped customer
            assert client.get(f"/api/customers/{owner.customer.pk}").status_code == 200

    def test_another_users_customer_is_404(self, owner, other):
        assert owner.client().get(f"/api/customers/{other.customer.pk}").status_code == 404
        assert owner.client(Area.NET).get(f"/api/customers/{other.net_customer.pk}").status_code == 404

    def test_no_credentials_401(self, anonymous, owner):
        assert anonymous.get(f"/api/customers/{owner.customer.pk}").status_code == 401
        assert anonymous.patch(f"/api/customers/{owner.customer.pk}", {}, format="json").status_code == 401

    def test_patch_changes_only_contact_fields(self, owner):
        body = {
            "PhoneNumber": "22334455",
            "MobileNumber": "99887766",
            "Email": "new@example.com",
            "FirstName": "Ignored",
            "CustomerId": 1,
            "Address": {"City": "Ignored"},
        }
        response = owner.client().patch(f"/api/customers/{owner.customer.pk}", body, format="json")
        assert response.status_code == 200
        customer = Customer.objects.get(pk=owner.customer.pk)
        assert (customer.phone_number, customer.mobile_number, customer.email) == (
            "22334455",
            "99887766",
            "new@example.com",
        )
        assert customer.first_name == owner.customer.first_name
        assert customer.city == owner.customer.city
        assert response.json()["Email"] == "new@example.com"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"PhoneNumber": "123456789012345"}, "PhoneNumber"),  # 15 digits
            ({"PhoneNumber": "+4712345678"}, "PhoneNumber"),
            ({"MobileNumber": "12 34"}, "MobileNumber"),
            ({"Email": "not-an-address"}, "Email"),
            ({"Email": "a" * 95 + "@x.com"}, "Email"),  # 101 characters
        ],
    )
    def test_patch_rejects_invalid_values_and_changes_nothing(self, owner, body, field):
        before = Customer.objects.values().get(pk=owner.customer.pk)
        response = owner.client().patch(f"/api/customers/{owner.customer.pk}", body, format="json")
        assert response.status_code == 400
        assert list(response.json()["ModelState"]) == [field]
        assert Customer.objects.values().get(pk=owner.customer.pk) == before

    def test_patch_accepts_fourteen_digits(self, owner):
        response = owner.client().patch(
            f"/api/customers/{owner.customer.pk}", {"MobileNumber": "12345678901234"}, format="json"
        )
        assert response.status_code == 200

    def test_patch_of_another_users_customer_is_404_and_writes_nothing(self, owner, other):
        response = owner.client().patch(f"/api/customers/{other.customer.pk}", {"Email": "x@y.no"}, format="json")
        assert response.status_code == 404
        assert Customer.objects.get(pk=other.customer.pk).email == other.customer.email
