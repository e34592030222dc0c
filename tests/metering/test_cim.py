"""The CIM export (IEC 61968-9 MeterReadings), its logs and the five api/cimexportlogs endpoints."""

import datetime as dt
import os
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission

from apps.metering import cim, tasks
from apps.metering.models import CimExportLog, CimExportStatus, CimSubExportLog
from tests.factories import MeterFactory

from ..celery_worker import running_worker
from .helpers import load_hours, oslo_midnight, utc

pytestmark = pytest.mark.django_db

NS = {"m": cim.NS}
DAY = dt.date(2025, 3, 30)  # the 23-hour day


@pytest.fixture(autouse=True)
def cim_dir(settings, tmp_path):
    settings.METERING_CIM_DIR = str(tmp_path / "cim")
    settings.METERING_CIM_METERS_PER_FILE = 2


@pytest.fixture
def exporter(owner):
    owner.user.user_permissions.add(Permission.objects.get(codename="cim_export"))
    return owner.client()


def three_meters(owner):
    second = MeterFactory(delivery_point=owner.delivery_point)
    third = MeterFactory(delivery_point=owner.delivery_point)
    load_hours(owner.meter, oslo_midnight(2025, 3, 30), oslo_midnight(2025, 3, 31), value="0.5")
    load_hours(second, oslo_midnight(2025, 3, 30), oslo_midnight(2025, 3, 31), skip={utc(2025, 3, 30, 10)})
    return [owner.meter, second, third]


class TestExport:
    def test_a_day_in_sub_exports_with_files_and_logs(self, owner):
        meters = three_meters(owner)
        log = tasks.export_cim_day.delay(day=DAY.isoformat()).get()
        log = CimExportLog.objects.get(correlation_id=log)
        assert (log.status, log.sub_export_count, log.meter_count, log.value_count) == (2, 2, 2, 23 + 22)
        assert log.error_count == 2  # the second meter misses an hour, the third has nothing
        assert (log.period_start, log.period_end) == (utc(2025, 3, 29, 23), utc(2025, 3, 30, 22))
        first, second = CimSubExportLog.objects.filter(export=log).order_by("sequence_no")
        assert first.file_name == "MeterReadings_20250330_0001.xml"
        assert (first.meter_count, first.value_count, first.error_count) == (2, 45, 1)
        assert (second.meter_count, second.value_count, second.error_count) == (0, 0, 1)

        files = cim.storage()
        root = ET.fromstring(files.open(cim.file_path(first)).read())
        readings = root.findall("m:MeterReading", NS)
        assert [r.find("m:Meter/m:mRID", NS).text for r in readings] == [meters[0].meter_id, meters[1].meter_id]
        block = readings[0].find("m:IntervalBlocks", NS)
        assert block.find("m:ReadingType", NS).get("ref") == cim.READING_TYPES[60]
        items = block.findall("m:IntervalReadings", NS)
        assert len(items) == 23
        assert items[0].find("m:timeStamp", NS).text == "2025-03-30T00:00:00Z"  # the end of the first hour
        assert items[0].find("m:value", NS).text == "0.500"
        assert items[0].find("m:ReadingQualities/m:ReadingQualityType", NS).get("ref") == "1.0.0"
        assert readings[0].find("m:UsagePoint/m:mRID", NS).text == owner.delivery_point.metering_point_id
        merno = files.open(cim.file_path(first, "merno")).read().decode().split()
        assert merno == [meters[0].meter_id, meters[1].meter_id]
        errors = files.open(cim.file_path(first, "mernoErr")).read().decode()
        assert errors == f"{meters[1].meter_id};missing 60 of 1380 minutes\n"
        assert "status=Succeeded" in files.open(cim.file_path(first, "ack")).read().decode()

    def test_running_a_day_again_is_idempotent(self, owner):
        three_meters(owner)
        first = cim.export_day(day=DAY)
        again = cim.export_day(day=DAY)
        assert again.correlation_id == first.correlation_id
        assert CimExportLog.objects.count() == 1 and CimSubExportLog.objects.count() == 2

    def test_a_failed_file_is_logged_and_the_rest_exported(self, owner, monkeypatch):
        three_meters(owner)
        real = cim.meter_readings_xml
        calls = []

        def flaky(meters, intervals):
            calls.append(1)
            if len(calls) == 2:
                raise OSError("disk full")
            return real(meters, intervals)

        monkeypatch.setattr(cim, "meter_readings_xml", flaky)
        log = cim.export_day(day=DAY)
        assert log.status == CimExportStatus.PartlySucceeded
        assert "disk full" in log.errors
        failed = CimSubExportLog.objects.get(export=log, sequence_no=2)
        assert failed.status == CimExportStatus.Failed and "OSError" in failed.error
        monkeypatch.setattr(cim, "meter_readings_xml", real)
        assert cim.export_day(day=DAY).status == CimExportStatus.Succeeded  # a rerun redoes it

    def test_nightly_job_queues_yesterday(self, monkeypatch, django_capture_on_commit_callbacks):
        monkeypatch.setattr(tasks.timezone, "now", lambda: utc(2025, 3, 30, 0, 30))  # 01:30 in Oslo
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.export_cim_yesterday.delay().get() == "2025-03-29"
        assert CimExportLog.objects.get().export_date == dt.date(2025, 3, 29)


