"""Twilio: access tokens generated locally with the twilio package, the inbound SMS webhook's
signature check (Twilio's published algorithm, through its RequestValidator), SMS routing, and the
call center's hours."""

from __future__ import annotations

import re

from django.db.models import Q
from django.utils import timezone
from rest_framework import exceptions, status
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import ChatGrant, VideoGrant, VoiceGrant
from twilio.request_validator import RequestValidator

from apps.customers.public import Customer

from . import conf
from .models import CallCenterShift, InboundSms

NOT_CONFIGURED = "Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_API_KEY, TWILIO_API_SECRET)."


class TwilioNotConfigured(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = NOT_CONFIGURED


def _token(identity: str) -> AccessToken:
    sid, key, secret = conf.twilio("ACCOUNT_SID"), conf.twilio("API_KEY"), conf.twilio("API_SECRET")
    if not (sid and key and secret):
        raise TwilioNotConfigured()
    return AccessToken(sid, key, secret, identity=identity, ttl=conf.twilio_token_ttl())


def user_identity(user) -> str:
    return f"user-{user.pk}"


def chat_voice_token(*, user) -> tuple[str, str]:
    identity = user_identity(user)
    token = _token(identity)
    service_sid = conf.twilio("CHAT_SERVICE_SID")
    if service_sid:
        token.add_grant(ChatGrant(service_sid=service_sid))
    token.add_grant(VoiceGrant(outgoing_application_sid=conf.twilio("VOICE_APP_SID") or None, incoming_allow=True))
    return token.to_jwt(), identity


def video_token(*, user, call_center_operator: bool) -> tuple[str, str]:
    identity = conf.twilio("CALLCENTER_IDENTITY", "callcenter") if call_center_operator else user_identity(user)
    token = _token(identity)
    token.add_grant(VideoGrant(room=conf.twilio("VIDEO_ROOM") or None))
    return token.to_jwt(), identity


def is_operator(*, user) -> bool:
    return CallCenterShift.objects.filter(operator=user).exists()


def call_center_status(*, now=None) -> tuple[bool, list]:
    now = now or timezone.now()
    shifts = CallCenterShift.objects.filter(starts_at__lte=now, ends_at__gt=now).select_related("operator")
    operators = list({shift.operator_id: shift.operator for shift in shifts}.values())
    return bool(operators), operators


def signature_is_valid(*, url: str, params: dict, signature: str) -> bool:
    auth_token = conf.twilio("AUTH_TOKEN")
    if not auth_token or not signature:
        return False
    return RequestValidator(auth_token).validate(url, params, signature)


def _digits(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return digits[2:] if digits.startswith("47") and len(digits) == 10 else digits


def store_inbound_sms(*, params: dict) -> InboundSms:
    """Stores the SMS once (by MessageSid) and routes it to the customer whose number sent it."""
    sender = _digits(params.get("From", ""))
    customer = None
    if sender:
        matches = list(Customer.objects.filter(Q(mobile_number=sender) | Q(phone_number=sender))[:2])
        customer = matches[0] if len(matches) == 1 else None  # ambiguous: kept unassigned
    sms, _ = InboundSms.objects.get_or_create(
        message_sid=params.get("MessageSid", "")[:64] or f"unknown-{timezone.now().timestamp()}",
        defaults={
            "from_number": params.get("From", "")[:32],
            "to_number": params.get("To", "")[:32],
            "body": params.get("Body", "")[:1600],
            "customer": customer,
        },
    )
    return sms
