"""The admin page of a meter's consumption: the last 30 days as a chart."""

import datetime as dt

import pytest
from django.test import Client

from apps.metering.admin import last_days
from apps.metering.selectors import meter_time_zone
from tests.clock import TEST_NOW

from .helpers import load_hours

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(owner):
    owner.user.is_staff = owner.user.is_superuser = True
    owner.user.save()
    client = Client()
    client.force_login(owner.user)
    return client


def test_meter_page_shows_thirty_days_as_a_chart(owner, staff_client):
    tz = meter_time_zone(owner.meter)
    today = TEST_NOW.astimezone(tz).date()
    start = dt.datetime(today.year, today.month, today.day, tzinfo=tz) - dt.timedelta(days=10)
    end = dt.datetime.combine(start.date() + dt.timedelta(days=3), dt.time(), tzinfo=tz)
    load_hours(owner.meter, start.astimezone(dt.UTC), end.astimezone(dt.UTC), value="2")
    hours = (end.astimezone(dt.UTC) - start.astimezone(dt.UTC)) / dt.timedelta(hours=1)  # 72, ±1 across DST

    response = staff_client.get(f"/admin/metering/meterconsumption/{owner.meter.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "Consumption, last 30 days" in html
    assert html.count("<rect") == 30
    assert html.count('fill="#ccc"') == 27  # the days without data
    assert f"<title>{start.date().isoformat()}: " in html
    assert f"Total {2 * hours:.1f} kWh over 3 days with data" in html


def test_last_days_cover_thirty_local_days(owner):
    rows = last_days(owner.meter, now=dt.datetime(2025, 10, 30, 12, tzinfo=dt.UTC))
    assert len(rows) == 30
    assert rows[0][0] == dt.datetime(2025, 9, 30, 22, tzinfo=dt.UTC)  # 1 October, local midnight
    assert all(status == 4000 for _, _, status in rows)


def test_list_and_permissions(owner, staff_client, client):
    assert staff_client.get("/admin/metering/meterconsumption/").status_code == 200
    assert staff_client.get("/admin/metering/cimexportlog/").status_code == 200
    assert client.get(f"/admin/metering/meterconsumption/{owner.meter.pk}/change/").status_code == 302


def test_the_meters_own_admin_page_shows_the_chart_too(owner, staff_client):
    response = staff_client.get(f"/admin/customers/meter/{owner.meter.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Consumption, last 30 days" in html
    assert html.count("<rect") == 30
