"""Views of the asset graph: thin, every id resolved through AssetScope / ParticipantScope / UserScope."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated

from apps.customers.public import CUSTOMER, USER, USERS_IN_REACH, User
from esmart.api.output import no_body, respond, respond_many, respond_value
from esmart.api.pagination import paginate, window
from esmart.api.permissions import privilege_required
from esmart.api.query import bind_query, query_parameters
from esmart.api.schema import ErrorSerializer
from esmart.api.views import ApiView
from esmart.core.validators import is_ascii_digits

from ...models import HIERARCHIES, Asset, AssetActivityRecord, AssetType, Participant, RelationType
from ...scopes import ASSET, ASSETS_IN_REACH, ASSETS_IN_REACH_BY_SUBTREE, PARTICIPANT, PARTICIPANTS_IN_REACH
from .. import business_objects, selectors, services
from .serializers import (
    MAX_CHILDREN_PER_POST,
    AssetLabelSerializer,
    AssetNodeSerializer,
    AssetSerializer,
    ChildAssetSerializer,
    ChildrenQuerySerializer,
    ChildrenWalk,
    FacilityRequestSerializer,
    ObsoleteParticipantsQuerySerializer,
    PageQuerySerializer,
    ParentQuerySerializer,
    ParticipantNodeSerializer,
    ParticipantSerializer,
    RelationRequestSerializer,
    RelationResponseSerializer,
    SearchFilterSerializer,
    TopNodeSerializer,
)
from .serializers_business import business_object_serializers, split

PROFESSIONAL = privilege_required("professional")
ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="No or wrong credentials."),
    403: OpenApiResponse(ErrorSerializer, description="The caller lacks the professional privilege."),
    404: OpenApiResponse(ErrorSerializer, description="Unknown, or not in the caller's reach."),
}
WRITE_ERRORS = {**ERRORS, 400: OpenApiResponse(ErrorSerializer, description="Invalid body; nothing was written.")}
CUSTOMER_ERRORS = {k: v for k, v in ERRORS.items() if k != 403}
REACH = (
    "Professionals (the professional privilege) reach the assets at or below their participants' top nodes, "
    "in either hierarchy; anything else is a 404."
)


def enum_member(enum, raw: str):
    """A path value naming an enum member by its integer or its name (any case); else a 404."""
    text = str(raw).strip()
    if is_ascii_digits(text.removeprefix("-")):
        try:
            return enum(int(text))
        except ValueError:
            pass
    for member in enum:
        if member.label.lower() == text.lower():
            return member
    raise NotFound(f"Unknown {enum.__name__} {raw!r}.")


def reached_asset(view: ApiView, asset_id: int) -> Asset:
    """The asset `asset_id` of a body, through the view's anchor (ASSETS_IN_REACH); a 404 out of reach."""
    asset = view.restrict(Asset.objects.filter(pk=asset_id)).first()
    if asset is None:
        raise NotFound(f"No asset {asset_id}.")
    return asset


def reach_of(view: ApiView) -> services.Reach:
    """Where ids from the view's body are looked up: its anchors ASSETS_IN_REACH and PARTICIPANTS_IN_REACH."""
    return services.Reach(
        assets=view.restrict(Asset.objects.all(), through=ASSETS_IN_REACH),
        participants=view.restrict(Participant.objects.all(), through=PARTICIPANTS_IN_REACH),
    )


# The anchors a view that writes assets looks the ids of its body up through (reach_of).
BODY_REACH = (ASSETS_IN_REACH, PARTICIPANTS_IN_REACH)


class ProfessionalView(ApiView):
    permission_classes = PROFESSIONAL
    filter_backends = []  # lists are filtered by the selectors, not by query-string filters


class AssetAnchored(ProfessionalView):
    tenancy = ASSET


# --- business objects (optimistic concurrency) ------------------------------------------------------


_RECORDS = Prefetch("activity_records", queryset=AssetActivityRecord.objects.prefetch_related("documents"))


