"""GET .../meters/{meterId}/consumption/export and GET api/customers/{customerId}/consumption/export (issue 26)."""

import csv
import io
import tracemalloc
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.customers.models import Meter
from apps.metering import export, services
from esmart.api.area import Area
from tests.factories import ContractFactory, DeliveryPointFactory, MeterFactory

from .helpers import load_hours, load_quarters, oslo_midnight, utc

pytestmark = pytest.mark.django_db

NS = {"atom": "http://www.w3.org/2005/Atom", "espi": "http://naesb.org/espi"}
SPRING_DAY = {"fromTimeUtc": "2025-03-29T23:00:00", "toTimeUtc": "2025-03-30T22:00:00"}  # 23 hours
AUTUMN_DAY = {"fromTimeUtc": "2025-10-25T22:00:00", "toTimeUtc": "2025-10-26T23:00:00"}  # 25 hours


def export_url(owner, meter=None):
    meter = meter or owner.meter
    return (
        f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}"
        f"/meters/{meter.meter_id}/consumption/export"
    )


def archive_url(owner, customer=None):
    return f"/api/customers/{(customer or owner.customer).pk}/consumption/export"


def body(response) -> bytes:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def csv_rows(response, delimiter=","):
    return list(csv.reader(io.StringIO(body(response).decode()), delimiter=delimiter))


def feed(response) -> ET.Element:
    return ET.fromstring(body(response))


def entries_of(root, kind):
    return [e for e in root.findall("atom:entry", NS) if e.find(f"atom:content/espi:{kind}", NS) is not None]


def link(entry, rel):
    return [e.get("href") for e in entry.findall("atom:link", NS) if e.get("rel") == rel]


def load(meter, rows):
    """(UTC start, minutes, kWh text or None, status) rows of one meter."""
    services.load_intervals(
        rows=[
            (meter.pk, start, minutes, None if value is None else Decimal(value), status)
            for start, minutes, value, status in rows
        ]
    )


# --- CSV ---------------------------------------------------------------------------------------------


