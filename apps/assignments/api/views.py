"""Care endpoints (the Florence app). Thin: scoping is the anchor, logic lives in services/selectors.

Staff routes need the `care` privilege (403 without) and reach clients through CareScope;
the client's next-of-kin list admits linked next of kin too; `{userId}` routes are anchored at
the user's team membership through the kernel's UserScope (the caller, or support).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.throttling import BaseThrottle

from apps.customers.public import USER
from esmart.api.authentication import client_ident
from esmart.api.fields import EnumField
from esmart.api.output import no_body, respond, respond_many
from esmart.api.pagination import paginate
from esmart.api.permissions import privilege_required
from esmart.api.query import bind_query, query_parameters
from esmart.api.schema import ErrorSerializer, WireAutoSchema
from esmart.api.views import ApiView

from .. import selectors, services, states
from ..models import Assignment, Client, EquipmentKit
from ..scopes import (
    ASSIGNMENT,
    CLIENT,
    CLIENT_OF_KIN,
    CLIENTS_IN_REACH,
    NEXT_OF_KIN,
    OWN_TEAMS,
    TEAM_MEMBERSHIP,
    UNCLAIMED_NEXT_OF_KIN,
)
from .serializers import (
    AcceptTermsRequestSerializer,
    AssignmentActionRequestSerializer,
    AssignmentCommentRequestSerializer,
    AssignmentListQuery,
    AssignmentResponseSerializer,
    CareTermsResponseSerializer,
    CollaboratorResponseSerializer,
    EquipmentContactResponseSerializer,
    EquipmentInfoResponseSerializer,
    EquipmentKitResponseSerializer,
    NextOfKinInvitationResponseSerializer,
    NextOfKinResponseSerializer,
)

CARE = privilege_required("care")
ACTION = EnumField(states.Action)
STATES_TEXT = ", ".join(f"{s.label} {int(s)}" for s in states.State)
ACTIONS_TEXT = ", ".join(f"{a.label} {int(a)}" for a in states.Action if a != states.Action.ASSIGN)
# The moves of this route; Assign has its own (.../assign/{toUserId}), which documents its moves.
MOVES_TEXT = "; ".join(
    f"{state.label} --{action.label}--> {target.label}"
    for (state, action), target in states.TRANSITIONS.items()
    if action != states.Action.ASSIGN
)
HAND_OVER_FROM = ", ".join(state.label for (state, action) in states.TRANSITIONS if action == states.Action.ASSIGN)
LIST_DESCRIPTION = f"Newest first, paged with page and pageSize; state filters ({STATES_TEXT})."


def _body(request, serializer_class):
    bound = serializer_class(data=request.data or {})
    bound.is_valid(raise_exception=True)
    return bound.validated_data


class CareSchema(WireAutoSchema):
    def _error_codes(self):
        return [*super()._error_codes(), "403"]  # without the care privilege


class CareStaffView(ApiView):
    permission_classes = CARE
    filter_backends = []
    schema = CareSchema()


class UserAnchored(CareStaffView):
    tenancy = USER


class MembershipAnchored(CareStaffView):
    """`users/{userId}/...` routes that name a client or an assignment: resolved through the
    user's team membership in one query (the user is the caller or support; the client is served
    by one of the user's teams)."""

    tenancy = TEAM_MEMBERSHIP

    def refine_anchor(self, queryset):
        return queryset.select_related("user")


class AssignmentAnchored(CareStaffView):
    tenancy = ASSIGNMENT


class ClientAnchored(CareStaffView):
    tenancy = CLIENT


def _assignment_page(request, queryset):
    query = bind_query(request, AssignmentListQuery)
    page = paginate(selectors.assignments_newest_first(queryset=queryset, state=query.get("state")), query)
    return respond_many(AssignmentResponseSerializer, page)


LIST_SCHEMA = extend_schema(
    parameters=query_parameters(AssignmentListQuery),
    responses=AssignmentResponseSerializer(many=True),
    description=LIST_DESCRIPTION,
)