def business_object_views(asset_type: AssetType):
    """GET/PUT api/businessobject/<type>/{id} and POST api/businessobject/<type>: one mechanism for
    every business-object type: the asset with its type's details, a version and an ETag; a stale
    Version or If-Match is a 409 and nothing changes."""
    kind = business_objects.KINDS[asset_type]
    create_serializer, replace_serializer, response_serializer = business_object_serializers(kind)
    name = asset_type.label

    def answer(asset: Asset):
        return respond(response_serializer, asset, headers={"ETag": asset.etag})

    class BusinessObjectView(ProfessionalView):
        tenancy = ASSET
        also_restricts = BODY_REACH  # Owner, GatewayAssetId
        anchor_lookups = {"id": "pk"}

        def refine_anchor(self, queryset):
            return queryset.filter(asset_type=asset_type)

        @extend_schema(
            operation_id=f"businessobject_{name.lower()}_retrieve",
            responses={200: response_serializer, **ERRORS},
            summary=f"Get a {name} business object.",
            description=f"The asset with its {name} details. The ETag header and Version carry its version "
            f"for a later PUT. {REACH}",
        )
        def get(self, request, id):
            return answer(business_objects.read(kind=kind, asset_id=self.anchor.pk))

        @extend_schema(
            operation_id=f"businessobject_{name.lower()}_update",
            request=replace_serializer,
            responses={
                200: response_serializer,
                **WRITE_ERRORS,
                409: OpenApiResponse(ErrorSerializer, description="Stale Version or If-Match; nothing changed."),
            },
            summary=f"Replace a {name} business object.",
            description="Every property, the details' too, takes the given value (absent ones their defaults). "
            "Version must be the one read; If-Match, when sent, must be the current ETag. Otherwise 409 and "
            "nothing changes.",
        )
        def put(self, request, id):
            body = replace_serializer(data=request.data)
            body.is_valid(raise_exception=True)
            asset_fields, details = split(kind, body.validated_data)
            version = asset_fields.pop("version")
            asset = business_objects.replace(
                kind=kind,
                asset=self.anchor,
                version=version,
                if_match=request.headers.get("If-Match"),
                user=request.user,
                reach=reach_of(self),
                asset_fields=asset_fields,
                details=details,
            )
            return answer(asset)

    class BusinessObjectCreateView(ProfessionalView):
        tenancy = ASSETS_IN_REACH  # ParentId
        also_restricts = BODY_REACH  # Owner, GatewayAssetId

        @extend_schema(
            operation_id=f"businessobject_{name.lower()}_create",
            request=create_serializer,
            responses={200: response_serializer, **WRITE_ERRORS},
            summary=f"Create a {name} business object under an asset in your reach (ParentId).",
        )
        def post(self, request):
            body = create_serializer(data=request.data)
            body.is_valid(raise_exception=True)
            asset_fields, details = split(kind, body.validated_data)
            parent = reached_asset(self, asset_fields.pop("parent_id"))
            asset = business_objects.create(
                kind=kind,
                parent=parent,
                relation_type=asset_fields.pop("relation_type"),
                user=request.user,
                reach=reach_of(self),
                asset_fields=asset_fields,
                details=details,
            )
            return answer(asset)

    BusinessObjectView.__name__ = f"{name}BusinessObjectView"
    BusinessObjectCreateView.__name__ = f"{name}BusinessObjectCreateView"
    return BusinessObjectView, BusinessObjectCreateView


# --- assets -------------------------------------------------------------------------------------


class AssetsByTypeView(ProfessionalView):
    tenancy = ASSETS_IN_REACH_BY_SUBTREE  # long lists: the reach as one subtree query

    @extend_schema(
        parameters=[
            OpenApiParameter("type", str, OpenApiParameter.PATH, description="An AssetType: integer or name."),
            *query_parameters(PageQuerySerializer),
        ],
        responses={200: AssetNodeSerializer(many=True), **ERRORS},
        summary="Gets the assets.",
        description="The assets of one AssetType (its integer or name) in the caller's reach, by id, paged. " + REACH,
    )
    def get(self, request, type):
        asset_type = enum_member(AssetType, type)
        visible = self.restrict(Asset.objects.filter(asset_type=asset_type)).order_by("id")
        assets = paginate(visible, bind_query(request, PageQuerySerializer))
        return respond_many(AssetNodeSerializer, assets)