class TestCsv:
    def test_the_spring_day_has_23_rows_with_utc_and_local_times(self, owner):
        load_hours(owner.meter, utc(2025, 3, 29, 23), utc(2025, 3, 30, 22), value="1.234", skip={utc(2025, 3, 30, 5)})
        response = owner.client().get(export_url(owner), {**SPRING_DAY, "format": "csv"})
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="consumption-{owner.meter.meter_id}-20250330-20250330.csv"'
        )
        rows = csv_rows(response)
        assert rows[0] == ["StartUtc", "EndUtc", "StartLocal", "kWh", "Status", "Quality"]
        assert len(rows) == 1 + 23
        assert rows[1] == [
            "2025-03-29T23:00:00",
            "2025-03-30T00:00:00",
            "2025-03-30T00:00:00+01:00",
            "1.234",
            "0",
            "measured",
        ]
        # 02:00 local does not exist: 01:00 UTC is 03:00 summer time.
        assert rows[2][2:4] == ["2025-03-30T01:00:00+01:00", "1.234"]
        assert rows[3][2] == "2025-03-30T03:00:00+02:00"
        assert rows[7] == [
            "2025-03-30T05:00:00",
            "2025-03-30T06:00:00",
            "2025-03-30T07:00:00+02:00",
            "",
            "4000",
            "missing",
        ]
        assert rows[-1][:3] == ["2025-03-30T21:00:00", "2025-03-30T22:00:00", "2025-03-30T23:00:00+02:00"]

    def test_the_autumn_day_has_25_rows_and_two_local_two_oclocks(self, owner):
        load_hours(owner.meter, utc(2025, 10, 25, 22), utc(2025, 10, 26, 23))
        rows = csv_rows(owner.client().get(export_url(owner), AUTUMN_DAY))
        assert len(rows) == 1 + 25
        local = [row[2] for row in rows[1:]]
        assert local[2:5] == ["2025-10-26T02:00:00+02:00", "2025-10-26T02:00:00+01:00", "2025-10-26T03:00:00+01:00"]
        assert sum(Decimal(row[3]) for row in rows[1:]) == 25

    def test_semicolon_and_decimal_comma_for_norwegian_spreadsheets(self, owner):
        load(owner.meter, [(utc(2025, 6, 1, 10), 60, "12.5", 0), (utc(2025, 6, 1, 11), 60, "0.007", 1)])
        query = {"fromTimeUtc": "2025-06-01T10:00:00", "toTimeUtc": "2025-06-01T12:00:00"}
        response = owner.client().get(export_url(owner), {**query, "delimiter": "semicolon", "decimal": "comma"})
        lines = body(response).decode().split("\r\n")
        assert lines == [
            "StartUtc;EndUtc;StartLocal;kWh;Status;Quality",
            "2025-06-01T10:00:00;2025-06-01T11:00:00;2025-06-01T12:00:00+02:00;12,500;0;measured",
            "2025-06-01T11:00:00;2025-06-01T12:00:00;2025-06-01T13:00:00+02:00;0,007;1;estimated",
            "",
        ]

    def test_quarter_hours_of_both_dst_days(self, owner):
        load_quarters(owner.meter, oslo_midnight(2025, 3, 30), oslo_midnight(2025, 3, 31))
        load_quarters(owner.meter, oslo_midnight(2025, 10, 26), oslo_midnight(2025, 10, 27))
        spring = csv_rows(owner.client().get(export_url(owner), SPRING_DAY))
        autumn = csv_rows(owner.client().get(export_url(owner), AUTUMN_DAY))
        assert (len(spring) - 1, len(autumn) - 1) == (92, 100)
        assert spring[1][:2] == ["2025-03-29T23:00:00", "2025-03-29T23:15:00"]
        assert {row[3] for row in spring[1:]} == {"0.250"}

    def test_a_range_cut_inside_days_keeps_the_intervals_that_start_in_it(self, owner):
        load_hours(owner.meter, oslo_midnight(2025, 6, 1), oslo_midnight(2025, 6, 3))
        rows = csv_rows(
            owner.client().get(
                export_url(owner), {"fromTimeUtc": "2025-06-01T20:30:00Z", "toTimeUtc": "2025-06-02T01:00:00+00:00"}
            )
        )
        assert [row[0] for row in rows[1:]] == [
            "2025-06-01T21:00:00",
            "2025-06-01T22:00:00",
            "2025-06-01T23:00:00",
            "2025-06-02T00:00:00",
        ]

    def test_days_without_data_are_missing_rows_in_the_meters_own_length(self, owner):
        load_quarters(owner.meter, oslo_midnight(2025, 6, 2), oslo_midnight(2025, 6, 3))
        rows = csv_rows(
            owner.client().get(
                export_url(owner), {"fromTimeUtc": "2025-05-31T22:00:00", "toTimeUtc": "2025-06-03T22:00:00"}
            )
        )
        assert len(rows) - 1 == 3 * 96
        assert {tuple(row[3:]) for row in rows[1:97]} == {("", "4000", "missing")}  # 1 June: nothing stored
        assert {tuple(row[3:]) for row in rows[97:193]} == {("0.250", "0", "measured")}
        assert {tuple(row[3:]) for row in rows[193:]} == {("", "4000", "missing")}  # 3 June: in quarters too

    def test_a_water_meter_is_in_cubic_metres(self, owner):
        water = MeterFactory(delivery_point=owner.delivery_point, kind=Meter.Kind.WATER)
        load(water, [(utc(2025, 6, 1, 10), 60, "0.125", 0)])
        query = {"fromTimeUtc": "2025-06-01T10:00:00", "toTimeUtc": "2025-06-01T11:00:00"}
        rows = csv_rows(owner.client().get(export_url(owner, water), query))
        assert rows[0][3] == "m3" and rows[1][3] == "0.125"

    def test_a_range_without_intervals_is_the_header(self, owner):
        rows = csv_rows(
            owner.client().get(
                export_url(owner), {"fromTimeUtc": "2025-06-01T10:15:00", "toTimeUtc": "2025-06-01T10:45:00"}
            )
        )
        assert rows == [["StartUtc", "EndUtc", "StartLocal", "kWh", "Status", "Quality"]]


# --- ESPI ----------------------------------------------------------------------------------------------


