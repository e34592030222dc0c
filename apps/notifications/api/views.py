"""Notification routes: push registrations and sends, customer messages, e-mail alert configuration
and Twilio communication. Views are thin: services write, selectors read."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.parsers import FormParser
from rest_framework.permissions import BasePermission, IsAuthenticated

from apps.assets.public import ASSETS_IN_REACH, Asset
from apps.customers.public import (
    CUSTOMER,
    CUSTOMERS_OF_USER,
    METERS_OF_USER,
    USER,
    USERS_IN_REACH,
    Customer,
    Meter,
    User,
    app_by_short_name,
    customer_meters,
)
from esmart.api.output import no_body, respond, respond_many, respond_value
from esmart.api.pagination import paginate
from esmart.api.permissions import privilege_required
from esmart.api.query import bind_query, query_parameters
from esmart.api.schema import ErrorSerializer
from esmart.api.views import ApiView, NotTenantScoped, PublicApiView

from .. import communication, selectors, services
from ..adapters import room_adapter
from ..models import ClientLog, CustomerMessage, PushIdentifierTypes, PushRegistration
from ..scopes import APP_REGISTRATION, CUSTOMER_REGISTRATION, MANAGED_USER, MESSAGE
from . import serializers as s

NO_BODY = {200: OpenApiResponse(description="No body.")}
GONE = {410: OpenApiResponse(ErrorSerializer, description="The registration has expired or was deleted.")}
PUSH_SEND = privilege_required("push_send")


def _body(serializer_class, request):
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _tags(validated) -> list[tuple[int, str]]:
    return [(int(t["identifier_type"]), t["identifier_value"]) for t in validated.get("tags", [])]


def _check_app(registration: PushRegistration, short_name: str) -> None:
    if registration.app.short_name.lower() != short_name.lower():
        raise exceptions.NotFound()


# --- registrations ---------------------------------------------------------------------------


class CustomerPushView(ApiView):
    permission_classes = [IsAuthenticated]
    tenancy = CUSTOMER

    @extend_schema(
        request=None,
        responses=s.RegistrationIdSerializer,
        summary="Create a registration ID for the given customer and app.",
    )
    def post(self, request, customerId, appShortName):
        app = app_by_short_name(short_name=appShortName)
        registration = services.create_registration(app=app, user=request.user, customer=self.anchor)
        return respond(s.RegistrationIdSerializer, {"registration_id": registration.pk})


class AppPushView(ApiView):
    tenancy = NotTenantScoped("creates an app registration owned by the caller; reads nothing owned")
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses=s.RegistrationIdSerializer, summary="Create a registration ID for the given app."
    )
    def post(self, request, appShortName):
        app = app_by_short_name(short_name=appShortName)
        registration = services.create_registration(app=app, user=request.user)
        return respond(s.RegistrationIdSerializer, {"registration_id": registration.pk})


class CustomerRegistrationView(ApiView):
    permission_classes = [IsAuthenticated]
    tenancy = CUSTOMER_REGISTRATION

    def refine_anchor(self, queryset):
        return queryset.select_related("app", "customer")

    @extend_schema(
        request=s.DeviceRegistrationRequestSerializer,
        responses={**NO_BODY, **GONE},
        summary="Create or update a registration (meter ids only); 410 if it expired or was deleted.",
    )
    def put(self, request, customerId, appShortName, registrationId):
        _check_app(self.anchor, appShortName)
        body = _body(s.DeviceRegistrationRequestSerializer, request)
        tags = [(PushIdentifierTypes.MeterId, meter) for meter in body.get("meter_ids", [])]
        services.check_tags(tags=tags, field="MeterIds", meters=customer_meters(customer=self.anchor.customer))
        services.put_registration(
            registration=self.anchor, platform=body["platform"], handle=body["handle"], tags=tags, template_version=1
        )
        return no_body()

    @extend_schema(responses=NO_BODY, summary="Delete a registration for the given customer and app.")
    def delete(self, request, customerId, appShortName, registrationId):
        _check_app(self.anchor, appShortName)
        services.delete_registration(registration=self.anchor)
        return no_body()


class AppRegistrationAnchored(ApiView):
    permission_classes = [IsAuthenticated]
    tenancy = APP_REGISTRATION

    def refine_anchor(self, queryset):
        return queryset.select_related("app")


class AppRegistrationView(AppRegistrationAnchored):
    also_restricts = (METERS_OF_USER, CUSTOMERS_OF_USER, ASSETS_IN_REACH)  # what the tags may name

    @extend_schema(
        request=s.PushRegistrationRequestSerializer,
        responses={**NO_BODY, **GONE},
        summary="Create or update a registration (several tag types); 410 if it expired or was deleted.",
    )
    def put(self, request, appShortName, registrationId):
        _check_app(self.anchor, appShortName)
        body = _body(s.PushRegistrationRequestSerializer, request)
        tags = _tags(body)
        services.check_tags(
            tags=tags,
            field="Tags",
            meters=self.restrict(Meter.objects.all(), through=METERS_OF_USER),
            customers=self.restrict(Customer.objects.all(), through=CUSTOMERS_OF_USER),
            assets=self.restrict(Asset.objects.all(), through=ASSETS_IN_REACH),
            user_id=request.user.pk,
        )
        services.put_registration(
            registration=self.anchor,
            platform=body["platform"],
            handle=body["handle"],
            tags=tags,
            template_version=body["notification_template_version"],
        )
        return no_body()

    @extend_schema(responses=NO_BODY, summary="Delete a registration for the given app.")
    def delete(self, request, appShortName, registrationId):
        _check_app(self.anchor, appShortName)
        services.delete_registration(registration=self.anchor)
        return no_body()


class AppRegistrationTagsView(AppRegistrationAnchored):
    @extend_schema(responses={200: s.PushTagSerializer(many=True), **GONE}, summary="Get the tags in a registration.")
    def get(self, request, appShortName, registrationId):
        _check_app(self.anchor, appShortName)
        if selectors.is_gone(registration=self.anchor):
            raise services.Gone()
        tags = self.anchor.tags.order_by("pk")
        return respond_many(s.PushTagSerializer, tags)


# --- sends -----------------------------------------------------------------------------------


class CustomerSendView(ApiView):
    permission_classes = PUSH_SEND
    tenancy = CUSTOMER

    @extend_schema(
        request=s.PushEnvelopeSerializer,
        responses=NO_BODY,
        summary="Send a push notification to the given meter ids (needs push_send).",
        description="Stores the message (also in the customer's messages per meter) and queues the fan-out; "
        "answers once stored. A meter id that is not the customer's is a 400 naming it.",
    )
    def post(self, request, customerId, appShortName):
        app = app_by_short_name(short_name=appShortName)
        body = _body(s.PushEnvelopeSerializer, request)
        tags = [(PushIdentifierTypes.MeterId, meter) for meter in body["meter_ids"]]
        services.check_tags(tags=tags, field="MeterIds", meters=customer_meters(customer=self.anchor))
        services.send_push(
            app=app, user=request.user, text=body["message"], customer=self.anchor, meter_ids=body["meter_ids"]
        )
        return no_body()


class AppSendView(ApiView):
    tenancy = NotTenantScoped(
        "sends to an app's registrations by tag behind push_send (an operator's broadcast); reads nothing owned"
    )
    permission_classes = PUSH_SEND

    @extend_schema(
        request=s.PushTagEnvelopeSerializer,
        responses=NO_BODY,
        summary="Send a push notification by tags to the given app (needs push_send).",
    )
    def post(self, request, appShortName):
        app = app_by_short_name(short_name=appShortName)
        body = _body(s.PushTagEnvelopeSerializer, request)
        services.send_push(
            app=app,
            user=request.user,
            text=body["message"],
            tags=_tags(body),
            category=body.get("category"),
            external_id=body.get("id", ""),
            sound=body.get("sound", ""),
        )
        return no_body()


# --- messages --------------------------------------------------------------------------------


def _message_wire(m: CustomerMessage) -> dict:
    return {
        "state": m.state,
        "category": m.category,
        "priority": m.priority,
        "channel": m.channel,
        "sent_date_time": m.sent_at,
        "body": m.text,
        "id": m.pk,
        "state_changed": m.state_changed_at,
        "meter_id": m.meter_id,
        "subject": m.subject,
        "severity": m.priority,
        "text": m.text,
        "communication_channel": m.channel,
    }


class CustomerAnchored(ApiView):
    permission_classes = [IsAuthenticated]
    tenancy = CUSTOMER


class MessagesView(CustomerAnchored):
    @extend_schema(
        parameters=query_parameters(s.MessagesPageQuery),
        responses=s.MessageResponseSerializer(many=True),
        summary="Get the messages which have been sent to a customer (for all his meters).",
    )
    def get(self, request, customerId):
        query = bind_query(request, s.MessagesPageQuery)
        rows = paginate(selectors.messages_of(customer_id=self.anchor.pk), query)
        return respond_many(s.MessageResponseSerializer, [_message_wire(m) for m in rows])


class MessageCountView(CustomerAnchored):
    @extend_schema(
        parameters=query_parameters(s.MessageCountQuery),
        responses={200: OpenApiResponse(int, description="The number of messages.")},
        summary="Get the number of messages which have been sent to a customer.",
    )
    def get(self, request, customerId):
        query = bind_query(request, s.MessageCountQuery)
        return respond_value(selectors.message_count(customer_id=self.anchor.pk, state=query["state"]))


class MessageStatesView(CustomerAnchored):
    @extend_schema(
        request=s.MessageStatesRequestSerializer,
        responses=NO_BODY,
        summary="Set the state of many messages at once (any id not the customer's: 404, nothing changes).",
    )
    def post(self, request, customerId):
        body = _body(s.MessageStatesRequestSerializer, request)
        services.set_message_states(customer=self.anchor, message_ids=body["message_ids"], state=body["state"])
        return no_body()


class MessageView(ApiView):
    permission_classes = [IsAuthenticated]
    tenancy = MESSAGE

    @extend_schema(
        request=s.MessagePatchSerializer, responses=s.MessageResponseSerializer, summary="Set a message's state."
    )
    def patch(self, request, customerId, messageId):
        body = _body(s.MessagePatchSerializer, request)
        message = services.set_message_state(message=self.anchor, state=body["state"])
        return respond(s.MessageResponseSerializer, _message_wire(message))


# --- e-mail configuration --------------------------------------------------------------------


class UserAnchored(ApiView):
    permission_classes = [IsAuthenticated]
    tenancy = USER


def _config_wire(user) -> dict:
    return {"user_id": user.pk, "email": user.email, "asset_ids": selectors.email_config_asset_ids(user=user)}


class EmailConfigView(UserAnchored):
    @extend_schema(responses=s.EmailConfigurationSerializer, summary="Gets the email configuration.")
    def get(self, request, userId):
        return respond(s.EmailConfigurationSerializer, _config_wire(self.anchor))

    @extend_schema(
        request=s.EmailConfigurationSerializer,
        responses=s.EmailConfigurationSerializer,
        summary="Saves the email configuration (the assets, in the user's reach, alerts are on for).",
    )
    def post(self, request, userId):
        body = _body(s.EmailConfigurationSerializer, request)
        services.save_email_config(user=self.anchor, asset_ids=body["asset_ids"])
        return respond(s.EmailConfigurationSerializer, _config_wire(self.anchor))


class EmailConfigTreeView(UserAnchored):
    @extend_schema(
        responses=s.EmailConfigNodeSerializer(many=True),
        summary="Gets the email configuration as a tree with nodes representing assets.",
        description="One node per asset the user reaches, with its parent node (null at a top node).",
    )
    def get(self, request, userId):
        return respond_many(s.EmailConfigNodeSerializer, selectors.email_config_tree(user=self.anchor))

    @extend_schema(
        request=s.EmailConfigTreeRequestSerializer,
        responses=s.EmailConfigNodeSerializer(many=True),
        summary="Saves the email configuration from tree (nodes not sent are unchanged).",
    )
    def post(self, request, userId):
        body = _body(s.EmailConfigTreeRequestSerializer, request)
        current = set(selectors.email_config_asset_ids(user=self.anchor))
        for node in body["nodes"]:
            (current.add if node["alerts_on"] else current.discard)(node["asset_id"])
        services.save_email_config(user=self.anchor, asset_ids=sorted(current), field="Nodes")
        return respond_many(s.EmailConfigNodeSerializer, selectors.email_config_tree(user=self.anchor))


class EmailConfigAdminView(UserAnchored):
    permission_classes = privilege_required("support")  # superusers hold every privilege
    tenancy = MANAGED_USER

    @extend_schema(
        responses=s.EmailConfigUserSerializer(many=True),
        summary="Gets the user list by super user, with their configurations (needs support).",
        description="The users of the participants `userId` works for (the caller or one of the users the "
        "caller manages), each with the assets alerts are on for. Needs the support privilege (or a superuser).",
    )
    def get(self, request, userId):
        users = list(selectors.managed_users(user=self.anchor))
        configs = selectors.email_configs_of(users=users)
        rows = [
            {"user_id": u.pk, "user_name": u.username, "email": u.email, "asset_ids": configs.get(u.pk, [])}
            for u in users
        ]
        return respond_many(s.EmailConfigUserSerializer, rows)


# --- communication ---------------------------------------------------------------------------


class TwilioTokenView(ApiView):
    tenancy = USERS_IN_REACH  # ?userId= is the caller, or any user for support; the token is the caller's
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=query_parameters(s.TwilioTokenQuery),
        responses={
            200: s.AccessTokenSerializer,
            404: OpenApiResponse(ErrorSerializer, description="userId is another user (without support)."),
            503: OpenApiResponse(ErrorSerializer, description="Not configured."),
        },
        summary="Get a token from Twilio for the current user (chat and voice grants).",
    )
    def get(self, request):
        query = bind_query(request, s.TwilioTokenQuery)
        if not self.restrict(User.objects.filter(pk=query["user_id"])).exists():
            raise exceptions.NotFound()
        token, identity = communication.chat_voice_token(user=request.user)
        return respond(s.AccessTokenSerializer, {"token": token, "identity": identity})


class VideoTokenView(UserAnchored):
    @extend_schema(
        parameters=query_parameters(s.VideoTokenQuery),
        responses={
            200: s.AccessTokenSerializer,
            403: OpenApiResponse(ErrorSerializer, description="isCallCenterOperator for a user with no shift."),
            503: OpenApiResponse(ErrorSerializer, description="Not configured."),
        },
        summary="A video room token; call-center operators (with a shift) get the operator identity.",
    )
    def get(self, request, userId):
        query = bind_query(request, s.VideoTokenQuery)
        operator = query["is_call_center_operator"]
        if operator and not communication.is_operator(user=self.anchor):
            raise exceptions.PermissionDenied("The user is not a call-center operator.")
        token, identity = communication.video_token(user=self.anchor, call_center_operator=operator)
        return respond(s.AccessTokenSerializer, {"token": token, "identity": identity})


class CallCenterView(ApiView):
    tenancy = NotTenantScoped("the call center's status is the same for every caller")
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.CallCenterSerializer, summary="Whether the call center is open and who is on duty.")
    def get(self, request):
        is_open, operators = communication.call_center_status()
        rows = [
            {"user_id": u.pk, "name": u.get_full_name() or u.username, "identity": communication.user_identity(u)}
            for u in operators
        ]
        return respond(s.CallCenterSerializer, {"is_open": is_open, "operators": rows})


class ClientLogView(ApiView):
    tenancy = NotTenantScoped("writes a log line of the caller's own")
    permission_classes = [IsAuthenticated]
    max_body_bytes = 16 * 1024

    @extend_schema(request=s.ClientLogSerializer, responses=NO_BODY, summary="Logs the given input (size-limited).")
    def post(self, request):
        body = _body(s.ClientLogSerializer, request)
        ClientLog.objects.create(user=request.user, level=body.get("level", ""), message=body["message"])
        return no_body()


class IsCallCenterOperator(BasePermission):
    """A room's sid is all the request names, so only the call center (a user with a shift) may end one."""

    message = "Only call-center operators may complete a video room."

    def has_permission(self, request, view):
        return communication.is_operator(user=request.user)


