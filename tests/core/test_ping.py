import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_ping_answers_without_credentials(anonymous):
    response = anonymous.get("/api/ping")
    assert response.status_code == 200
    body = response.json()
    assert body["Version"]
    assert {s["Name"] for s in body["Subsystems"]} == {"Database", "Cache", "TaskBroker"}


def test_checks_report_cache_and_broker(anonymous):
    response = anonymous.get("/api/ping/checks")
    assert response.status_code == 200
    assert response.json()["Ok"] is True
    assert [c["Name"] for c in response.json()["Checks"]] == ["Cache", "TaskBroker"]


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_checks_are_503_naming_what_failed(anonymous, monkeypatch):
    from esmart.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = anonymous.get("/api/ping/checks")
    assert response.status_code == 503
    failed = [c for c in response.json()["Checks"] if not c["Ok"]]
    assert [c["Name"] for c in failed] == ["TaskBroker"]
    assert failed[0]["Error"]


def test_database_check_runs_a_real_query(anonymous, owner):
    response = anonymous.get("/api/ping/database")
    assert response.status_code == 200
    assert response.json() == {"Ok": True, "Meters": True, "Customers": True}


def test_database_check_on_an_empty_database(anonymous):
    assert anonymous.get("/api/ping/database").json()["Meters"] is False