class TestEspi:
    def test_the_feed_element_by_element(self, owner):
        # The autumn day: 25 hours, one estimated and one missing.
        load_hours(
            owner.meter,
            utc(2025, 10, 25, 22),
            utc(2025, 10, 26, 23),
            value="1.234",
            skip={utc(2025, 10, 26, 3), utc(2025, 10, 26, 4)},
        )
        load(owner.meter, [(utc(2025, 10, 26, 3), 60, "0.5", 1)])
        response = owner.client().get(export_url(owner), {**AUTUMN_DAY, "format": "espi"})
        assert response["Content-Type"] == "application/atom+xml"
        assert response["Content-Disposition"].endswith(f'"consumption-{owner.meter.meter_id}-20251026-20251026.xml"')
        root = feed(response)
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"
        assert root.find("atom:id", NS).text.startswith("urn:uuid:")
        assert root.find("atom:updated", NS).text == "2026-03-11T09:17:00Z"  # the test clock, in UTC
        assert link(root, "self")[0].endswith("format=espi")

        [usage_point] = entries_of(root, "UsagePoint")
        assert usage_point.find("atom:content/espi:UsagePoint/espi:ServiceCategory/espi:kind", NS).text == "0"
        [meter_reading] = entries_of(root, "MeterReading")
        assert link(meter_reading, "up") == link(usage_point, "related")
        [reading_type] = entries_of(root, "ReadingType")
        assert link(reading_type, "self")[0] in link(meter_reading, "related")
        fields = reading_type.find("atom:content/espi:ReadingType", NS)
        assert [(child.tag.split("}")[1], child.text) for child in fields] == [
            ("accumulationBehaviour", "4"),  # deltaData
            ("commodity", "1"),  # electricity
            ("flowDirection", "1"),  # forward
            ("intervalLength", "3600"),
            ("kind", "12"),  # energy
            ("powerOfTenMultiplier", "0"),
            ("uom", "72"),  # Wh
        ]

        [block_entry] = entries_of(root, "IntervalBlock")
        assert link(block_entry, "up")[0] in link(meter_reading, "related")
        block = block_entry.find("atom:content/espi:IntervalBlock", NS)
        midnight = int(utc(2025, 10, 25, 22).timestamp())
        assert block.find("espi:interval/espi:start", NS).text == str(midnight)
        assert block.find("espi:interval/espi:duration", NS).text == str(25 * 3600)
        readings = block.findall("espi:IntervalReading", NS)
        assert len(readings) == 25
        first = readings[0]
        assert [child.tag.split("}")[1] for child in first] == ["timePeriod", "value"]
        assert first.find("espi:timePeriod/espi:start", NS).text == str(midnight)
        assert first.find("espi:timePeriod/espi:duration", NS).text == "3600"
        assert first.find("espi:value", NS).text == "1234"  # whole Wh, exact
        estimated, missing = readings[5], readings[6]
        assert estimated.find("espi:timePeriod/espi:start", NS).text == str(int(utc(2025, 10, 26, 3).timestamp()))
        assert [child.tag.split("}")[1] for child in estimated] == ["ReadingQuality", "timePeriod", "value"]
        assert estimated.find("espi:ReadingQuality/espi:quality", NS).text == "8"
        assert estimated.find("espi:value", NS).text == "500"
        assert [child.tag.split("}")[1] for child in missing] == ["ReadingQuality", "timePeriod"]
        assert missing.find("espi:ReadingQuality/espi:quality", NS).text == "16"

    def test_one_interval_block_per_local_day(self, owner):
        load_hours(owner.meter, utc(2025, 3, 28, 23), utc(2025, 3, 31, 22))
        query = {"fromTimeUtc": "2025-03-28T23:00:00", "toTimeUtc": "2025-03-31T22:00:00", "format": "espi"}
        root = feed(owner.client().get(export_url(owner), query))
        blocks = [e.find("atom:content/espi:IntervalBlock", NS) for e in entries_of(root, "IntervalBlock")]
        assert [b.find("espi:interval/espi:duration", NS).text for b in blocks] == ["86400", "82800", "86400"]
        assert [len(b.findall("espi:IntervalReading", NS)) for b in blocks] == [24, 23, 24]
        assert [e.find("atom:title", NS).text for e in entries_of(root, "IntervalBlock")] == [
            "2025-03-29",
            "2025-03-30",
            "2025-03-31",
        ]

    def test_hours_then_quarter_hours_are_two_meter_readings(self, owner):
        load_hours(owner.meter, oslo_midnight(2025, 9, 30), oslo_midnight(2025, 10, 1))
        load_quarters(owner.meter, oslo_midnight(2025, 10, 1), oslo_midnight(2025, 10, 2))
        query = {"fromTimeUtc": "2025-09-29T22:00:00", "toTimeUtc": "2025-10-01T22:00:00", "format": "espi"}
        root = feed(owner.client().get(export_url(owner), query))
        lengths = [
            e.find("atom:content/espi:ReadingType/espi:intervalLength", NS).text
            for e in entries_of(root, "ReadingType")
        ]
        assert lengths == ["3600", "900"]
        assert len(entries_of(root, "MeterReading")) == 2
        hourly, quarterly = (e.find("atom:content/espi:IntervalBlock", NS) for e in entries_of(root, "IntervalBlock"))
        assert len(hourly.findall("espi:IntervalReading", NS)) == 24
        assert len(quarterly.findall("espi:IntervalReading", NS)) == 96

    def test_a_water_meter_is_in_litres_of_cubic_metres(self, owner):
        water = MeterFactory(delivery_point=owner.delivery_point, kind=Meter.Kind.WATER)
        load(water, [(utc(2025, 6, 1, 10), 60, "0.125", 0)])
        query = {"fromTimeUtc": "2025-06-01T10:00:00", "toTimeUtc": "2025-06-01T11:00:00", "format": "espi"}
        root = feed(owner.client().get(export_url(owner, water), query))
        [usage_point] = entries_of(root, "UsagePoint")
        assert usage_point.find("atom:content/espi:UsagePoint/espi:ServiceCategory/espi:kind", NS).text == "2"
        reading_type = entries_of(root, "ReadingType")[0].find("atom:content/espi:ReadingType", NS)
        assert reading_type.find("espi:uom", NS).text == "42"  # m³
        assert reading_type.find("espi:powerOfTenMultiplier", NS).text == "-3"
        assert root.find(".//espi:IntervalReading/espi:value", NS).text == "125"

    def test_a_green_button_parser_reads_the_feed(self, owner):
        """greenbutton-objects (a third-party ESPI reader) links the entries by their hrefs and scales the values."""
        from greenbutton_objects import parse

        load_hours(owner.meter, utc(2025, 3, 29, 23), utc(2025, 3, 30, 22), value="0.750")
        content = body(owner.client().get(export_url(owner), {**SPRING_DAY, "format": "espi"}))
        [usage_point] = parse.parse_feed(io.BytesIO(content))
        [meter_reading] = usage_point.meterReadings
        assert meter_reading.readingType.uom.name == "wattHours"
        assert meter_reading.readingType.intervalLength == 3600
        readings = list(meter_reading.intervalReadings)
        assert len(readings) == 23
        assert {reading.value for reading in readings} == {750}
        assert readings[0].timePeriod.start == utc(2025, 3, 29, 23)


