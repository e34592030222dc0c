"""Safe by default (DESIGN.md §10): compose, the image and the production settings accept no
published secret, load no demo data and keep local data out of the image.

There is no Docker engine here: the compose file and the Dockerfile are checked by structure.
"""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from apps.customers import demo
from apps.customers.models import User

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "a-production-like-secret-key-that-is-long-and-random-0123456789-abcdefghij"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())


def app_services(compose) -> dict:
    return {name: s for name, s in compose["services"].items() if s.get("image") == "esmart:local"}


def command_text(service) -> str:
    command = service.get("command") or ""
    return " ".join(command) if isinstance(command, list) else command


def test_compose_requires_the_secret_key_and_the_database_password(compose):
    required = re.compile(r"\$\{(?P<var>\w+):\?[^}]*\}")
    for name, service in app_services(compose).items():
        environment = service["environment"]
        assert required.fullmatch(environment["DJANGO_SECRET_KEY"])["var"] == "DJANGO_SECRET_KEY", name
        assert "${POSTGRES_PASSWORD:?" in environment["DATABASE_URL"], name
        assert environment["DJANGO_SETTINGS_MODULE"] in ("esmart.settings.production", "esmart.settings.local")
    postgres = compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert required.fullmatch(postgres)["var"] == "POSTGRES_PASSWORD"
    text = (ROOT / "docker" / "compose.yaml").read_text()
    assert ":-local-compose" not in text and "POSTGRES_PASSWORD:-" not in text  # no fallback values


def test_compose_seeds_demo_data_only_when_asked(compose):
    seeding = {name: s for name, s in app_services(compose).items() if "seed_demo" in command_text(s)}
    assert seeding, "no opt-in demo seeding service"
    for name, service in seeding.items():
        assert service.get("profiles"), f"{name} runs seed_demo on every `up`"
    always = [s for s in app_services(compose).values() if not s.get("profiles")]
    assert not [s for s in always if "seed_demo" in command_text(s)]
    web = compose["services"]["web"]
    assert web["environment"]["DJANGO_SETTINGS_MODULE"] == "esmart.settings.production"


def test_web_and_worker_share_the_cim_volume(compose):
    services = compose["services"]
    cim_dir = services["web"]["environment"]["METERING_CIM_DIR"]

    def volume_at(service):
        return {v.split(":")[0] for v in service.get("volumes", []) if v.split(":")[1] == cim_dir}

    shared = volume_at(services["web"]) & volume_at(services["worker"])
    assert shared and shared <= set(compose["volumes"]), "web and worker do not mount one CIM volume"
    assert services["worker"]["environment"]["METERING_CIM_DIR"] == cim_dir


def test_the_image_leaves_local_data_out_and_serves_with_gunicorn_conf():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {"var", ".venv", "db.sqlite3", ".env", ".git"} <= ignored
    assert "gunicorn.conf.py" not in ignored
    assert not (ROOT / "docker" / "Dockerfile.dockerignore").exists()  # it would override /.dockerignore
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (.+)$", dockerfile, re.M)[1]
    assert "gunicorn" in cmd
    for flag in ("--access-logformat", "--config", "-c", "--logger-class"):
        assert f'"{flag}"' not in cmd  # the image uses ./gunicorn.conf.py as it is
    assert "WORKDIR /app" in dockerfile and "build-time-only-not-a-secret" not in dockerfile


def production(**env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_", "CELERY_"))}
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['default']['LOCATION'], s.CELERY_BROKER_URL, s.SECURE_PROXY_SSL_HEADER, s.DEBUG)"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "esmart.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_refuse_missing_or_published_secrets_and_no_redis():
    assert "DJANGO_SECRET_KEY" in production(REDIS_URL="redis://r:6379/0").stderr
    for published in (
        "insecure-local-development-key-change-me-0123456789",
        "local-compose-only-secret-key-set-DJANGO_SECRET_KEY-for-real-use",
        "django-insecure-abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop",
    ):
        result = production(DJANGO_SECRET_KEY=published, REDIS_URL="redis://r:6379/0")
        assert result.returncode != 0 and "published key" in result.stderr
    result = production(DJANGO_SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0 and "REDIS_URL is required" in result.stderr


def test_production_keeps_cache_and_broker_apart_and_trusts_the_proxy_header_only_when_told():
    result = production(DJANGO_SECRET_KEY=GOOD_KEY, REDIS_URL="redis://r:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["redis://r:6379/0", "redis://r:6379/1", "None", "False"]
    result = production(DJANGO_SECRET_KEY=GOOD_KEY, REDIS_URL="redis://r:6379/3", DJANGO_TRUST_X_FORWARDED_PROTO="true")
    assert result.stdout.split()[1] == "redis://r:6379/4"
    assert "('HTTP_X_FORWARDED_PROTO', 'https')" in result.stdout
    result = production(DJANGO_SECRET_KEY=GOOD_KEY, REDIS_URL="redis://r:6379/0", REDIS_BROKER_DB="0")
    assert result.returncode != 0 and "must not share a Redis database" in result.stderr


def test_seed_demo_is_refused_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "esmart.settings.production",
            "DJANGO_SECRET_KEY": GOOD_KEY,
            "REDIS_URL": "redis://127.0.0.1:1/0",
        },  # fmt: skip
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "seed_demo is refused" in result.stderr


@pytest.mark.django_db
def test_seed_demo_refusal_writes_nothing(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="refused"):
        call_command("seed_demo", "--days", "0", stdout=io.StringIO(), stderr=io.StringIO())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_seed_demo_never_resets_an_existing_users_password_or_flags():
    admin = User.objects.create(username="admin", is_staff=True, is_superuser=False)
    admin.set_password("a-changed-admin-password")
    admin.save()
    demo1 = User.objects.create(username="demo1", is_active=False)
    demo1.set_password("demo1-changed")
    demo1.save()

    demo.seed()

    admin.refresh_from_db()
    demo1.refresh_from_db()
    assert admin.check_password("a-changed-admin-password") and not admin.check_password("admin-password")
    assert (admin.is_staff, admin.is_superuser) == (True, False)
    assert demo1.check_password("demo1-changed") and demo1.is_active is False
    created = User.objects.get(username="demo2")  # missing logins are still created
    assert created.check_password("demo2-password")
