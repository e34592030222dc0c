"""Routes of devices, gateways, SIM cards, counters, chargers, weather and component events."""

from esmart.api.routing import api_path

from ...models.graph import AssetType
from . import views as views

urlpatterns = [
    api_path(
        "assets/<int:participantId>/devices/<str:type>",
        views.ParticipantDevicesView.as_view(),
        name="participant-devices",
    ),
    # The seed's spelling "wheater" stays in the paths.
    api_path("assets/wheaterobservation/blindern", views.BlindernWeatherView.as_view(), name="weather-blindern"),
    api_path(
        "assets/<int:assetId>/wheaterobservation/nearest", views.NearestWeatherView.as_view(), name="weather-nearest"
    ),
    api_path("assets/counters", views.CountersView.as_view(), name="counters"),
    api_path(
        "assets/counters/categories/<str:category>", views.CountersByCategoryView.as_view(), name="counters-category"
    ),
    api_path("assets/chargers", views.ChargersView.as_view(), name="chargers"),
    api_path("assets/chargingstation", views.ChargingStationsView.as_view(), name="charging-stations"),
    api_path("componentinfo/types", views.ComponentTypesView.as_view(), name="componentinfo-types"),
    api_path("componentinfo/events", views.ComponentEventsView.as_view(), name="componentinfo-events"),
    api_path(
        "componentinfo/substations/event/<str:eventName>",
        views.component_flags_view(asset_type=AssetType.Substation, restricted=False).as_view(),
        name="componentinfo-substations",
    ),
    api_path(
        "componentinfo/meters/event/<str:eventName>",
        views.component_flags_view(asset_type=AssetType.Meter, restricted=False).as_view(),
        name="componentinfo-meters",
    ),
    api_path(
        "componentinforestricted/types", views.RestrictedComponentTypesView.as_view(), name="componentinfo-r-types"
    ),
    api_path(
        "componentinforestricted/events", views.RestrictedComponentEventsView.as_view(), name="componentinfo-r-events"
    ),
    api_path(
        "componentinforestricted/substations/event/<str:eventName>",
        views.component_flags_view(asset_type=AssetType.Substation, restricted=True).as_view(),
        name="componentinfo-r-substations",
    ),
    api_path(
        "componentinforestricted/meters/event/<str:eventName>",
        views.component_flags_view(asset_type=AssetType.Meter, restricted=True).as_view(),
        name="componentinfo-r-meters",
    ),
    api_path(
        "devices/serialnumber/<str:serialNumber>", views.DeviceBySerialNumberView.as_view(), name="device-by-serial"
    ),
    api_path(
        "devices/serialnumber/<str:serialNumber>/gateway", views.DeviceGatewayView.as_view(), name="device-gateway"
    ),
    api_path("gateways/active/serialnumber", views.ActiveGatewaysView.as_view(), name="gateways-active"),
    api_path(
        "gateways/serialnumber/<str:serialNumber>", views.GatewayBySerialNumberView.as_view(), name="gateway-by-serial"
    ),
    api_path(
        "gateways/externalId/<str:externalId>/devices", views.GatewayDevicesView.as_view(), name="gateway-devices"
    ),
    api_path("SimCard", views.SimCardsView.as_view(), name="sim-cards"),
]
