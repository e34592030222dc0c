"""seed_demo's pricing seeder and the spot price admin."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.pricing import demo
from apps.pricing.adapters.base import market_date
from apps.pricing.areas import zone
from apps.pricing.models import SpotPrice, SpotPriceDay
from tests.clock import TEST_NOW
from tests.pricing.factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db


def test_seed_is_deterministic_and_idempotent(owner):
    reports = []
    demo.seed(users=[owner.user], days=3, progress=lambda done, total: reports.append((done, total)))
    assert reports[-1] == (5, 5)
    tomorrow = market_date(TEST_NOW) + dt.timedelta(days=1)
    assert SpotPriceDay.objects.filter(area=zone("NO1").eic).count() == 5
    assert SpotPriceDay.objects.filter(delivery_date=tomorrow).count() == 5
    before = list(SpotPrice.objects.order_by("area", "start_at").values_list("area", "start_at", "nok_per_kwh"))
    SpotPrice.objects.all().delete()
    SpotPriceDay.objects.all().delete()
    demo.seed(users=[owner.user], days=3, progress=lambda *a: None)
    demo.seed(users=[owner.user], days=3, progress=lambda *a: None)
    after = list(SpotPrice.objects.order_by("area", "start_at").values_list("area", "start_at", "nok_per_kwh"))
    assert after == before


def test_admin_lists_days_and_refetches_one(owner, source, client):
    from apps.pricing import services

    services.fetch_day(zone=zone("NO2"), day=dt.date(2025, 10, 2))
    day = SpotPriceDay.objects.get()
    owner.user.is_staff = owner.user.is_superuser = True
    owner.user.save()
    client.force_login(owner.user)
    listing = client.get(reverse("admin:pricing_spotpriceday_changelist"))
    assert listing.status_code == 200
    assert b"NO2 (10YNO-2--------T)" in listing.content
    response = client.post(
        reverse("admin:pricing_spotpriceday_changelist"), {"action": "refetch", "_selected_action": [day.pk]}
    )
    assert response.status_code == 302
    assert len(source.calls) == 2
    assert SpotPriceDay.objects.get().fetched_at > day.fetched_at


def test_invoice_admin_shows_lines_and_serves_the_pdf(owner, client):
    from django.contrib.auth.models import Permission

    from .factories import make_invoice

    invoice = make_invoice(contract=owner.contract)
    listing_url = reverse("admin:pricing_invoice_changelist")
    pdf_url = reverse("admin:pricing_invoice_pdf", args=[invoice.pk])
    owner.user.is_staff = True
    owner.user.save()
    client.force_login(owner.user)
    assert client.get(pdf_url).status_code == 403  # staff without the view permission
    owner.user.user_permissions.add(*Permission.objects.filter(codename__in=["view_invoice", "view_invoiceline"]))
    listing = client.get(listing_url)
    assert listing.status_code == 200
    assert f'href="{pdf_url}"'.encode() in listing.content
    change = client.get(reverse("admin:pricing_invoice_change", args=[invoice.pk]))
    assert change.status_code == 200
    assert b"Energy" in change.content and b"100.000" in change.content and b"25.00" in change.content
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and f"Faktura {invoice.invoice_no}".encode() in response.content


def test_invoice_admin_needs_staff(owner, client):
    from .factories import make_invoice

    invoice = make_invoice(contract=owner.contract)
    client.force_login(owner.user)
    response = client.get(reverse("admin:pricing_invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def _staff(owner, client):
    owner.user.is_staff = owner.user.is_superuser = True
    owner.user.save()
    client.force_login(owner.user)
    return client


def test_admin_sets_a_delivery_points_municipality_consumer_kind_and_settlement(owner, client):
    point = owner.delivery_point
    url = reverse("admin:customers_deliverypoint_change", args=[point.pk])
    page = _staff(owner, client).get(url)
    assert page.status_code == 200
    assert b'name="municipality_no"' in page.content and b'name="consumer_kind"' in page.content
    assert b'name="settlement_resolution"' in page.content
    assert point.settlement_resolution == 60  # hourly unless Elhub settles the point per quarter
    form = {
        "name": point.name,
        "municipality_no": "5601",
        "consumer_kind": "HOLIDAY_HOME",
        "settlement_resolution": "15",
        "country_code": "NO",
        "meters-TOTAL_FORMS": "1",
        "meters-INITIAL_FORMS": "1",
        "meters-0-id": str(owner.meter.pk),
        "meters-0-delivery_point": str(point.pk),
        "devices-TOTAL_FORMS": "0",
        "devices-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.municipality_no, point.consumer_kind, point.settlement_resolution) == ("5601", "HOLIDAY_HOME", 15)


def test_a_municipality_number_has_four_digits(owner):
    from django.core.exceptions import ValidationError

    owner.delivery_point.municipality_no = "56"
    with pytest.raises(ValidationError):
        owner.delivery_point.full_clean()


def test_a_plan_cannot_start_norgespris_before_october_2025(owner):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    from apps.pricing.models import PricePlan

    plan = PricePlan(contract=owner.contract, product_type=PricePlan.ProductType.Norgespris)
    plan.norgespris_from = dt.date(2025, 9, 1)
    with pytest.raises(ValidationError):
        plan.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        plan.save()
    plan.norgespris_from = dt.date(2025, 10, 1)
    plan.full_clean()
    plan.save()
    assert plan.norgespris_applies(dt.date(2025, 10, 1)) and not plan.norgespris_applies(dt.date(2025, 9, 30))


def test_exchange_rate_admin_lists_stored_days(owner, client):
    from decimal import Decimal

    ExchangeRateFactory(
        delivery_date=dt.date(2025, 4, 19),
        nok_per_eur=Decimal("11.963"),
        observed_on=dt.date(2025, 4, 16),
        source="norgesbank",
    )
    listing = _staff(owner, client).get(reverse("admin:pricing_exchangerate_changelist"))
    assert listing.status_code == 200 and b"11.963" in listing.content


def test_cis_import_carries_the_municipality_number(owner):
    from apps.customers.adapters import CisContract, CisCustomer, CisDeliveryPoint
    from apps.customers.services import import_customer

    contract = owner.contract
    point = owner.delivery_point

    class Adapter:
        def __init__(self, number):
            self.number = number

        def fetch_customer(self, *, customer_id):
            cis_point = CisDeliveryPoint(
                metering_point_id=point.metering_point_id, price_area="NO4", municipality_no=self.number
            )
            cis_contract = CisContract(
                contract_no=contract.contract_no,
                product=contract.product,
                start_date=contract.start_date,
                delivery_points=(cis_point,),
            )
            return CisCustomer(customer_id=customer_id, contracts=(cis_contract,))

    import_customer(customer=owner.customer, adapter=Adapter("1804"))
    point.refresh_from_db()
    assert point.municipality_no == "1804"
    import_customer(customer=owner.customer, adapter=Adapter(""))  # an empty number keeps what is set
    point.refresh_from_db()
    assert point.municipality_no == "1804"


def test_seed_invoices_skips_months_without_published_rates(owner):
    from apps.pricing.models import Invoice

    demo.seed_invoices(users=[owner.user], days=200, today=dt.date(2024, 3, 15))  # back to August 2023
    assert not Invoice.objects.filter(period_start__lt=dt.date(2024, 1, 1)).exists()
