"""Bad input in the customers services is a 400/409 with the wire's error body, never a 500, and
nothing is written (issue 8, item 2): the contact PATCH's model validation and double-tapped
terms/EULA accepts racing on the partial unique constraints."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from apps.customers import services
from apps.customers.models import Customer, TermsAcceptance, TermsType

from .test_terms_api import url

pytestmark = pytest.mark.django_db


def test_patch_that_fails_model_validation_is_400_and_writes_nothing(owner, monkeypatch):
    # A model rule the serializer does not repeat (Customer.clean) is the wire's 400, not a 500.
    def clean(customer):
        raise DjangoValidationError({"email": ["This domain does not take mail."]})

    monkeypatch.setattr(Customer, "clean", clean)
    before = Customer.objects.values("phone_number", "email").get(pk=owner.customer.pk)
    body = {"PhoneNumber": "12345678", "Email": "kari@example.com"}
    response = owner.client().patch(f"/api/customers/{owner.customer.pk}", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {
        "Message": "The request is invalid.",
        "ModelState": {"Email": ["This domain does not take mail."]},
    }
    assert Customer.objects.values("phone_number", "email").get(pk=owner.customer.pk) == before


def test_the_service_turns_model_validation_into_a_wire_400(owner):
    with pytest.raises(ValidationError) as raised:
        services.update_customer_contact(customer=owner.customer, phone_number="12ab")
    assert "phone_number" in raised.value.detail


def test_a_stored_value_the_cis_wrote_does_not_block_a_contact_update(owner):
    # The CIS wrote an e-mail the model would not accept; the caller only changes the phone.
    Customer.objects.filter(pk=owner.customer.pk).update(email="kari at example")
    response = owner.client().patch(f"/api/customers/{owner.customer.pk}", {"PhoneNumber": "22334455"}, format="json")
    assert response.status_code == 200, response.content
    assert Customer.objects.get(pk=owner.customer.pk).phone_number == "22334455"


@pytest.fixture
def racing_insert(monkeypatch):
    """The other tap of a double tap: its rows land between this request's read and its insert."""

    def arm(make_rows):
        real = type(TermsAcceptance.objects).bulk_create

        def bulk_create(manager, objs, *args, **kwargs):
            monkeypatch.setattr(type(TermsAcceptance.objects), "bulk_create", real)
            real(manager, make_rows())
            return real(manager, objs, *args, **kwargs)

        monkeypatch.setattr(type(TermsAcceptance.objects), "bulk_create", bulk_create)

    return arm


def test_a_double_tapped_eula_accept_is_one_acceptance_and_no_error(owner, app, racing_insert):
    eula = app.terms_versions.get(terms_type=TermsType.EULA)
    racing_insert(
        lambda: [
            TermsAcceptance(customer=owner.customer, terms_version=eula, meter=owner.meter, accepted_by=owner.user)
        ]
    )
    response = owner.client().post(url(owner, what="eula"))
    assert response.status_code == 200, response.content
    assert TermsAcceptance.objects.filter(customer=owner.customer, terms_version=eula).count() == 1


def test_a_double_tapped_terms_accept_is_one_acceptance_and_no_error(owner, app, racing_insert):
    general = app.terms_versions.get(terms_type=TermsType.GENERAL)
    racing_insert(lambda: [TermsAcceptance(customer=owner.customer, terms_version=general, accepted_by=owner.user)])
    response = owner.client().post(url(owner), {"AcceptGeneralTerms": True}, format="json")
    assert response.status_code in (200, 204), response.content
    assert TermsAcceptance.objects.filter(customer=owner.customer, terms_version=general).count() == 1
