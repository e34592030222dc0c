"""X-Area selection, 403 for an area without customers, the error body, atomic requests."""

import pytest

from apps.customers.models import Customer, CustomerAccess
from esmart.api.area import Area

pytestmark = pytest.mark.django_db


def test_absent_area_means_power(owner):
    response = owner.client().get(f"/api/customers/{owner.customer.pk}")
    assert response.status_code == 200
    assert response.json()["IsPowerCustomer"] is True


def test_net_area_selects_net_customers(owner):
    assert owner.client(Area.NET).get(f"/api/customers/{owner.net_customer.pk}").status_code == 200
    # The Power customer is not visible from the Net area.
    assert owner.client(Area.NET).get(f"/api/customers/{owner.customer.pk}").status_code == 404


@pytest.mark.parametrize(
    "value", ["0", "3", "Net", "1.0", "-1", "", " ", "01", "+1", "2.0", "1_0", "\u0661", "\u0662", "\uff12", "1 2"]
)
def test_any_other_area_is_400(owner, value):
    client = owner.client()
    response = client.get(f"/api/customers/{owner.customer.pk}", HTTP_X_AREA=value)
    assert response.status_code == 400
    assert "X-Area" in response.json()["ModelState"]


@pytest.mark.parametrize("value", ["1", "2", " 2", "1\t"])
def test_area_is_exactly_one_or_two(owner, value):
    customer = owner.net_customer if value.strip() == "1" else owner.customer
    response = owner.client().get(f"/api/customers/{customer.pk}", HTTP_X_AREA=value)
    assert response.status_code == 200


def test_user_without_customer_in_area_gets_403(owner):
    CustomerAccess.objects.filter(user=owner.user, customer__area=Area.NET).delete()
    response = owner.client(Area.NET).get(f"/api/customers/{owner.net_customer.pk}")
    assert response.status_code == 403
    assert response.json() == {"Message": "The user has no customer in the selected area."}


def test_validation_error_body_names_the_field(owner):
    response = owner.client().patch(f"/api/customers/{owner.customer.pk}", {"Email": "nope"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["Message"] == "The request is invalid."
    assert list(body["ModelState"]) == ["Email"]


def test_failed_request_leaves_nothing_half_written(owner):
    before = Customer.objects.get(pk=owner.customer.pk)
    response = owner.client().patch(
        f"/api/customers/{owner.customer.pk}",
        {"PhoneNumber": "11111111", "MobileNumber": "not-digits"},
        format="json",
    )
    assert response.status_code == 400
    after = Customer.objects.get(pk=owner.customer.pk)
    assert (after.phone_number, after.mobile_number) == (before.phone_number, before.mobile_number)


def test_method_not_allowed_is_405_with_message(owner):
    response = owner.client().delete(f"/api/customers/{owner.customer.pk}")
    assert response.status_code == 405
    assert "Message" in response.json()
