"""The flex admin: plans (with their intervals), declines, grid requests (with values) and site
settings (with the shedding order) render for a superuser and are refused to non-staff logins."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.flex import services
from apps.flex.models import ControlPlanDecline
from tests.factories import UserFactory

from .world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def flex_admin_world(owner):
    w = build(owner)
    services.decline_plan(plan=w.future_plan, user=owner.user, reason="Away this weekend")
    start = dt.datetime(2030, 1, 1, 16, tzinfo=dt.UTC)
    request = services.create_control_plan_request(
        user=owner.user, zone=w.zone, ts_type=1, values=[(start, Decimal("12.5")), (start + dt.timedelta(hours=1), 7)]
    )
    return w, request


def pages(w, request) -> list[str]:
    decline = ControlPlanDecline.objects.get(plan=w.future_plan)
    return [
        reverse("admin:flex_controlplan_changelist"),
        reverse("admin:flex_controlplan_change", args=[w.past_plan.pk]),
        reverse("admin:flex_controlplandecline_changelist"),
        reverse("admin:flex_controlplandecline_change", args=[decline.pk]),
        reverse("admin:flex_controlplanrequest_changelist"),
        reverse("admin:flex_controlplanrequest_change", args=[request.pk]),
        reverse("admin:flex_sitesettings_changelist"),
        reverse("admin:flex_sitesettings_change", args=[w.site_settings.pk]),
    ]


def test_admin_pages_render_for_a_superuser(client, flex_admin_world):
    w, request = flex_admin_world
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for page in pages(w, request):
        assert client.get(page).status_code == 200, page
    plan_page = client.get(reverse("admin:flex_controlplan_change", args=[w.past_plan.pk])).content.decode()
    assert plan_page.count('<td class="field-power_limit_kw">') == 4  # its four intervals, inline
    decline_page = client.get(pages(w, request)[3]).content.decode()
    assert "Away this weekend" in decline_page
    request_page = client.get(pages(w, request)[5]).content.decode()
    assert 'value="12.500"' in request_page
    settings_page = client.get(pages(w, request)[7]).content.decode()
    assert str(w.device.pk) in settings_page  # the shedding order's device


def test_admin_pages_are_refused_to_non_staff(client, flex_admin_world):
    w, request = flex_admin_world
    client.force_login(UserFactory(is_staff=False))
    for page in pages(w, request):
        response = client.get(page)
        assert response.status_code == 302 and reverse("admin:login") in response["Location"], page
