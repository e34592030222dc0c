"""factory-boy factories for the flex app's rows: the one way tests build them (the shared
ownership chain is in tests/factories.py)."""

import factory

from apps.flex.models import (
    BaselineConfig,
    ControllableDevice,
    ControlPlan,
    ControlPlanRequest,
    ControlPlanRequestValue,
    FlexContract,
    SiteDevice,
    SiteSettings,
)


class BaselineConfigFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BaselineConfig


class ControlPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControlPlan


class ControlPlanRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControlPlanRequest


class ControlPlanRequestValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControlPlanRequestValue


class ControllableDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControllableDevice


class FlexContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FlexContract


class SiteDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteDevice


class SiteSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteSettings
