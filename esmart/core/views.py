from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from esmart.api.views import PublicApiView

from . import services
from .serializers import ChecksResponseSerializer, DatabaseResponseSerializer, PingResponseSerializer


class PingView(PublicApiView):
    """Information about the API version and the subsystems in use."""

    @extend_schema(responses=PingResponseSerializer, auth=[])
    def get(self, request):
        return Response(
            PingResponseSerializer(
                {
                    "version": settings.ESMART_VERSION,
                    "subsystems": services.subsystems(),
                    "last_worker_heartbeat": services.last_worker_heartbeat(),
                }
            ).data
        )


class PingChecksView(PublicApiView):
    """Checks that the cache and the task broker answer; 503 naming what failed."""

    @extend_schema(responses={200: ChecksResponseSerializer, 503: ChecksResponseSerializer}, auth=[])
    def get(self, request):
        checks = [
            {"name": "Cache", "error": services.check_cache()},
            {"name": "TaskBroker", "error": services.check_broker()},
        ]
        for check in checks:
            check["ok"] = check["error"] is None
        ok = all(check["ok"] for check in checks)
        return Response(ChecksResponseSerializer({"ok": ok, "checks": checks}).data, status=200 if ok else 503)


class PingDatabaseView(PublicApiView):
    """Checks the SQL database with real queries."""

    @extend_schema(responses=DatabaseResponseSerializer, auth=[])
    def get(self, request):
        return Response(DatabaseResponseSerializer({"ok": True, **services.check_database()}).data)
