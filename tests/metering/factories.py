"""factory-boy factories for the metering app's rows: the one way tests build them (the shared
ownership chain is in tests/factories.py)."""

import factory

from apps.metering.models import LiveValue, MeterDay, MeterSettings, WeatherStation


class LiveValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiveValue


class MeterDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeterDay


class MeterSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeterSettings


class WeatherStationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeatherStation
