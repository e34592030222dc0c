"""Factories for the customers app's own objects (the ownership chain is in tests/factories.py)."""

import factory

from apps.customers.models import App, AppConfigParameter, Device, TermsType, TermsVersion


class AppFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = App
        django_get_or_create = ("short_name",)

    short_name = factory.Sequence(lambda n: f"app{n}")
    name = factory.LazyAttribute(lambda a: a.short_name.title())
    product_code = factory.LazyAttribute(lambda a: f"{a.short_name.upper()}-APP")


class TermsVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TermsVersion
        django_get_or_create = ("app", "terms_type", "version")

    app = factory.SubFactory(AppFactory)
    terms_type = TermsType.GENERAL
    version = 1
    title = factory.LazyAttribute(lambda t: f"{TermsType(t.terms_type).label} terms v{t.version}")
    url = "https://example.com/terms"


class AppConfigParameterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppConfigParameter

    app = factory.SubFactory(AppFactory)
    key = "feature"
    value = "on"


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    kind = Device.Kind.EV_CHARGER
    name = "Charger"
