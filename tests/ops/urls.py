"""The project's URLs plus views that log, queue a task and fail, for the operations tests."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.http import JsonResponse
from django.urls import path

from esmart import request_id
from esmart.celery import publish
from esmart.urls import handler400, handler403, handler404, handler500
from esmart.urls import urlpatterns as project_urlpatterns

logger = logging.getLogger("tests.ops")
TASK_SEEN_KEY = "tests:ops:task-request-id"


@shared_task(name="tests.ops.note_request_id", ignore_result=True)
def note_request_id(*, marker: str) -> None:
    """Logs and stores the request id the task runs under."""
    logger.info("task %s ran", marker)
    cache.set(TASK_SEEN_KEY, {"marker": marker, "request_id": request_id.current()}, timeout=60)


def logs(request):
    logger.info("handled %s with %s", request.get_full_path(), request.META.get("HTTP_AUTHORIZATION", "-"))
    publish(note_request_id, marker=request.GET.get("marker", "m"))  # as on_commit does, at the end of a write
    return JsonResponse({"ok": True})


def fails(request):
    raise RuntimeError(f"boom on {request.get_full_path()}")


urlpatterns = [
    path("ops-test/logs", logs),
    path("ops-test/fails", fails),
    *project_urlpatterns,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