class CompleteRoomView(ApiView):
    tenancy = NotTenantScoped("completes a video room by its Twilio sid; no stored row; call-center operators only")
    permission_classes = [IsAuthenticated, IsCallCenterOperator]

    @extend_schema(
        request=None,
        parameters=query_parameters(s.RoomQuery),
        responses={**NO_BODY, 403: OpenApiResponse(ErrorSerializer, description="The caller is not an operator.")},
        summary="Completes a video room (call-center operators).",
    )
    def post(self, request):
        query = bind_query(request, s.RoomQuery)
        room_adapter().complete(room_sid=query["room_sid"])
        return no_body()


class TwilioMessageView(PublicApiView):
    parser_classes = [FormParser]
    max_body_bytes = 64 * 1024

    @extend_schema(
        request={"application/x-www-form-urlencoded": {"type": "object", "additionalProperties": {"type": "string"}}},
        responses={
            (200, "text/xml"): OpenApiResponse(str, description="TwiML."),
            403: OpenApiResponse(ErrorSerializer, description="Missing or invalid X-Twilio-Signature."),
        },
        summary="Twilio's inbound SMS webhook (signed).",
    )
    def post(self, request):
        params = {key: request.POST.get(key) for key in request.POST}
        url = communication.conf.twilio("WEBHOOK_URL") or request.build_absolute_uri()
        if not communication.signature_is_valid(
            url=url, params=params, signature=request.headers.get("X-Twilio-Signature", "")
        ):
            raise exceptions.PermissionDenied("Invalid Twilio signature.")
        communication.store_inbound_sms(params=params)
        return HttpResponse('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', content_type="text/xml")
