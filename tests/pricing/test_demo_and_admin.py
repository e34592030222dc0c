"""seed_demo's pricing seeder and the spot price admin."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.pricing import demo
from apps.pricing.adapters.base import market_date
from apps.pricing.areas import zone
from apps.pricing.models import SpotPrice, SpotPriceDay

pytestmark = pytest.mark.django_db


def test_seed_is_deterministic_and_idempotent(owner):
    reports = []
    demo.seed(users=[owner.user], days=3, progress=lambda done, total: reports.append((done, total)))
    assert reports[-1] == (5, 5)
    tomorrow = market_date(dt.datetime.now(dt.UTC)) + dt.timedelta(days=1)
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
    assert response.content.startswith(b"%PDF-") and f"Invoice {invoice.invoice_no}".encode() in response.content


def test_invoice_admin_needs_staff(owner, client):
    from .factories import make_invoice

    invoice = make_invoice(contract=owner.contract)
    client.force_login(owner.user)
    response = client.get(reverse("admin:pricing_invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
