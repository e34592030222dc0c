"""What several schema and client tests of tests/api share."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections


def walk_schema(node, path=""):
    """(JSON pointer, node) of every object in a schema, depth first."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk_schema(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk_schema(value, f"{path}/{index}")


@pytest.fixture
def in_process_requests():
    """Calls go straight to the WSGI app: keep Django from closing the test's connection after
    each one, as its own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