class AssetTimeZoneView(ApiView):
    permission_classes = [IsAuthenticated]
    tenancy = ASSET

    @extend_schema(
        responses={200: OpenApiTypes.STR, **CUSTOMER_ERRORS},
        summary="Gets the asset timezone.",
        description="The asset's IANA time zone as a JSON string. Customers may call it for the assets of "
        "their own delivery points (their meters and the devices behind them); professionals for any asset "
        "in their reach.",
    )
    def get(self, request, assetId):
        return respond_value(self.anchor.default_time_zone)


class CustomerZonesView(ApiView):
    permission_classes = [IsAuthenticated]
    tenancy = CUSTOMER

    @extend_schema(
        responses={200: SearchFilterSerializer(many=True), **CUSTOMER_ERRORS},
        summary="Gets the search filters.",
        description="Customers call this: the zones (search filters of control plans) that an asset of the "
        "customer's delivery points, or an asset above it, belongs to. X-Area selects the customer's area.",
    )
    def get(self, request, customerId):
        return respond_many(SearchFilterSerializer, selectors.customer_zones(customer=self.anchor))


class AssetLabelView(AssetAnchored):
    @extend_schema(responses={200: AssetLabelSerializer, **ERRORS}, summary="Gets the asset label.")
    def get(self, request, assetId):
        return respond(AssetLabelSerializer, self.anchor)

    @extend_schema(
        request=AssetLabelSerializer,
        responses={200: None, **WRITE_ERRORS},
        summary="Saves the asset label.",
        description="200 with no body.",
    )
    def post(self, request, assetId):
        body = AssetLabelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.save_label(asset=self.anchor, label=body.validated_data["label"], user=request.user)
        return no_body()


class AssetInfoView(ProfessionalView):
    tenancy = ASSET
    anchor_lookups = {"id": "pk"}

    def refine_anchor(self, queryset):
        return queryset.prefetch_related(_RECORDS)

    @extend_schema(
        responses={200: AssetSerializer, **ERRORS},
        summary="Gets the asset information.",
        description="The asset with its activity log, newest first. " + REACH,
    )
    def get(self, request, id):
        return respond(AssetSerializer, self.anchor, headers={"ETag": self.anchor.etag})


def create_children_view(asset_type: AssetType, summary: str):
    """POST api/<kind>/{assetId}: a list of new children of one type under the path's asset."""

    class CreateChildrenView(AssetAnchored):
        also_restricts = BODY_REACH  # Owner

        @extend_schema(
            operation_id=f"create_{asset_type.label.lower()}_children",
            request=ChildAssetSerializer(many=True),
            responses={200: AssetNodeSerializer(many=True), **WRITE_ERRORS},
            summary=summary,
            description=f"Creates 1-{MAX_CHILDREN_PER_POST} {asset_type.label} assets under the asset. The whole "
            "list is validated first: every bad item is reported with its index ([2].Name) and nothing is written.",
        )
        def post(self, request, assetId):
            body = ChildAssetSerializer(
                data=request.data, many=True, allow_empty=False, max_length=MAX_CHILDREN_PER_POST
            )
            body.is_valid(raise_exception=True)
            created = services.create_children(
                parent=self.anchor,
                asset_type=asset_type,
                items=[dict(i) for i in body.validated_data],
                user=request.user,
                reach=reach_of(self),
            )
            return respond_many(AssetNodeSerializer, created)

    CreateChildrenView.__name__ = f"Create{asset_type.label}ChildrenView"
    return CreateChildrenView


