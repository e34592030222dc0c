"""Factories for the care side: teams with staff, clients, assignments, next of kin, kits."""

import factory
from django.contrib.auth.models import Permission

from apps.assets.models import AssetType
from apps.assignments import services
from apps.assignments.models import (
    CareTeam,
    CareTeamMembership,
    CareTerms,
    Client,
    EquipmentKit,
    EquipmentKitDevice,
    KitConnection,
    NextOfKin,
)
from tests.assets.factories import AssetFactory
from tests.factories import UserFactory


def grant_care(user):
    user.user_permissions.add(Permission.objects.get(codename="care", content_type__app_label="customers"))
    # Django caches permissions on the instance; a fresh instance sees the grant.
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


class CareTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeam

    name = factory.Sequence(lambda n: f"Home care district {n}")


def staff_member(team, user=None, *, care=True):
    """A care-staff login in `team` (with the care privilege unless care=False)."""
    user = user or UserFactory()
    CareTeamMembershipFactory(team=team, user=user)
    return grant_care(user) if care else user


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    team = factory.SubFactory(CareTeamFactory)
    first_name = "Astrid"
    last_name = factory.Sequence(lambda n: f"Berg{n}")
    phone_number = factory.Sequence(lambda n: f"4{n:07d}")


def make_assignment(client, *, assignee=None, title="Morning visit", created_by=None):
    return services.create_assignment(client=client, title=title, assignee=assignee, created_by=created_by)


class NextOfKinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NextOfKin

    client = factory.SubFactory(ClientFactory)
    first_name = "Ingrid"
    last_name = factory.Sequence(lambda n: f"Berg{n}")
    relation = "Daughter"
    phone_number = factory.Sequence(lambda n: f"9{n:07d}")


class CareTermsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTerms
        django_get_or_create = ("version",)

    version = 1
    text = factory.LazyAttribute(lambda t: f"Terms for next of kin, version {t.version}.")


def accepted_next_of_kin(client, user=None):
    """A next of kin linked to a login that has accepted the current terms."""
    user = user or UserFactory()
    kin = NextOfKinFactory(client=client, user=user)
    services.accept_terms(next_of_kin=kin, user=user)
    return kin


class EquipmentKitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EquipmentKit
        skip_postgeneration_save = True

    team = factory.SubFactory(CareTeamFactory)
    name = factory.Sequence(lambda n: f"Safety kit {n}")
    serial_number = factory.Sequence(lambda n: f"KIT-{n:05d}")

    @factory.post_generation
    def devices(self, create, extracted, **kwargs):
        if not create:
            return
        specs = extracted if extracted is not None else [(AssetType.SmartHomeGateway, "Gateway")]
        for asset_type, name in specs:
            asset = AssetFactory(asset_type=asset_type, name=f"{name} {self.serial_number}")
            EquipmentKitDeviceFactory(kit=self, asset=asset)


class CareTeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMembership


class EquipmentKitDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EquipmentKitDevice


class KitConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KitConnection
