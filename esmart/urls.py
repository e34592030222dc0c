from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from esmart.api.routing import api_include, api_path
from esmart.metrics import metrics_view

API_APPS = ["customers", "metering", "assets", "pricing", "notifications", "ev", "assignments", "flex"]

api_patterns = [
    path("", include("esmart.core.urls")),
    *(path("", include(f"apps.{app}.api.urls")) for app in API_APPS),
]

urlpatterns = [
    api_path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    api_path("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    api_include("api/", api_patterns),
    path("admin/", admin.site.urls),
    # Prometheus: loopback and METRICS_TOKEN only, a 404 for anyone else (docs/operations.md).
    path("metrics", metrics_view, name="metrics"),
]

handler400 = "esmart.api.exceptions.handler400"
handler403 = "esmart.api.exceptions.handler403"
handler404 = "esmart.api.exceptions.handler404"
handler500 = "esmart.api.exceptions.handler500"
