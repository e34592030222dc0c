"""The admin in Norwegian bokmål by Accept-Language, times in Europe/Oslo in 24-hour form; the
API's messages stay the contract's English ones whatever the caller asks for."""

import datetime as dt

import pytest

from apps.notifications.models import CallCenterShift
from tests.factories import UserFactory
from tests.notifications.factories import CallCenterShiftFactory


@pytest.fixture
def staff(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_login_page_in_norwegian(client, db):
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="nb-NO,nb;q=0.9,en;q=0.5")
    text = page.content.decode()
    assert 'lang="nb"' in text
    assert "Brukernavn" in text and "Passord" in text and "Logg inn" in text
    assert page["Content-Language"] == "nb"
    assert "Accept-Language" in page["Vary"]


def test_the_login_page_in_english_otherwise(client, db):
    text = client.get("/admin/login/").content.decode()
    assert "Username" in text and "Brukernavn" not in text
    assert "Username" in client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="de").content.decode()


@pytest.mark.parametrize(("language", "shown"), [("nb", "11. mars 2026 10:17"), ("en", "11 Mar 2026 10:17")])
def test_times_are_shown_in_oslo_time_in_24_hour_form(staff, language, shown):
    operator = UserFactory()
    starts = dt.datetime(2026, 3, 11, 9, 17, tzinfo=dt.UTC)  # 10:17 in Oslo (CET)
    CallCenterShiftFactory(operator=operator, starts_at=starts, ends_at=starts + dt.timedelta(hours=14))
    text = staff.get("/admin/notifications/callcentershift/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert shown in text
    assert "a.m." not in text and "p.m." not in text


def test_a_time_entered_in_oslo_time_is_stored_in_utc(staff):
    operator = UserFactory()
    response = staff.post(
        "/admin/notifications/callcentershift/add/",
        {
            "operator": operator.pk,
            "starts_at_0": "2026-07-01",
            "starts_at_1": "08:00",
            "ends_at_0": "2026-07-01",
            "ends_at_1": "16:00",
        },
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    shift = CallCenterShift.objects.get()
    assert shift.starts_at == dt.datetime(2026, 7, 1, 6, 0, tzinfo=dt.UTC)  # CEST: UTC+2


def test_the_api_stays_english_and_utc(staff, owner):
    # an admin request in Norwegian first, on the same thread
    staff.get("/admin/", HTTP_ACCEPT_LANGUAGE="nb")
    response = owner.client().post(
        "/api/Authenticate", {"UserName": "", "Password": ""}, format="json", HTTP_ACCEPT_LANGUAGE="nb"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field may not be blank." in body or "required" in body, body
    assert "Dette feltet" not in body and "feltet" not in body
    assert "Content-Language" not in response
    unauthenticated = owner.client().get("/api/customers/1", HTTP_ACCEPT_LANGUAGE="nb", HTTP_AUTHORIZATION="")
    assert "Norsk" not in unauthenticated.content.decode()