class FacilitiesView(ProfessionalView):
    tenancy = ASSETS_IN_REACH  # each ParentId
    also_restricts = BODY_REACH  # Owner

    @extend_schema(
        request=FacilityRequestSerializer(many=True),
        responses={200: AssetNodeSerializer(many=True), **WRITE_ERRORS},
        summary="Creates facilities, each under an asset in your reach (ParentId).",
        description=f"A list of 1-{MAX_CHILDREN_PER_POST} facilities, as the other child-creating POSTs: the whole "
        "list is validated first, every bad item is reported with its index ([2].Name), a ParentId out of your "
        "reach is a 404, and nothing is written on any error.",
    )
    def post(self, request):
        body = FacilityRequestSerializer(
            data=request.data, many=True, allow_empty=False, max_length=MAX_CHILDREN_PER_POST
        )
        body.is_valid(raise_exception=True)
        created = services.create_under_parents(
            asset_type=AssetType.Facility,
            items=[dict(i) for i in body.validated_data],
            user=request.user,
            reach=reach_of(self),
        )
        return respond_many(AssetNodeSerializer, created)


# --- participants ---------------------------------------------------------------------------------


class UserAnchored(ProfessionalView):
    tenancy = USER


class UserParticipantsView(UserAnchored):
    @extend_schema(
        responses={200: ParticipantSerializer(many=True), **ERRORS},
        summary="Get the participants of the specified user.",
    )
    def get(self, request, userId):
        return respond_many(ParticipantSerializer, selectors.user_participants(user=self.anchor))


class ObsoleteParticipantsView(ProfessionalView):
    tenancy = USERS_IN_REACH  # ?id=

    @extend_schema(
        parameters=query_parameters(ObsoleteParticipantsQuerySerializer),
        responses={200: ParticipantSerializer(many=True), **ERRORS},
        summary="OBSOLETE. Kept for backward compatibility.",
        description="The same as GET api/Users/{userId}/Participants with the user id in ?id=.",
        deprecated=True,
    )
    def get(self, request):
        user_id = bind_query(request, ObsoleteParticipantsQuerySerializer)["id"]
        user = self.restrict(User.objects.filter(pk=user_id)).first()
        if user is None:
            raise NotFound()
        return respond_many(ParticipantSerializer, selectors.user_participants(user=user))


class UserTopNodesView(UserAnchored):
    @extend_schema(
        responses={200: TopNodeSerializer(many=True), **ERRORS},
        summary="Get the top nodes of the specified user.",
        description="The roots of what the user's participants manage, with their hierarchy.",
    )
    def get(self, request, userId):
        return respond_many(TopNodeSerializer, selectors.top_nodes(user=self.anchor))


class UserParticipantHierarchyView(UserAnchored):
    @extend_schema(
        responses={200: ParticipantNodeSerializer(many=True), **ERRORS},
        summary="The user's participants and the participants below them (ParentId, Depth).",
    )
    def get(self, request, userId):
        return respond_many(ParticipantNodeSerializer, selectors.participant_hierarchy(user=self.anchor))


def participant_children_view(relation_type: RelationType):
    class ParticipantChildrenView(ProfessionalView):
        tenancy = PARTICIPANT

        @extend_schema(
            operation_id=f"participant_children_{relation_type.label.lower()}",
            parameters=query_parameters(PageQuerySerializer),
            responses={200: AssetNodeSerializer(many=True), **ERRORS},
            summary=f"Gets the participant {relation_type.label.lower()} children.",
            description=f"The participant's top nodes in the {relation_type.label} hierarchy, paged.",
        )
        def get(self, request, participantId):
            top_nodes = selectors.participant_top_nodes(participant=self.anchor, relation_type=relation_type)
            nodes = paginate(top_nodes, bind_query(request, PageQuerySerializer))
            return respond_many(AssetNodeSerializer, nodes)

    ParticipantChildrenView.__name__ = f"Participant{relation_type.label}ChildrenView"
    return ParticipantChildrenView


# --- relations ---------------------------------------------------------------------------------------


