"""App code queues tasks only through esmart.celery (`enqueue_on_commit`, `publish`).

A raw `.delay()`/`.apply_async()` in an on-commit callback raises after the commit when the broker
is down (the request's work is done, yet it answers 500) and breaks the thread it runs in; the
kernel's helpers log instead. Helpers and workers of other apps would copy a raw call, so the rule
is checked over the whole tree.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUEUEING = {"delay", "apply_async"}


def queueing_calls(source: str, name: str) -> list[str]:
    return sorted(
        f"{name}:{node.lineno}"
        for node in ast.walk(ast.parse(source, filename=name))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in QUEUEING
    )


def test_no_app_queues_a_task_around_the_kernel_helpers():
    files = [*ROOT.glob("apps/**/*.py"), *ROOT.glob("esmart/**/*.py")]
    allowed = {ROOT / "esmart" / "celery.py"}
    found = [
        call
        for path in files
        if path not in allowed
        for call in queueing_calls(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert found == [], "queue tasks with esmart.celery.enqueue_on_commit or publish: " + ", ".join(found)


def test_the_rule_sees_a_raw_call():
    source = "from django.db import transaction\ntransaction.on_commit(lambda: task.delay(x=1))\ntask.apply_async()\n"
    assert queueing_calls(source, "sample.py") == ["sample.py:2", "sample.py:3"]
