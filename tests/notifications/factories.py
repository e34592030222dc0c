"""factory-boy factories for the notifications app's rows: the one way tests build them (the shared
ownership chain is in tests/factories.py)."""

import factory

from apps.notifications.models import (
    CallCenterShift,
    CustomerMessage,
    EmailAlertConfig,
    PushAppCredentials,
    PushChunk,
    PushMessage,
)


class CallCenterShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallCenterShift


class CustomerMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerMessage


class EmailAlertConfigFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailAlertConfig


class PushAppCredentialsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PushAppCredentials


class PushChunkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PushChunk


class PushMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PushMessage