# --- The same rules as every route -----------------------------------------------------------------------


class TestRules:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"fromTimeUtc": "yesterday"}, "FromTimeUtc"),
            ({"toTimeUtc": "2025-03-29T23:00:00"}, "ToTimeUtc"),  # not after fromTimeUtc
            ({"fromTimeUtc": "2024-03-28T22:00:00"}, "ToTimeUtc"),  # more than 366 days
            ({"fromTimeUtc": "1969-12-31T00:00:00"}, "FromTimeUtc"),
            ({"format": "xlsx"}, "Format"),
            ({"delimiter": "pipe"}, "Delimiter"),
            ({"decimal": "comma"}, "Decimal"),  # with the default comma delimiter
        ],
    )
    def test_bad_queries_are_400_in_json(self, owner, change, field):
        response = owner.client().get(export_url(owner), {**SPRING_DAY, "format": "espi", **change})
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert field in response.json()["ModelState"]

    def test_the_range_is_required(self, owner):
        response = owner.client().get(export_url(owner))
        assert response.status_code == 400
        assert set(response.json()["ModelState"]) == {"FromTimeUtc", "ToTimeUtc"}

    def test_a_leap_year_is_the_longest_range(self, owner):
        query = {"fromTimeUtc": "2023-12-31T23:00:00", "toTimeUtc": "2024-12-31T23:00:00"}
        response = owner.client().get(export_url(owner), query)
        assert response.status_code == 200
        assert len(csv_rows(response)) == 1 + 366 * 24

    @pytest.mark.parametrize("url", [export_url, archive_url])
    def test_another_customers_ids_are_404(self, owner, other, url):
        assert owner.client().get(url(other), SPRING_DAY).status_code == 404
        if url is export_url:
            mixed = export_url(owner).replace(owner.meter.meter_id, other.meter.meter_id)
            assert owner.client().get(mixed, SPRING_DAY).status_code == 404
            wrong_contract = export_url(owner).replace(f"/contracts/{owner.contract.contract_no}/", "/contracts/1/")
            assert owner.client().get(wrong_contract, SPRING_DAY).status_code == 404

    @pytest.mark.parametrize("url", [export_url, archive_url])
    def test_x_area_selects_the_customer(self, owner, url):
        assert owner.client(Area.NET).get(url(owner), SPRING_DAY).status_code == 404  # a Power customer's
        assert owner.client(Area.POWER).get(url(owner), SPRING_DAY).status_code == 200
        response = owner.client().get(url(owner), SPRING_DAY, HTTP_X_AREA="7")
        assert response.status_code == 400

    def test_queries_are_one_per_month_of_the_range(self, owner):
        load_hours(owner.meter, oslo_midnight(2025, 1, 1), oslo_midnight(2025, 1, 3))
        client = owner.client()
        body(client.get(export_url(owner), SPRING_DAY))  # warm the credential cache
        counts = []
        for to_time in ("2025-01-31T23:00:00", "2025-12-31T23:00:00"):
            with CaptureQueriesContext(connection) as queries:
                body(client.get(export_url(owner), {"fromTimeUtc": "2024-12-31T23:00:00", "toTimeUtc": to_time}))
            counts.append(len(queries))
        assert counts[1] - counts[0] == 11  # 365 days in 12 windows of 31 days; January's one


