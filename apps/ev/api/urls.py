from esmart.api.routing import api_path

from . import views

CUSTOMER = "evinfo/customers/<str:customerId>"  # customerId is a string in the evinfo routes

urlpatterns = [
    api_path("batterycars", views.BatteryCarsView.as_view(), name="ev-batterycars"),
    api_path("batterycars/manufacturers", views.ManufacturersView.as_view(), name="ev-manufacturers"),
    api_path("batterycars/<int:batteryCarId>", views.BatteryCarView.as_view(), name="ev-batterycar"),
    api_path("chargers", views.ChargersView.as_view(), name="ev-chargers"),
    api_path(
        "customers/<int:customerId>/evchargingrequests",
        views.EvChargingRequestsView.as_view(),
        name="ev-chargingrequests",
    ),
    api_path(
        "customers/<int:customerId>/evchargingrequests/<str:evChargingRequestId>",
        views.EvChargingRequestView.as_view(),
        name="ev-chargingrequest",
    ),
    api_path("evinfo/carvendors", views.CarVendorsView.as_view(), name="ev-carvendors"),
    api_path(f"{CUSTOMER}/cars", views.CarsView.as_view(), name="ev-cars"),
    # The seed names the car {vehicleid} for GET/DELETE and {carId} for POST/PATCH: one route, the RowKey.
    api_path(f"{CUSTOMER}/cars/<str:carId>", views.CarView.as_view(), name="ev-car"),
    api_path(
        f"{CUSTOMER}/gateways/<int:gatewayAssetId>/evchargingdevicesandcars",
        views.GatewayDevicesAndCarsView.as_view(),
        name="ev-gateway-devices",
    ),
    api_path(
        f"{CUSTOMER}/contracts/<int:contractNo>/chargers/<int:chargerAssetId>/statistics",
        views.ChargerStatisticsView.as_view(),
        name="ev-charger-statistics",
    ),
    api_path("evinfo/external/authorize", views.AuthorizeView.as_view(), name="ev-authorize"),
    api_path(
        "evinfo/external/authandimport/customers/<str:customerId>",
        views.AuthAndImportView.as_view(),
        name="ev-authandimport",
    ),
    api_path("evinfo/external/cars/<str:vehicleId>", views.VendorCarView.as_view(), name="ev-vendor-car"),
    api_path(
        "evinfo/external/customers/<str:customerId>/cars/<str:vehicleId>/charge",
        views.BatteryLevelView.as_view(),
        name="ev-battery-level",
    ),
    api_path("evinfo/external/logout", views.LogoutView.as_view(), name="ev-logout"),
]
