"""The support staff's admin: search, the customer page, read-only CIS fields, terms reset, feedback."""

import pytest
from django.urls import reverse

from apps.customers.models import Customer, Feedback, TermsAcceptance
from apps.customers.services import accept_eula, accept_terms, submit_feedback
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def changelist(staff, q):
    response = staff.get(reverse("admin:customers_customer_changelist"), {"q": q})
    assert response.status_code == 200
    return {c.pk for c in response.context["cl"].result_list}


def test_find_a_customer_by_number_name_email_phone_or_metering_point(staff, owner, other):
    c = owner.customer
    assert c.pk in changelist(staff, str(c.pk))  # (small ids also occur inside phone numbers)
    assert changelist(staff, c.last_name) == {c.pk}
    assert changelist(staff, f"{c.first_name} {c.last_name}") == {c.pk}
    assert changelist(staff, c.email) == {c.pk}
    assert changelist(staff, c.phone_number) == {c.pk}
    assert changelist(staff, c.mobile_number) == {c.pk}
    assert changelist(staff, owner.delivery_point.metering_point_id) == {c.pk}


def test_customer_page_shows_contracts_points_meters_logins_feedback_and_terms(staff, owner, app):
    submit_feedback(kind=Feedback.Kind.CUSTOMER, user=owner.user, customer=owner.customer, message="Flott app")
    accept_terms(customer=owner.customer, app=app, user=owner.user, general=True, additional=False)
    response = staff.get(reverse("admin:customers_customer_change", args=[owner.customer.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        str(owner.contract.contract_no),
        owner.delivery_point.metering_point_id,
        owner.meter.meter_id,
        owner.user.username,
        "Flott app",
        "smartliv General v1",
    ]:
        assert text in html, text


def test_cis_fields_are_read_only_for_staff(staff, owner):
    url = reverse("admin:customers_customer_change", args=[owner.customer.pk])
    form = staff.get(url).context["adminform"].form
    assert "first_name" not in form.fields and "pin" not in form.fields and "birth_date" not in form.fields
    assert {"email", "phone_number", "mobile_number"} <= set(form.fields)


def test_staff_can_edit_contact_details_but_not_the_name(staff, owner):
    url = reverse("admin:customers_customer_change", args=[owner.customer.pk])
    data = {
        "email": "new@example.com",
        "phone_number": "22334455",
        "mobile_number": "99887766",
        "first_name": "Hacked",
        "address_text": "Storgata 1",
        "country_code": "NO",
        "customer_type": "PRIVATE",
        "language": "nb",
    }
    for prefix in ["contracts", "accesses", "associations", "feedback", "terms_acceptances"]:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data["accesses-TOTAL_FORMS"] = data["accesses-INITIAL_FORMS"] = "1"
    data.update({"accesses-0-id": owner.customer.accesses.get().pk, "accesses-0-customer": owner.customer.pk})
    data["accesses-0-user"] = owner.user.pk
    data["contracts-INITIAL_FORMS"] = data["contracts-TOTAL_FORMS"] = "1"
    data["contracts-0-id"] = owner.contract.pk
    data["contracts-0-customer"] = owner.customer.pk
    response = staff.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    customer = Customer.objects.get(pk=owner.customer.pk)
    assert (customer.email, customer.phone_number) == ("new@example.com", "22334455")
    assert customer.first_name == owner.customer.first_name


def test_reset_terms_action(staff, owner, app):
    accept_terms(customer=owner.customer, app=app, user=owner.user, general=True, additional=True)
    accept_eula(customer=owner.customer, app=app, user=owner.user)
    response = staff.post(
        reverse("admin:customers_customer_changelist"),
        {"action": "reset_terms", "_selected_action": [owner.customer.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "3 acceptances were reset." in response.content.decode()
    assert not TermsAcceptance.objects.filter(reset_at__isnull=True).exists()
    assert set(TermsAcceptance.objects.values_list("reset_by", flat=True)) == {staff.user.pk}


def test_staff_answer_feedback(staff, owner):
    feedback = submit_feedback(
        kind=Feedback.Kind.SYSTEM, user=owner.user, message="The graph is empty", rating=2, app_name="smartliv"
    )
    url = reverse("admin:customers_feedback_change", args=[feedback.pk])
    response = staff.post(url, {"answer": "Fixed in 3.2", "message": "changed?", "rating": 5})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert (feedback.answer, feedback.answered_by, feedback.message, feedback.rating) == (
        "Fixed in 3.2",
        staff.user,
        "The graph is empty",
        2,
    )
    assert feedback.answered_at is not None
    unanswered = staff.get(reverse("admin:customers_feedback_changelist"), {"answered": "no"})
    assert list(unanswered.context["cl"].result_list) == []


@pytest.mark.parametrize(
    "name",
    [
        "customer",
        "contract",
        "deliverypoint",
        "meter",
        "app",
        "appconfigparameter",
        "termsversion",
        "termsacceptance",
        "feedback",
        "appusage",
    ],
)
def test_admin_lists_open(staff, owner, name):
    assert staff.get(reverse(f"admin:customers_{name}_changelist")).status_code == 200


def test_an_association_added_in_the_admin_goes_both_ways(staff, owner):
    from apps.customers.models import CustomerAssociation

    url = reverse("admin:customers_customer_change", args=[owner.customer.pk])
    form = staff.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        {
            f"{prefix}-{key}": "0"
            for prefix in ["contracts", "associations", "feedback", "terms_acceptances"]
            for key in ["TOTAL_FORMS", "INITIAL_FORMS"]
        }
    )
    data.update(
        {
            "accesses-TOTAL_FORMS": "1",
            "accesses-INITIAL_FORMS": "1",
            "accesses-0-id": owner.customer.accesses.get().pk,
            "accesses-0-customer": owner.customer.pk,
            "accesses-0-user": owner.user.pk,
            "contracts-TOTAL_FORMS": "1",
            "contracts-INITIAL_FORMS": "1",
            "contracts-0-id": owner.contract.pk,
            "contracts-0-customer": owner.customer.pk,
            "associations-TOTAL_FORMS": "1",
            "associations-0-associate": owner.net_customer.pk,
            "associations-0-relation": "1",
        }
    )
    response = staff.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert set(CustomerAssociation.objects.values_list("customer_id", "associate_id")) == {
        (owner.customer.pk, owner.net_customer.pk),
        (owner.net_customer.pk, owner.customer.pk),
    }
