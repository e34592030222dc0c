"""The flex routes: plans, declines (idempotent, partial), mock, grid requests, sites, ET, baselines, seqcontrol."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from apps.flex import services
from apps.flex.models import (
    BaselineConfig,
    ControlPlanDecline,
    ControlPlanRequest,
    DeviceCommand,
    EtProfile,
    SiteSettings,
)
from tests.conftest import make_owner

from .world import build, make_plan

pytestmark = pytest.mark.django_db


def _plans_url(w, mock=False):
    return f"/api/{'mock/' if mock else ''}customers/{w.owner.customer.pk}/devices/{w.device.pk}/controlplans"


def test_plans_newest_first_and_paged(owner):
    w = build(owner)
    body = owner.client().get(_plans_url(w) + "?pageSize=1").json()
    assert [p["ControlPlanId"] for p in body] == [str(w.future_plan.pk)]
    assert owner.client().get(_plans_url(w) + f"?pageSize={settings.API_MAX_PAGE_SIZE + 1}").status_code == 400
    second = owner.client().get(_plans_url(w) + "?pageSize=1&pageNumber=2").json()
    assert second[0]["ControlPlanId"] == str(w.past_plan.pk) and len(second[0]["Intervals"]) == 4


def test_decline_removes_only_remaining_intervals_and_is_idempotent(owner, django_capture_on_commit_callbacks):
    w = build(owner)
    now = timezone.now()
    plan = make_plan(w.flex, start=now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=2))
    url = f"{_plans_url(w)}/{plan.pk}/decline"
    with django_capture_on_commit_callbacks(execute=True):
        first = owner.client().post(url, {"Reason": "Guests tonight"}, format="json")
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["IsDeclined"] and body["DeclineReason"] == "Guests tonight"
    assert [i["IsDeclined"] for i in body["Intervals"]] == [False, False, True, True]  # two ended already
    decline = ControlPlanDecline.objects.get(plan=plan)
    assert decline.declined_by == owner.user
    remaining = list(plan.intervals.filter(end_at__gt=now).values_list("pk", flat=True))
    assert sorted(decline.removed_intervals.values_list("pk", flat=True)) == sorted(remaining)
    commands = DeviceCommand.objects.count()
    again = owner.client().post(url, {"Reason": "other"}, format="json")
    assert again.status_code == 200 and again.json() == {**body, "Created": again.json()["Created"]}
    assert ControlPlanDecline.objects.get(plan=plan).reason == "Guests tonight"
    assert DeviceCommand.objects.count() == commands  # nothing new to send
    # the new version goes to the device once, in the Controls shape, without the removed intervals
    command = DeviceCommand.objects.get(plan=plan, plan_version=body["Version"])
    assert command.status == DeviceCommand.Status.SENT and len(command.payload["Controls"]["Plan"]) == 2


def test_decline_bad_and_foreign_ids(owner):
    w = build(owner)
    other = build(make_owner())
    assert owner.client().post(f"{_plans_url(w)}/not-a-guid/decline", {}, format="json").status_code == 400
    assert owner.client().post(f"{_plans_url(w)}/{other.future_plan.pk}/decline", {}, format="json").status_code == 404
    unknown = f"{_plans_url(w)}/{uuid.uuid4()}/decline"
    assert owner.client().post(unknown, {}, format="json").status_code == 404
    assert not ControlPlanDecline.objects.exists()
    seed = f"{_plans_url(w)}/{w.future_plan.pk}/{w.zone.pk}/not-a-date/decline"
    assert owner.client().post(seed, {}, format="json").status_code == 400
    wrong_zone = f"{_plans_url(w)}/{w.future_plan.pk}/{w.zone.pk + 999}/{w.future_plan.end_at.date()}/decline"
    assert owner.client().post(wrong_zone, {}, format="json").status_code == 404
    ok = f"{_plans_url(w)}/{w.future_plan.pk}/{w.zone.pk}/{w.future_plan.end_at.date()}/decline"
    assert owner.client().post(ok, {}, format="json").status_code == 200
    assert ControlPlanDecline.objects.filter(plan=w.future_plan).exists()


def test_mock_decline_leaves_the_real_plan_untouched(owner):
    w = build(owner)
    listed = owner.client().get(_plans_url(w, mock=True)).json()
    assert len(listed) == 20 and listed == owner.client().get(_plans_url(w, mock=True)).json()
    response = owner.client().post(f"{_plans_url(w, mock=True)}/{w.future_plan.pk}/decline", {}, format="json")
    assert response.status_code == 200 and response.json()["IsDeclined"]
    seed = f"{_plans_url(w, mock=True)}/{w.future_plan.pk}/{w.zone.pk}/{w.future_plan.end_at.date()}/decline"
    assert owner.client().post(seed, {"Reason": "test"}, format="json").json()["IsDeclined"]
    w.future_plan.refresh_from_db()
    assert w.future_plan.version == 1 and not ControlPlanDecline.objects.exists()
    assert not w.future_plan.intervals.filter(declined=True).exists() and not DeviceCommand.objects.exists()
    real = owner.client().get(_plans_url(w)).json()[0]
    assert real["ControlPlanId"] == str(w.future_plan.pk) and not real["IsDeclined"]


def test_declining_a_plan_already_over_removes_no_interval(owner):
    w = build(owner)
    response = owner.client().post(f"{_plans_url(w)}/{w.past_plan.pk}/decline", {}, format="json")
    assert response.status_code == 200 and response.json()["IsDeclined"]
    assert not any(i["IsDeclined"] for i in response.json()["Intervals"])  # executed as planned
    assert not ControlPlanDecline.objects.get(plan=w.past_plan).removed_intervals.exists()


def _request_body(w, hour=10, ts=1):
    start = dt.datetime(2030, 1, 1, hour, tzinfo=dt.UTC)
    return {"ZoneId": w.zone.pk, "TsTypeId": ts, "Values": [{"Time": start.isoformat(), "Value": 5}]}


def test_control_plan_requests(owner):
    w = build(owner)
    client = owner.client()
    assert client.post("/api/controlplanrequests", _request_body(w), format="json").status_code == 200
    clash = client.post("/api/controlplanrequests", _request_body(w), format="json")
    assert clash.status_code == 409 and ControlPlanRequest.objects.count() == 1
    bad = client.post("/api/controlplanrequests", {**_request_body(w), "Values": []}, format="json")
    assert bad.status_code == 400 and "ModelState" in bad.json()
    url = f"/api/controlplanrequests/zones/{w.zone.pk}/tstypes/1?fromDate=2030-01-01T00:00:00&toDate=2030-01-02"
    body = client.get(url).json()
    assert body["ZoneId"] == w.zone.pk and body["Values"] == [{"Time": "2030-01-01T10:00:00", "Value": 5.0}]
    assert body["UserId"] == str(owner.user.pk)
    assert client.get("/api/controlplanrequests/tstypes").json()[0]["ResolutionMinutes"] == 60


def test_request_range_defaults_are_now_and_now_plus_one_day(owner):
    w = build(owner)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    times = [hour - dt.timedelta(hours=2), hour + dt.timedelta(hours=1), hour + dt.timedelta(hours=30)]
    for n, time in enumerate(times):
        services.create_control_plan_request(user=owner.user, zone=w.zone, ts_type=1, values=[(time, Decimal(n + 1))])
    url = f"/api/controlplanrequests/zones/{w.zone.pk}/tstypes/1"
    assert [v["Value"] for v in owner.client().get(url).json()["Values"]] == [2.0]  # [now, now + 1 day)
    since = (hour - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S")
    assert [v["Value"] for v in owner.client().get(url, {"fromDate": since}).json()["Values"]] == [1.0, 2.0]


def test_control_plan_requests_need_the_privilege_and_own_zones(owner):
    w = build(owner)
    plain = make_owner()
    assert plain.client().get("/api/controlplanrequests/tstypes").status_code == 403
    other = build(make_owner())
    foreign = owner.client().post("/api/controlplanrequests", _request_body(other), format="json")
    assert foreign.status_code == 404 and not ControlPlanRequest.objects.exists()
    client = owner.client()
    assert client.get("/api/controlplanrequests/zones").status_code == 400
    assert client.get("/api/controlplanrequests/zones", HTTP_X_CONTRACTID=str(other.contract.pk)).status_code == 404
    zones = client.get("/api/controlplanrequests/zones", HTTP_X_CONTRACTID=str(w.contract.pk)).json()
    assert [z["Id"] for z in zones] == [w.zone.pk]


def test_site_settings(owner):
    w = build(owner)
    base = f"/api/demandandcontrol/customers/{owner.customer.pk}/sites"
    sites = owner.client().get(base).json()
    assert sites[0]["SiteId"] == owner.delivery_point.pk and sites[0]["HasSettings"]
    url = f"{base}/{owner.delivery_point.pk}/settings"
    assert owner.client().get(url).json() == {
        "SiteId": owner.delivery_point.pk,
        "ThresholdKw": 5.0,
        "HysteresisKw": 0.5,
        "DeviceOrder": [w.device.pk],
    }
    foreign = build(make_owner()).device.pk
    bad = owner.client().put(url, {"ThresholdKw": 7, "DeviceOrder": [foreign]}, format="json")
    assert bad.status_code == 400 and SiteSettings.objects.get(site=owner.delivery_point).threshold_kw == 5
    assert owner.client().put(url, {"ThresholdKw": 7, "DeviceOrder": []}, format="json").json()["ThresholdKw"] == 7
    assert owner.client().delete(url).status_code == 200
    assert owner.client().get(url).status_code == 404
    assert owner.client().put(url, {"ThresholdKw": 7}, format="json").status_code == 404
    assert owner.client().post(url, {"ThresholdKw": 3}, format="json").status_code == 200
    devices = owner.client().get(f"{base}/{owner.delivery_point.pk}/devices").json()
    assert [d["AssetId"] for d in devices] == [w.device.pk]


def test_et_config(owner):
    w = build(owner)
    url = f"/api/etconfig/{w.device.pk}"
    body = {
        "Profiles": [{"Weekday": "Monday", "FromHour": 6, "ToHour": 22}, {"Weekday": 2, "FromHour": 0, "ToHour": 8}]
    }
    assert owner.client().post(url, body, format="json").json()["Profiles"][0] == {
        "Weekday": 1,
        "FromHour": 6,
        "ToHour": 22,
    }
    bad = owner.client().post(url, {"Profiles": [{"Weekday": 3, "FromHour": 9, "ToHour": 9}]}, format="json")
    assert bad.status_code == 400 and EtProfile.objects.count() == 2
    assert owner.client().delete(f"{url}/delete/Funday").status_code == 400
    assert owner.client().delete(f"{url}/delete/monday").status_code == 200
    assert [p["Weekday"] for p in owner.client().get(url).json()["Profiles"]] == [2]
    assert owner.client().delete(f"{url}/delete").status_code == 200 and not EtProfile.objects.exists()


def test_baseline(owner):
    w = build(owner)
    url = f"/api/baseline/{w.device.pk}"
    assert owner.client().get(url).json()["Method"] == 1
    bad = owner.client().post(url, {"Method": "HighXOfY", "Days": 5, "HighCount": 9}, format="json")
    assert bad.status_code == 400 and BaselineConfig.objects.get().days == 10
    ok = owner.client().post(url, {"Method": "HighXOfY", "Days": 5, "HighCount": 2}, format="json")
    assert ok.json() == {"AssetId": w.device.pk, "Method": 2, "Days": 5, "HighCount": 2}
    plain = make_owner()
    device = build(plain).device
    plain.user.user_permissions.clear()
    assert plain.client().post(f"/api/baseline/{device.pk}", {"Method": 1, "Days": 3}, format="json").status_code == 403
    assert owner.client().delete(url).status_code == 200 and not BaselineConfig.objects.filter(asset=w.device.asset)


def test_seqcontrol(owner, django_capture_on_commit_callbacks):
    w = build(owner)
    url = f"/api/poc/devices/{w.device.pk}/seqcontrol"
    two_nows = {"ValueCategory": 4, "Plan": [{"ValueTime": "", "Value": 1}, {"Value": 0}]}
    assert owner.client().post(url, two_nows, format="json").status_code == 400
    assert not DeviceCommand.objects.filter(kind="SEQUENCE").exists()
    body = {
        "ValueCategory": 4,
        "Plan": [{"ValueTime": "", "Value": 1}, {"ValueTime": "2030-01-01T10:00:00Z", "Value": 0}],
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.client().post(url, body, format="json").status_code == 200
    command = DeviceCommand.objects.get(kind="SEQUENCE")
    assert command.status == DeviceCommand.Status.SENT
    assert command.payload["Controls"]["Plan"] == [
        {"ValueTime": None, "Value": 1.0},
        {"ValueTime": "2030-01-01T10:00:00", "Value": 0.0},
    ]
    assert make_owner().client().post(url, body, format="json").status_code == 404