def test_a_year_of_quarter_hours_streams_in_memory_that_does_not_grow_with_the_range(owner):
    load_quarters(owner.meter, oslo_midnight(2025, 1, 1), oslo_midnight(2026, 1, 1), value="0.101")
    client = owner.client()
    body(client.get(export_url(owner), SPRING_DAY))  # warm: credentials, imports
    peaks, sizes = {}, {}
    for name in ("csv", "espi"):
        for span, to_time in (("month", "2025-01-31T23:00:00"), ("year", "2025-12-31T23:00:00")):
            tracemalloc.start()
            response = client.get(
                export_url(owner), {"fromTimeUtc": "2024-12-31T23:00:00", "toTimeUtc": to_time, "format": name}
            )
            assert response.status_code == 200
            size = 0
            for chunk in response.streaming_content:  # what the WSGI server does: send a chunk, drop it
                size += len(chunk)
            peaks[name, span] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()  # the test client closed the response at the last chunk
            sizes[name, span] = size
    assert sizes["csv", "year"] > 2_500_000 and sizes["espi", "year"] > 5_000_000  # 35,040 intervals
    for name in ("csv", "espi"):
        # A window of 31 stored days and one day of text, whatever the range.
        assert peaks[name, "year"] < 1.5 * peaks[name, "month"] + 64_000, peaks
        assert peaks[name, "year"] < sizes[name, "year"] / 10, peaks


# --- The whole customer, one zip ------------------------------------------------------------------------