class UserAssignmentsView(UserAnchored):
    query_serializer_class = AssignmentListQuery  # documents the 400 of bad query values

    @LIST_SCHEMA
    def get(self, request, userId):
        """Get a list of assignments assigned to the specified user."""
        return _assignment_page(request, selectors.assignments_of_user(user=self.anchor))


class AssignmentView(AssignmentAnchored):
    def refine_anchor(self, queryset):
        return selectors.with_log(queryset)

    @extend_schema(responses=AssignmentResponseSerializer)
    def get(self, request, assignmentId):
        """Get an assignment from assignment ID."""
        return respond(AssignmentResponseSerializer, self.anchor)


class UserAssignmentView(MembershipAnchored):
    anchor_lookups = {"userId": "user_id", "assignmentId": "team__clients__assignments__id"}

    @extend_schema(responses=AssignmentResponseSerializer)
    def get(self, request, userId, assignmentId):
        """Get an assignment from assignment ID (one of a client of the user's teams)."""
        return respond(AssignmentResponseSerializer, selectors.assignment(pk=assignmentId))


class ClientAssignmentsView(ClientAnchored):
    query_serializer_class = AssignmentListQuery  # documents the 400 of bad query values

    @LIST_SCHEMA
    def get(self, request, clientId):
        """Get the assignments for the specified client."""
        return _assignment_page(request, self.anchor.assignments.all())


class UserClientAssignmentsView(MembershipAnchored):
    query_serializer_class = AssignmentListQuery  # documents the 400 of bad query values

    @LIST_SCHEMA
    def get(self, request, userId, clientId):
        """Get the assignments for the specified client (one of the user's teams' clients)."""
        return _assignment_page(request, Assignment.objects.filter(client_id=clientId))


