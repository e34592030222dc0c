"""Routes of the asset graph: assets, relations, participants, business objects."""

from esmart.api.routing import api_path

from ...models import AssetType, RelationType
from . import views

AGGREGATION_POINT = views.business_object_views(AssetType.AggregationPoint)
SMART_HOME_DEVICE = views.business_object_views(AssetType.SmartHomeDevice)
SMART_HOME_GATEWAY = views.business_object_views(AssetType.SmartHomeGateway)

urlpatterns = [
    # business objects
    api_path("businessobject/aggregationpoint/<int:id>", AGGREGATION_POINT[0].as_view(), name="bo-aggregationpoint"),
    api_path("businessobject/aggregationpoint", AGGREGATION_POINT[1].as_view(), name="bo-aggregationpoint-create"),
    api_path("businessobject/smarthomedevice/<int:id>", SMART_HOME_DEVICE[0].as_view(), name="bo-smarthomedevice"),
    api_path("businessobject/smarthomedevice", SMART_HOME_DEVICE[1].as_view(), name="bo-smarthomedevice-create"),
    api_path("businessobject/smarthomegateway/<int:id>", SMART_HOME_GATEWAY[0].as_view(), name="bo-smarthomegateway"),
    api_path("businessobject/smarthomegateway", SMART_HOME_GATEWAY[1].as_view(), name="bo-smarthomegateway-create"),
    # assets
    api_path("assets/types/<str:type>", views.AssetsByTypeView.as_view(), name="assets-by-type"),
    api_path("assets/<int:assetId>/timezone", views.AssetTimeZoneView.as_view(), name="asset-timezone"),
    api_path("customers/<int:customerId>/zones", views.CustomerZonesView.as_view(), name="customer-zones"),
    api_path("assetinfo/<int:assetId>/label", views.AssetLabelView.as_view(), name="asset-label"),
    api_path("assetinfo/<int:id>", views.AssetInfoView.as_view(), name="asset-info"),
    api_path(
        "meters/<int:assetId>",
        views.create_children_view(AssetType.Meter, "Posts the meters.").as_view(),
        name="asset-meters-create",
    ),
    api_path(
        "facilities/<int:assetId>",
        views.create_children_view(AssetType.Facility, "Posts the facilities.").as_view(),
        name="asset-facilities-create",
    ),
    api_path(
        "aggregationpoint/<int:assetId>",
        views.create_children_view(AssetType.AggregationPoint, "Posts the aggregation point.").as_view(),
        name="asset-aggregationpoints-create",
    ),
    api_path(
        "industries/<int:assetId>",
        views.create_children_view(AssetType.Industry, "Posts the industries.").as_view(),
        name="asset-industries-create",
    ),
    api_path("Facilities", views.FacilitiesView.as_view(), name="facilities-create"),
    # participants
    api_path("AssetRelations/GetParticipants", views.ObsoleteParticipantsView.as_view(), name="obsolete-participants"),
    api_path("Users/<int:userId>/Participants", views.UserParticipantsView.as_view(), name="user-participants"),
    api_path("Users/<int:userId>/topnodes", views.UserTopNodesView.as_view(), name="user-topnodes"),
    api_path(
        "Users/<int:userId>/participant/hierarchy",
        views.UserParticipantHierarchyView.as_view(),
        name="user-participant-hierarchy",
    ),
    api_path(
        "ParticipantRelations/<int:participantId>/children/location",
        views.participant_children_view(RelationType.Location).as_view(),
        name="participant-children-location",
    ),
    api_path(
        "ParticipantRelations/<int:participantId>/children/network",
        views.participant_children_view(RelationType.Network).as_view(),
        name="participant-children-network",
    ),
    # relations (the two hierarchy routes before the typed one, which would also match them)
    api_path(
        "AssetRelations/<int:assetId>/children/location",
        views.asset_children_view(RelationType.Location).as_view(),
        name="asset-children-location",
    ),
    api_path(
        "AssetRelations/<int:assetId>/children/network",
        views.asset_children_view(RelationType.Network).as_view(),
        name="asset-children-network",
    ),
    api_path(
        "AssetRelations/<int:assetId>/parent/location",
        views.AssetParentLocationView.as_view(),
        name="asset-parent-location",
    ),
    api_path(
        "assetrelations/<int:assetId>/children/<str:relationshipType>",
        views.AssetTypedChildrenView.as_view(),
        name="asset-children-typed",
    ),
    api_path("relation", views.RelationView.as_view(), name="relation-create"),
]