class TestArchive:
    def test_every_meter_of_the_customer_in_one_zip(self, owner, other):
        second_contract = ContractFactory(customer=owner.customer)
        second = MeterFactory(delivery_point=DeliveryPointFactory(contract=second_contract))
        load_hours(owner.meter, utc(2025, 3, 29, 23), utc(2025, 3, 30, 22))
        load_hours(second, utc(2025, 3, 29, 23), utc(2025, 3, 30, 22), value="2")
        load_hours(other.meter, utc(2025, 3, 29, 23), utc(2025, 3, 30, 22))
        query = {**SPRING_DAY, "delimiter": "semicolon", "decimal": "comma"}
        response = owner.client().get(archive_url(owner), query)
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"] == (
            f'attachment; filename="consumption-{owner.customer.pk}-20250330-20250330.zip"'
        )
        archive = zipfile.ZipFile(io.BytesIO(body(response)))
        assert archive.testzip() is None
        assert archive.namelist() == [f"{owner.meter.meter_id}.csv", f"{second.meter_id}.csv"]
        assert archive.read(f"{owner.meter.meter_id}.csv") == body(owner.client().get(export_url(owner), query))
        second_rows = archive.read(f"{second.meter_id}.csv").decode().split("\r\n")
        assert len(second_rows) == 1 + 23 + 1 and second_rows[1].split(";")[3] == "2,000"

    def test_espi_files_in_the_zip(self, owner):
        load_hours(owner.meter, utc(2025, 3, 29, 23), utc(2025, 3, 30, 22))
        response = owner.client().get(archive_url(owner), {**SPRING_DAY, "format": "espi"})
        archive = zipfile.ZipFile(io.BytesIO(body(response)))
        assert archive.namelist() == [f"{owner.meter.meter_id}.xml"]
        root = ET.fromstring(archive.read(f"{owner.meter.meter_id}.xml"))
        assert len(root.findall(".//espi:IntervalReading", NS)) == 23
        assert link(root, "self")[0].startswith(f"http://testserver{export_url(owner)}?")

    def test_a_customer_without_meters_is_an_empty_zip(self, owner):
        response = owner.client().get(
            archive_url(owner, owner.net_customer), SPRING_DAY, HTTP_X_AREA=str(int(Area.NET))
        )
        assert zipfile.ZipFile(io.BytesIO(body(response))).namelist() == []

    def test_too_many_meter_days_is_400(self, owner, settings):
        MeterFactory(delivery_point=owner.delivery_point)
        settings.METERING_EXPORT_MAX_METER_DAYS = 60
        month = {"fromTimeUtc": "2025-05-31T22:00:00", "toTimeUtc": "2025-06-30T22:00:00"}
        assert owner.client().get(archive_url(owner), month).status_code == 200  # 2 meters x 30 days
        response = owner.client().get(archive_url(owner), {**month, "toTimeUtc": "2025-07-01T22:00:00"})
        assert response.status_code == 400
        assert "62 meter-days" in response.json()["ModelState"]["ToTimeUtc"][0]

    def test_bad_queries_are_400(self, owner):
        response = owner.client().get(archive_url(owner), {**SPRING_DAY, "format": "pdf"})
        assert response.status_code == 400 and "Format" in response.json()["ModelState"]


# --- The pure parts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("thousandths", "mark", "text"),
    [(1234, ".", "1.234"), (5, ".", "0.005"), (-5, ".", "-0.005"), (0, ",", "0,000"), (-12_000, ",", "-12,000")],
)
def test_values_are_written_exactly_with_three_decimals(thousandths, mark, text):
    assert export._decimal_text(thousandths, mark) == text


def test_file_names_keep_only_safe_characters():
    assert export.safe_name("M-01_a.b") == "M-01_a.b"
    assert export.safe_name('.hidden/ø x\\"') == "hidden___x__"  # leading dots stripped: no hidden names
    assert (
        export.file_name("7", utc(2025, 3, 29, 23), utc(2025, 3, 31, 22), "csv")
        == "consumption-7-20250330-20250331.csv"
    )


def test_a_zip_member_is_produced_only_when_its_turn_comes():
    produced = []

    def member(name):
        def produce():
            produced.append(name)
            yield name.encode() * 1000

        return produce

    chunks = export.zip_chunks([("a.csv", member("a")), ("b.csv", member("b"))], when=utc(2025, 6, 1, 12))
    first = next(chunks)
    assert produced == ["a"]
    archive = zipfile.ZipFile(io.BytesIO(first + b"".join(chunks)))
    assert produced == ["a", "b"]
    assert archive.read("b.csv") == b"b" * 1000
    assert archive.getinfo("a.csv").date_time == (2025, 6, 1, 14, 0, 0)  # local time, as zip keeps it