def _children_response(view: ApiView, *, asset: Asset, relation_type: RelationType):
    query = bind_query(view.request, ChildrenQuerySerializer)
    if relation_type in HIERARCHIES:
        # Reach is downward-closed in the hierarchies: everything below a reachable asset is reachable.
        walk = ChildrenWalk(
            asset_id=asset.pk,
            relation_types=(relation_type,),
            depth=query["depth"],
            **window(query)._asdict(),  # offset and limit
        )
        return respond_many(AssetNodeSerializer, walk)
    # Typed links may point outside the hierarchies, so their children are restricted to the reach.
    typed = view.restrict(selectors.typed_children(asset=asset, relation_type=relation_type), through=ASSETS_IN_REACH)
    rows = paginate(typed, query)
    return respond_many(AssetNodeSerializer, rows)


def asset_children_view(relation_type: RelationType):
    class AssetChildrenView(AssetAnchored):
        @extend_schema(
            operation_id=f"asset_children_{relation_type.label.lower()}",
            parameters=query_parameters(ChildrenQuerySerializer),
            responses={200: AssetNodeSerializer(many=True), **ERRORS},
            summary=f"Gets the asset {relation_type.label.lower()} children.",
            description="The assets below it to `depth` levels (1 = children), breadth first, each with ParentId "
            "and Depth; paged. One query whatever the depth. " + REACH,
        )
        def get(self, request, assetId):
            return _children_response(self, asset=self.anchor, relation_type=relation_type)

    AssetChildrenView.__name__ = f"Asset{relation_type.label}ChildrenView"
    return AssetChildrenView


class AssetTypedChildrenView(AssetAnchored):
    also_restricts = (ASSETS_IN_REACH,)  # the children of a typed link

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "relationshipType", str, OpenApiParameter.PATH, description="A RelationType: integer or name."
            ),
            *query_parameters(ChildrenQuerySerializer),
        ],
        responses={200: AssetNodeSerializer(many=True), **ERRORS},
        summary="Gets the type of the assets children with relationship.",
        description="relationshipType is a RelationType (integer or name). For Location and Network as the "
        "hierarchy routes; for typed links the direct children in the caller's reach (depth is ignored).",
    )
    def get(self, request, assetId, relationshipType):
        return _children_response(self, asset=self.anchor, relation_type=enum_member(RelationType, relationshipType))


class AssetParentLocationView(AssetAnchored):
    also_restricts = (ASSETS_IN_REACH,)  # the parent may be out of the caller's reach

    @extend_schema(
        parameters=query_parameters(ParentQuerySerializer),
        responses={200: OpenApiTypes.UUID, **ERRORS},
        summary="Gets the asset parent guid.",
        description="The key (GUID) of the asset's parent in the location hierarchy, as a JSON string; null at "
        "a root or when the parent is outside the caller's reach. assetKey, if given, must be the asset's key.",
    )
    def get(self, request, assetId):
        query = bind_query(request, ParentQuerySerializer)
        if query.get("asset_key") is not None and query["asset_key"] != self.anchor.key:
            raise NotFound()
        parents = selectors.parents(asset_id=self.anchor.pk, relation_type=RelationType.Location)
        parent = self.restrict(parents, through=ASSETS_IN_REACH).first()
        if parent is None:
            return respond_value(None)
        return respond_value(str(parent.key))


class RelationView(ProfessionalView):
    tenancy = ASSETS_IN_REACH  # ParentId and ChildId

    @extend_schema(
        request=RelationRequestSerializer,
        responses={
            200: RelationResponseSerializer,
            **WRITE_ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="The link would make a cycle; nothing changed."),
        },
        summary="Links two assets in your reach (parent → child) by a relationship type.",
        description="In the Location and Network hierarchies the child moves under the new parent (one parent "
        "per hierarchy). A link that would make a cycle is a 409. Sending an existing link changes nothing.",
    )
    def post(self, request):
        body = RelationRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        parent = reached_asset(self, data["parent_id"])
        child = reached_asset(self, data["child_id"])
        relation = services.relate(parent=parent, child=child, relation_type=data["relation_type"], user=request.user)
        return respond(RelationResponseSerializer, relation)
