from esmart.api.routing import api_path

from . import views

C = "customers/<int:customerId>/devices"
urlpatterns = [
    api_path("etconfig/<int:id>", views.EtConfigView.as_view()),
    api_path("etconfig/<int:id>/delete", views.EtConfigDeleteView.as_view()),
    api_path("etconfig/<int:id>/delete/<str:weekdays>", views.EtProfileDeleteView.as_view()),
    api_path("baseline/<int:id>", views.BaselineView.as_view()),
    api_path("controlplanrequests/tstypes", views.TsTypesView.as_view()),
    api_path("controlplanrequests/zones", views.ContractZonesView.as_view()),
    api_path("controlplanrequests/zones/<int:zoneId>/tstypes/<int:tsTypeId>", views.ZoneRequestsView.as_view()),
    api_path("controlplanrequests", views.ControlPlanRequestsView.as_view()),
    api_path(
        f"{C}/<int:deviceAssetId>/controlplans/<str:controlPlanGuidAsString>/<str:searchFilterId>/<str:endDate>/decline",
        views.SeedDeclineView.as_view(),
    ),
    api_path(f"{C}/<int:assetId>/controlplans/<str:controlPlanId>/decline", views.DeclineView.as_view()),
    api_path(f"{C}/<int:assetId>/controlplans", views.ControlPlansView.as_view()),
    api_path("demandandcontrol/customers/<int:custId>/sites", views.SitesView.as_view()),
    api_path("demandandcontrol/customers/<int:custId>/sites/<int:siteId>/devices", views.SiteDevicesView.as_view()),
    api_path("demandandcontrol/customers/<int:custId>/sites/<int:siteId>/settings", views.SiteSettingsView.as_view()),
    api_path(
        f"mock/{C}/<int:deviceAssetId>/controlplans/<str:sampleControlPlanGuid>/<str:searchFilterId>/<str:endDate>/decline",
        views.MockSeedDeclineView.as_view(),
    ),
    api_path(f"mock/{C}/<int:assetId>/controlplans/<str:sampleControlPlanId>/decline", views.MockDeclineView.as_view()),
    api_path(f"mock/{C}/<int:assetId>/controlplans", views.MockControlPlansView.as_view()),
    api_path("poc/devices/<int:deviceAssetId>/seqcontrol", views.SeqControlView.as_view()),
]
