from esmart.api.routing import api_path

from . import export_views, views

METER = "customers/<int:customerId>/contracts/<int:contractNo>/meters/<str:meterId>"

urlpatterns = [
    api_path(f"{METER}/consumption", views.ConsumptionView.as_view(), name="meter-consumption"),
    api_path(f"{METER}/consumption/export", export_views.MeterExportView.as_view(), name="meter-consumption-export"),
    api_path(
        "customers/<int:customerId>/consumption/export",
        export_views.CustomerExportView.as_view(),
        name="customer-consumption-export",
    ),
    api_path(
        "customers/<int:customerId>/asset/<int:assetId>/consumption",
        views.AssetConsumptionView.as_view(),
        name="asset-consumption",
    ),
    api_path(f"{METER}/comparedwithothers", views.ComparedWithOthersView.as_view(), name="meter-compared"),
    api_path(f"{METER}/settings", views.MeterSettingsView.as_view(), name="meter-settings"),
    api_path(f"{METER}/settings/building", views.BuildingView.as_view(), name="meter-settings-building"),
    api_path(f"{METER}/exists", views.MeterExistsView.as_view(), name="meter-exists"),
    api_path("Users/<int:userId>/meters", views.UserMetersView.as_view(), name="user-meters"),
    api_path(
        "customers/<int:customerId>/deliverypoints/<int:deliveryPointId>/readings",
        views.ReadingsView.as_view(),
        name="delivery-point-readings",
    ),
    api_path("meters/<str:meterId>/temperatures", views.MeterTemperaturesView.as_view(), name="meter-temperatures"),
    api_path(f"{METER}/wattmeter", views.WattmeterView.as_view(), name="meter-wattmeter"),
    api_path(f"{METER}/wattmeter/v2", views.WattmeterV2View.as_view(), name="meter-wattmeter-v2"),
    api_path(
        "signalr/timeseries/objectkey/<str:objectKey>/type/<str:type>",
        views.LiveValuesView.as_view(),
        name="signalr-timeseries",
    ),
    # Literal cimexportlogs routes before cimexportlogs/{correlationId}.
    api_path("cimexportlogs", views.CimExportLogsView.as_view(), name="cim-export-logs"),
    api_path("cimexportlogs/files", views.CimFileView.as_view(), name="cim-file"),
    api_path("cimexportlogs/datafileurl", views.CimDataFileUrlView.as_view(), name="cim-data-file-url"),
    api_path("cimexportlogs/logfileurl", views.CimLogFileUrlView.as_view(), name="cim-log-file-url"),
    api_path(
        "cimexportlogs/subexportlogs/statistics", views.CimStatisticsView.as_view(), name="cim-sub-export-statistics"
    ),
    api_path("cimexportlogs/<str:correlationId>", views.CimSubExportLogsView.as_view(), name="cim-sub-export-logs"),
]
