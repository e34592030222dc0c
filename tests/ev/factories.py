"""factory-boy factories for the ev app's rows: the one way tests build them (the shared
ownership chain is in tests/factories.py)."""

import factory

from apps.ev.models import Car, ChargerImport, VendorAccount


class CarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Car


class ChargerImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChargerImport


class VendorAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VendorAccount
