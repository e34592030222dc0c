"""A client generated from the served schema by openapi-python-client reads the API's answers.

Once per session the schema is generated (no request), written to a temporary folder and turned
into a Python client there (offline; tests/api/generated_client/config.yaml). The generator may
warn only as tests/api/generated_client/warnings.txt explains. On the seeded demo, each kind of
login then calls the read operations it can fill through the generated client (every app's),
in-process over WSGI; every answer is parsed into the generated models: a documented status with
a body the models cannot read, or a status the schema does not document, fails.
"""

from __future__ import annotations

import base64
import importlib
import inspect
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator

from . import schema_world

HERE = Path(__file__).resolve().parent / "generated_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
APPS = {"customers", "metering", "assets", "pricing", "notifications", "ev", "assignments", "flex", "core"}


def explained_warnings() -> list[str]:
    lines = (HERE / "warnings.txt").read_text().splitlines()
    return [line.split(" | ")[0].strip() for line in lines if line.strip() and not line.startswith("#")]


def generator_warnings(output: str) -> list[str]:
    """Each warning block's text: the line after "WARNING parsing ..." (what is unsupported)."""
    blocks = re.split(r"\n(?=WARNING )", output)
    found = []
    for block in blocks:
        if block.startswith("WARNING"):
            lines = [line for line in block.splitlines()[1:] if line.strip()]
            found.append(re.sub(r" at 0x[0-9a-f]+", "", f"{block.splitlines()[0]}: {lines[0] if lines else ''}"))
    return found


@pytest.fixture(scope="session")
def generated_client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated_client")
    schema = SchemaGenerator().get_schema(request=None, public=True)
    path = folder / "schema.json"
    path.write_text(json.dumps(schema, default=str))
    done = subprocess.run(
        [GENERATOR, "generate", "--path", path, "--output-path", folder / "esmart_client", "--meta", "none"]
        + ["--config", HERE / "config.yaml"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("esmart_client"), generator_warnings(done.stdout + done.stderr)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name == "esmart_client" or name.startswith("esmart_client.")]:
            del sys.modules[name]


def test_the_generator_warns_only_as_explained(generated_client):
    _client, warnings = generated_client
    explained = explained_warnings()
    unexplained = [w for w in warnings if not any(e in w for e in explained)]
    assert not unexplained, "\n".join(unexplained)


@pytest.fixture
def in_process_requests():
    """Calls go straight to the WSGI app: keep Django from closing the test's connection after
    each one, as its own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _read_operations(package):
    """(app, module name, sync_detailed) of every GET operation of the generated client."""
    api = importlib.import_module(f"{package.__name__}.api")
    for app in pkgutil.iter_modules(api.__path__):
        tag = importlib.import_module(f"{package.__name__}.api.{app.name}")
        for module in pkgutil.iter_modules(tag.__path__):
            operation = importlib.import_module(f"{tag.__name__}.{module.name}")
            source = inspect.getsource(operation._get_kwargs)
            if '"method": "get"' in source:
                yield app.name, module.name, operation.sync_detailed


@pytest.mark.django_db
def test_each_app_answers_a_generated_client(generated_client, in_process_requests, time_machine):
    package, _warnings = generated_client
    time_machine.move_to(f"{schema_world.TODAY}T12:00:00Z", tick=False)
    schema_world.seed()
    transport = httpx.WSGITransport(app=get_wsgi_application())
    read = {app: 0 for app in APPS}
    answers = 0
    for _kind, username in schema_world.LOGINS:
        token = base64.b64encode(f"{username}:{username}-password".encode()).decode()
        client = package.AuthenticatedClient(
            base_url="http://testserver",
            token=token,
            prefix="Basic",
            raise_on_unexpected_status=True,  # a status the schema does not document fails
            httpx_args={"transport": transport},
        )
        known = {_snake(name): value for name, value in schema_world.seeded_values(username).items()}
        known.update({_snake(name): value for name, value in schema_world.GIVEN.items()})
        pending = list(_read_operations(package))
        for _round in range(3):  # answers teach the ids of the calls after them
            still = []
            for app, name, call in pending:
                required = [
                    p.name
                    for p in inspect.signature(call).parameters.values()
                    if p.default is inspect.Parameter.empty and p.name != "client"
                ]
                if any(p not in known for p in required):
                    still.append((app, name, call))
                    continue
                response = call(client=client, **{p: known[p] for p in required})  # parses the answer
                answers += 1
                if response.status_code == 200 and response.parsed is not None:
                    read[app] += 1
                    if response.content[:1] in (b"{", b"["):
                        learnt: dict = {}
                        schema_world.harvest(json.loads(response.content), learnt)
                        for key, value in learnt.items():
                            known.setdefault(_snake(key), value)
            pending = still
    assert all(read.values()), f"apps with no answer read through the generated client: {read}"
    print(f"{answers} answers through the generated client; 200s parsed per app: {read}")
