from esmart.api.routing import api_path

from . import views

urlpatterns = [
    api_path("ping", views.PingView.as_view(), name="ping"),
    api_path("ping/checks", views.PingChecksView.as_view(), name="ping-checks"),
    api_path("ping/database", views.PingDatabaseView.as_view(), name="ping-database"),
]