class AssignView(AssignmentAnchored):
    @extend_schema(
        request=AssignmentActionRequestSerializer,
        responses={200: AssignmentResponseSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        description="Hands the assignment to a collaborator of the caller for its client (else 400 naming the "
        f"user; an unknown user is 404). Only from {HAND_OVER_FROM} (else 409 naming the current state); the "
        "assignment becomes New for its new assignee. Logged, with the optional Note.",
    )
    def patch(self, request, assignmentId, toUserId):
        """Assign the assignment to another user."""
        note = _body(request, AssignmentActionRequestSerializer).get("note", "")
        services.assign(assignment_id=self.anchor.pk, to_user_id=toUserId, user=request.user, note=note)
        return respond(AssignmentResponseSerializer, selectors.assignment(pk=self.anchor.pk))


class ActionView(AssignmentAnchored):
    @extend_schema(
        parameters=[OpenApiParameter("type", str, OpenApiParameter.PATH, description=f"The action: {ACTIONS_TEXT}.")],
        request=AssignmentActionRequestSerializer,
        responses={200: AssignmentResponseSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        description=f"Applies an action of the state machine ({MOVES_TEXT}); `type` is the action's integer or "
        "name. Any other move is a 409 naming the current state, and nothing changes. Every move is logged "
        "with who, when, from, to and the optional Note. Concurrent actions are serialised by a row lock.",
    )
    def patch(self, request, assignmentId, type):
        """Update the assignment log and state."""
        try:
            action = ACTION.to_internal_value(type)
        except ValidationError:
            action = None
        if action is None or action == states.Action.ASSIGN:
            raise ValidationError({"type": [f"'{type}' is not an action: use {ACTIONS_TEXT}."]})
        note = _body(request, AssignmentActionRequestSerializer).get("note", "")
        services.act(assignment_id=self.anchor.pk, action=action, user=request.user, note=note)
        return respond(AssignmentResponseSerializer, selectors.assignment(pk=self.anchor.pk))


class CommentView(AssignmentAnchored):
    @extend_schema(
        request=AssignmentCommentRequestSerializer,
        responses={200: AssignmentResponseSerializer, 400: ErrorSerializer},
        description=f"Text of 1 to {services.MAX_NOTE_LENGTH} characters, logged with its author and time.",
    )
    def post(self, request, assignmentId):
        """Add a comment to an assignment."""
        text = _body(request, AssignmentCommentRequestSerializer)["text"]
        services.comment(assignment_id=self.anchor.pk, user=request.user, text=text)
        return respond(AssignmentResponseSerializer, selectors.assignment(pk=self.anchor.pk))


# --- collaborators ----------------------------------------------------------------------------


class UserCollaboratorsView(UserAnchored):
    @extend_schema(responses=CollaboratorResponseSerializer(many=True))
    def get(self, request, userId):
        """Get a list of the users' collaborators which (s)he can assign assignments to."""
        return respond_many(CollaboratorResponseSerializer, selectors.collaborators_of(user=self.anchor))


class UserClientCollaboratorsView(MembershipAnchored):
    @extend_schema(responses=CollaboratorResponseSerializer(many=True))
    def get(self, request, userId, clientId):
        """Get a list of the users' collaborators which (s)he can assign the client's assignments to."""
        colleagues = selectors.collaborators_of(user=self.anchor.user, team_id=self.anchor.team_id)
        return respond_many(CollaboratorResponseSerializer, colleagues)


class ClientNextOfKinView(ApiView):
    tenancy = CLIENT_OF_KIN

    @extend_schema(
        responses=NextOfKinResponseSerializer(many=True),
        description="For care staff of the client's team, and for the client's own next of kin once they "
        "accepted the current terms.",
    )
    def get(self, request, clientId):
        """Get a list of the specified client's collaborators (next of kin)."""
        return respond_many(NextOfKinResponseSerializer, selectors.next_of_kin_of(client=self.anchor))


# --- equipment kits --------------------------------------------------------------------------


class AvailableEquipmentView(CareStaffView):
    tenancy = OWN_TEAMS

    @extend_schema(responses=EquipmentKitResponseSerializer(many=True))
    def get(self, request):
        """Get a list of available equipment kits (the caller's teams' kits no client has connected)."""
        kits = selectors.available_kits(kits=self.restrict(EquipmentKit.objects.all()))
        return respond_many(EquipmentKitResponseSerializer, kits)


class ClientEquipmentReadView(ApiView):
    tenancy = CLIENT_OF_KIN


class ClientEquipmentView(ClientEquipmentReadView):
    @extend_schema(
        responses={200: EquipmentKitResponseSerializer, 204: None},
        description="The connected kit with its devices; 204 (no body) when the client has none. For care staff "
        "and the client's next of kin.",
    )
    def get(self, request, clientId):
        """Get the equipment kit connected to the client."""
        kit = selectors.connected_kit(client=self.anchor)
        if kit is None:
            return no_body(status=status.HTTP_204_NO_CONTENT)
        return respond(EquipmentKitResponseSerializer, kit)


def _equipment_info(client) -> dict:
    return {
        "client_id": client.pk,
        "equipment": selectors.connected_kit(client=client),
        "history": selectors.kit_history(client=client),
    }


class ClientEquipmentInfoView(ClientEquipmentReadView):
    @extend_schema(responses=EquipmentInfoResponseSerializer)
    def get(self, request, clientId):
        """Get the equipment kit connected to client, with the client's connection history."""
        return respond(EquipmentInfoResponseSerializer, _equipment_info(self.anchor))


class KitAnchored(ClientAnchored):
    """A client and a kit of the client's team, resolved in one scoped query."""

    anchor_lookups = {"clientId": "pk", "equipmentId": "team__kits__id"}


CONNECT_RESPONSES = {200: EquipmentInfoResponseSerializer, 409: ErrorSerializer}


class ClientKitView(KitAnchored):
    @extend_schema(
        request=None,
        responses=CONNECT_RESPONSES,
        description="A kit connected to another client, or a client that already has another kit, is a 409.",
    )
    def post(self, request, clientId, equipmentId):
        """Connect the equipment kit with the client."""
        services.connect_kit(client=self.anchor, kit_id=equipmentId, user=request.user)
        return respond(EquipmentInfoResponseSerializer, _equipment_info(self.anchor))

    @extend_schema(responses={200: EquipmentInfoResponseSerializer, 404: ErrorSerializer})
    def delete(self, request, clientId, equipmentId):
        """Remove the connection between the client and the equipment kit (kept in the history)."""
        services.disconnect_kit(client=self.anchor, kit_id=equipmentId, user=request.user)
        return respond(EquipmentInfoResponseSerializer, _equipment_info(self.anchor))


class ClientKitAssignmentView(KitAnchored):
    anchor_lookups = {**KitAnchored.anchor_lookups, "assignmentId": "assignments__id"}

    @extend_schema(
        request=None,
        responses=CONNECT_RESPONSES,
        description="Connects the kit and records it on the client's assignment (logged), in one transaction.",
    )
    def post(self, request, clientId, equipmentId, assignmentId):
        """Connect the equipment kit with the client and update the assignment with the equipment."""
        services.connect_kit(client=self.anchor, kit_id=equipmentId, user=request.user, assignment_id=assignmentId)
        return respond(EquipmentInfoResponseSerializer, _equipment_info(self.anchor))


class EquipmentContactsView(CareStaffView):
    tenancy = CLIENTS_IN_REACH

    @extend_schema(
        responses=EquipmentContactResponseSerializer(many=True),
        description="For every kit connected to a client of the caller's teams: the client's next of kin with a "
        "login (ContactType 2) and the care staff assigned to the client's open assignments (ContactType 1).",
    )
    def get(self, request):
        """Get the user contacts linked to equipment."""
        contacts = selectors.equipment_contacts(clients=self.restrict(Client.objects.all()))
        return respond_many(EquipmentContactResponseSerializer, contacts)


# --- next of kin: user codes and terms ---------------------------------------------------------


class UserCodeGuessThrottle(BaseThrottle):
    """429 (with Retry-After) for a client address that looked up too many wrong codes."""

    def allow_request(self, request, view):
        self._wait = services.code_lockout_wait(ident=client_ident(request))
        return self._wait is None

    def wait(self):
        return self._wait


class NextOfKinAnchored(ApiView):
    tenancy = NEXT_OF_KIN


class NextOfKinTermsView(NextOfKinAnchored):
    @extend_schema(responses={200: CareTermsResponseSerializer, 404: ErrorSerializer})
    def get(self, request, id):
        """The current terms (text and version) and whether this next of kin accepted them."""
        terms = selectors.terms_status(next_of_kin=self.anchor)
        if terms is None:
            raise NotFound("No terms have been published.")
        return respond(CareTermsResponseSerializer, terms)


class NextOfKinUserCodeView(NextOfKinAnchored):
    tenancy = UNCLAIMED_NEXT_OF_KIN
    throttle_classes = [UserCodeGuessThrottle]

    @extend_schema(
        responses={200: NextOfKinInvitationResponseSerializer, 404: ErrorSerializer, 410: ErrorSerializer},
        description="Redeems a one-time user code from an invitation: the caller's login becomes this next "
        "of kin. An unknown code is 404, a used or expired code 410; after repeated wrong codes from one "
        "address, 429 with Retry-After.",
    )
    def get(self, request, id, code):
        """Look up an invitation by its user code and link the caller to the next of kin."""
        linked = services.redeem_code(
            next_of_kin=self.anchor, code=code, user=request.user, ident=client_ident(request)
        )
        return respond(NextOfKinInvitationResponseSerializer, linked)


class NextOfKinAcceptTermsView(NextOfKinAnchored):
    @extend_schema(
        request=AcceptTermsRequestSerializer,
        responses={200: CareTermsResponseSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        description="Records the acceptance of the current terms (version and time). A newer version needs "
        "a new acceptance; a Version in the body that is no longer current is a 409.",
    )
    def post(self, request, id):
        """Accept the current terms."""
        version = _body(request, AcceptTermsRequestSerializer).get("version")
        services.accept_terms(next_of_kin=self.anchor, user=request.user, version=version)
        return respond(CareTermsResponseSerializer, selectors.terms_status(next_of_kin=self.anchor))
