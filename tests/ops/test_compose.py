"""docker/compose.yaml, checked by structure (no container engine runs here), and by `docker
compose config` where that client is installed (docs/operations.md "The compose stack")."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"
COMPOSE = yaml.safe_load((DOCKER / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")


def test_only_the_proxy_and_opt_in_tools_publish_ports():
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"nginx", "flower"}
    assert SERVICES["flower"]["profiles"] == ["flower"]
    for name in published:
        assert all(port.startswith("127.0.0.1:") for port in SERVICES[name]["ports"]), name
    assert SERVICES["web"]["expose"] == ["8000"]


def test_nginx_buffers_in_front_of_gunicorn():
    nginx = SERVICES["nginx"]
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in nginx["volumes"]
    assert nginx["depends_on"]["web"]["condition"] == "service_healthy"
    conf = (DOCKER / "nginx.conf").read_text()
    for directive in ("proxy_request_buffering on;", "proxy_buffering on;", "proxy_pass http://web;"):
        assert directive in conf
    assert re.search(r"server web:8000;", conf)
    assert re.search(r"location = /metrics \{\s*return 404;", conf)  # scraped inside the network only
    # one proxy appends X-Forwarded-For: the app must count it
    assert SERVICES["web"]["environment"]["NUM_PROXIES"] == "${NUM_PROXIES:-1}"


@pytest.mark.parametrize(
    "name", ["nginx", "web", "worker", "beat", "postgres", "redis-cache", "redis-broker", "backup"]
)
def test_every_long_running_service_has_a_health_check(name):
    check = SERVICES[name]["healthcheck"]
    assert check["test"] and check["interval"]


def test_the_worker_is_checked_with_celery_inspect_ping():
    assert "celery -A esmart inspect ping" in " ".join(SERVICES["worker"]["healthcheck"]["test"])


def _seconds(value: str) -> int:
    return int(value.removesuffix("s"))


def test_stopping_the_worker_fits_its_grace_period():
    """SIGTERM becomes a soft shutdown: tasks get the soft timeout, then are re-queued (acks_late)."""
    worker = SERVICES["worker"]
    environment = worker["environment"]
    assert environment["REMAP_SIGTERM"] == "SIGQUIT"
    assert float(environment["CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT"]) < _seconds(worker["stop_grace_period"])
    assert _seconds(SERVICES["web"]["stop_grace_period"]) > 60  # gunicorn's timeout


def test_the_broker_never_evicts_and_the_cache_may():
    broker = " ".join(SERVICES["redis-broker"]["command"])
    cache = " ".join(SERVICES["redis-cache"]["command"])
    assert "--maxmemory-policy noeviction" in broker and "--appendonly yes" in broker
    assert "--maxmemory-policy allkeys-lru" in cache and "--maxmemory" in cache
    environment = SERVICES["web"]["environment"]
    assert environment["REDIS_URL"].startswith("redis://redis-cache:")
    assert environment["CELERY_BROKER_URL"].startswith("redis://redis-broker:")


def test_the_app_services_share_one_configuration():
    for name in APP_SERVICES:
        environment = SERVICES[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "esmart.settings.production"
        assert environment["PROMETHEUS_MULTIPROC_DIR"] == "/tmp/metrics"
        assert environment["LOG_FORMAT"] == "${LOG_FORMAT:-json}"


def test_a_scheduled_backup_with_retention():
    backup = SERVICES["backup"]
    script = "\n".join(backup["command"])
    assert "pg_dump --format=custom" in script and "sleep" in script and "-delete" in script
    assert "backups:/backups" in backup["volumes"]
    assert "backups" in COMPOSE["volumes"]
    assert backup["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_no_secret_has_a_default():
    text = (DOCKER / "compose.yaml").read_text()
    for variable in ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "FLOWER_BASIC_AUTH"):
        assert re.search(rf"\$\{{{variable}:\?", text), variable
        assert not re.search(rf"\$\{{{variable}:-", text), variable


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0,
    reason="no docker compose client here",
)
def test_docker_compose_parses_it():
    environment = {**os.environ, "DJANGO_SECRET_KEY": "x" * 50, "POSTGRES_PASSWORD": "p", "FLOWER_BASIC_AUTH": "a:b"}
    run = subprocess.run(
        ["docker", "compose", "-f", str(DOCKER / "compose.yaml"), "--profile", "flower", "config", "--quiet"],
        capture_output=True,
        text=True,
        env=environment,
    )
    assert run.returncode == 0, run.stderr


def test_the_grafana_dashboard_reads_only_metrics_the_app_exports():
    import json

    from esmart import metrics

    dashboard = json.loads((DOCKER / "grafana-dashboard.json").read_text())
    exported = {"esmart_login_lockouts_active", "esmart_state_up", "esmart_push_chunks_open"}
    exported |= {"esmart_spot_price_newest_day_timestamp_seconds"}
    for metric in (metrics.REQUEST_SECONDS, metrics.TASK_SECONDS):
        exported |= {f"{metric._name}_{suffix}" for suffix in ("bucket", "count", "sum")}
    exported |= {f"{metric._name}_total" for metric in (metrics.DB_QUERIES, metrics.TASKS)}
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    used = {name for expr in expressions for name in re.findall(r"\besmart_[a-z_]+", expr)}
    assert used and used <= exported, used - exported
