"""A CIM export task delivered twice (Redis's visibility timeout, a second queueing) exports the day once."""

import datetime as dt

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from apps.metering import cim
from apps.metering.models import CimExportLog, CimExportStatus, CimSubExportLog

from .helpers import load_hours, oslo_midnight

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 30)


@pytest.fixture(autouse=True)
def cim_dir(settings, tmp_path):
    settings.METERING_CIM_DIR = str(tmp_path / "cim")


def other_session():
    params = connection.get_connection_params()
    for key in ("cursor_factory", "context"):
        params.pop(key, None)
    return psycopg.connect(**params, autocommit=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
def test_a_second_run_while_the_first_holds_the_day_leaves_it_alone(owner):
    load_hours(owner.meter, oslo_midnight(2025, 3, 30), oslo_midnight(2025, 3, 31), value="0.5")
    with other_session() as running:  # another worker's run of the same day, in progress
        running.execute("SELECT pg_advisory_lock(%s, %s)", [cim._LOCK_NAMESPACE, DAY.toordinal()])
        log = cim.export_day(day=DAY)
        assert log.status == CimExportStatus.Started
        assert not CimSubExportLog.objects.exists(), "the day was exported twice at once"
        assert cim.export_day(day=dt.date(2025, 3, 31)).status == CimExportStatus.Succeeded  # other days go on
        # That run ends (a crash ends its session, which releases the lock too, a moment later).
        running.execute("SELECT pg_advisory_unlock(%s, %s)", [cim._LOCK_NAMESPACE, DAY.toordinal()])
    log = cim.export_day(day=DAY)
    assert log.status == CimExportStatus.Succeeded and log.sub_exports.count() == 1
    assert CimExportLog.objects.filter(export_date=DAY).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
def test_the_lock_is_released_after_a_run(owner):
    cim.export_day(day=DAY)
    with other_session() as other:
        args = [cim._LOCK_NAMESPACE, DAY.toordinal()]
        assert other.execute("SELECT pg_try_advisory_lock(%s, %s)", args).fetchone()[0] is True
        other.execute("SELECT pg_advisory_unlock(%s, %s)", args)


def test_redelivery_comes_after_the_longest_task():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > settings.CELERY_TASK_TIME_LIMIT  # a task is killed before Redis redelivers it
    assert settings.CELERY_TASK_TIME_LIMIT >= 60 * 60  # the nightly export may take an hour
