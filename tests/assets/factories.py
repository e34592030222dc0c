"""factory-boy factories for the assets app's rows: the one way tests build them (the shared
ownership chain is in tests/factories.py)."""

import factory

from apps.assets.models import (
    AggregationPoint,
    Asset,
    AssetActivityRecord,
    AssetRelation,
    Participant,
    ParticipantMembership,
    ParticipantTopNode,
    SearchFilter,
)


class AggregationPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AggregationPoint


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset


class AssetActivityRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetActivityRecord


class AssetRelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetRelation


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant


class ParticipantMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParticipantMembership


class ParticipantTopNodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParticipantTopNode


class SearchFilterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SearchFilter