def make_exports():
    for day in (dt.date(2025, 3, 28), dt.date(2025, 3, 29), DAY):
        cim.export_day(day=day)


class TestLogsApi:
    def test_lists_main_logs_paged(self, owner, exporter):
        three_meters(owner)
        make_exports()
        response = exporter.get("/api/cimexportlogs", {"from": "2025-03-01", "to": "2025-04-01", "skip": 1, "take": 1})
        assert response.status_code == 200
        [log] = response.json()
        assert log["ExportDate"] == "2025-03-29T00:00:00" and log["ExportStatus"] == 2 and log["SubExportCount"] == 2
        assert log["PeriodStart"] == "2025-03-28T23:00:00"
        everything = exporter.get("/api/cimexportlogs", {"from": "2025-03-01T00:00:00Z", "to": "2025-04-01"}).json()
        assert [entry["ExportDate"] for entry in everything] == [
            "2025-03-30T00:00:00",
            "2025-03-29T00:00:00",
            "2025-03-28T00:00:00",
        ]

    def test_sub_logs_and_statistics(self, owner, exporter):
        three_meters(owner)
        make_exports()
        correlation = CimExportLog.objects.get(export_date=DAY).correlation_id
        subs = exporter.get(f"/api/cimexportlogs/{correlation}").json()
        assert [s["FileName"] for s in subs] == ["MeterReadings_20250330_0001.xml", "MeterReadings_20250330_0002.xml"]
        assert subs[0]["CorrelationId"] == str(correlation) and subs[0]["ValueCount"] == 45
        now = dt.datetime.now(dt.UTC)
        stats = exporter.get(
            "/api/cimexportlogs/subexportlogs/statistics",
            {"from": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")},
        ).json()
        assert stats["SubExportCount"] == 6 and stats["Succeeded"] == 6 and stats["Failed"] == 0
        assert stats["ValueCount"] == 45  # only the 30th has values
        assert stats["ErrorCount"] == 3 + 3 + 2  # every meter misses the 28th and 29th
        assert exporter.get("/api/cimexportlogs/00000000-0000-0000-0000-000000000000").status_code == 404
        assert exporter.get("/api/cimexportlogs/not-a-guid").status_code == 404

    def test_signed_urls_download_files_and_expire(self, owner, exporter, anonymous, settings):
        three_meters(owner)
        log = cim.export_day(day=DAY)
        body = {"CorrelationId": str(log.correlation_id), "FileName": "MeterReadings_20250330_0001.xml"}
        data = exporter.post("/api/cimexportlogs/datafileurl", body, format="json")
        assert data.status_code == 200
        url = urlsplit(data.json()["Url"])
        assert url.path == "/api/cimexportlogs/files"
        download = anonymous.get(f"{url.path}?{url.query}")
        assert download.status_code == 200
        assert download["Content-Type"] == "application/xml"
        assert b"MeterReadings" in b"".join(download.streaming_content)

        log_url = exporter.post("/api/cimexportlogs/logfileurl", {**body, "LogType": 3}, format="json").json()["Url"]
        split = urlsplit(log_url)
        errors = anonymous.get(f"{split.path}?{split.query}")
        assert b"missing 60 of 1380 minutes" in b"".join(errors.streaming_content)

        assert anonymous.get(f"{url.path}?{url.query}x").status_code == 403
        settings.METERING_CIM_URL_SECONDS = -1
        assert anonymous.get(f"{url.path}?{url.query}").status_code == 403

    @pytest.mark.parametrize(
        ("path", "body"),
        [
            ("/api/cimexportlogs/datafileurl", {"FileName": "x.xml"}),
            ("/api/cimexportlogs/datafileurl", {"CorrelationId": "nope", "FileName": "x.xml"}),
            (
                "/api/cimexportlogs/logfileurl",
                {"CorrelationId": "00000000-0000-0000-0000-000000000000", "FileName": "x"},
            ),
            (
                "/api/cimexportlogs/logfileurl",
                {"CorrelationId": "00000000-0000-0000-0000-000000000000", "FileName": "x", "LogType": 7},
            ),
        ],
    )
    def test_bad_url_requests_are_400(self, exporter, path, body):
        assert exporter.post(path, body, format="json").status_code == 400

    def test_unknown_file_is_404(self, exporter):
        body = {"CorrelationId": "00000000-0000-0000-0000-000000000000", "FileName": "x.xml"}
        assert exporter.post("/api/cimexportlogs/datafileurl", body, format="json").status_code == 404

    @pytest.mark.parametrize(
        "query",
        [
            {"take": 0},
            {"take": settings.API_MAX_PAGE_SIZE + 1},
            {"skip": -1},
            {"from": "soon"},
            {"from": "2025-04-01", "to": "2025-03-01"},
        ],
    )
    def test_bad_queries_are_400(self, exporter, query):
        assert exporter.get("/api/cimexportlogs", query).status_code == 400


@pytest.mark.worker
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
@pytest.mark.django_db(transaction=True)
def test_export_through_a_real_worker_and_redis(owner):
    three_meters(owner)
    with running_worker(broker_db=12, results=True):
        correlation = tasks.export_cim_day.delay(day=DAY.isoformat()).get(timeout=30)
    log = CimExportLog.objects.get(correlation_id=correlation)
    assert log.status == CimExportStatus.Succeeded and log.value_count == 45
