"""Reads of the ownership chain."""

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from rest_framework.exceptions import NotFound, ValidationError

from esmart.api.area import Area

from .models import (
    App,
    AppConfigParameter,
    Customer,
    CustomerAccess,
    CustomerAssociation,
    DeliveryPoint,
    Device,
    Meter,
    TermsAcceptance,
    TermsType,
    TermsVersion,
    User,
)


def customer_ids_in_area(*, user: User, area: Area) -> list[int]:
    return list(
        CustomerAccess.objects.filter(user=user, customer__area=area)
        .order_by("customer_id")
        .values_list("customer_id", flat=True)
    )


def has_customer_in_area(*, user: User, area: Area) -> bool:
    return CustomerAccess.objects.filter(user=user, customer__area=area).exists()


def privileges_of(*, user: User) -> list[Permission]:
    """The API privileges the user holds, directly or through a group (all of them for superusers)."""
    privileges = Permission.objects.filter(content_type__app_label="customers", content_type__model="privilege")
    if not user.is_superuser:
        privileges = privileges.filter(Q(user=user) | Q(group__user=user))
    return list(privileges.distinct().order_by("codename"))


# --- contracts, delivery points, associates -------------------------------------------------


def contracts_of(*, customer: Customer):
    """The customer's contracts with their delivery points (for ContractResponse)."""
    return customer.contracts.prefetch_related(Prefetch("delivery_points", DeliveryPoint.objects.order_by("id")))


def contract_delivery_points_of(
    *, customer: Customer, watt_meters: bool, lights_and_heating: bool, ev_charging: bool, water_meters: bool
):
    """Contracts → delivery points → meters (and devices when asked for): a fixed number of queries."""
    lookups = [
        Prefetch("delivery_points", DeliveryPoint.objects.order_by("id")),
        Prefetch("delivery_points__meters", Meter.objects.order_by("id")),
    ]
    kinds = []
    if lights_and_heating:
        kinds.append(Device.Kind.LIGHTS_AND_HEATING)
    if ev_charging:
        kinds.append(Device.Kind.EV_CHARGER)
    if kinds:
        lookups.append(Prefetch("delivery_points__devices", Device.objects.filter(kind__in=kinds).order_by("id")))
    return customer.contracts.prefetch_related(*lookups)


def delivery_points_of(*, customer: Customer):
    return (
        DeliveryPoint.objects.filter(contract__customer=customer)
        .select_related("contract")
        .prefetch_related(Prefetch("meters", Meter.objects.order_by("id")))
        .order_by("id")
    )


def associates_of(*, customer: Customer, reachable):
    """The customer's associations whose associate is one of `reachable` (the caller's customers in any
    area, restricted by the view: the same person's other side)."""
    return (
        CustomerAssociation.objects.filter(customer=customer, associate__in=reachable)
        .select_related("associate")
        .order_by("associate_id")
    )


# --- apps, configuration, terms -------------------------------------------------------------


def app_by_short_name(*, short_name: str) -> App:
    app = App.objects.filter(short_name=short_name.lower()).first()
    if app is None:
        raise NotFound(f"No app named '{short_name}'.")
    return app


def app_config(*, app_short_name: str, company_short_name: str, build: str) -> tuple[App, list[AppConfigParameter]]:
    """The app's parameters for a company and build; per key the most specific row wins:
    build (with the company, then any company), then the company's, then the app's default."""
    rows = list(
        AppConfigParameter.objects.select_related("app")
        .filter(app__short_name=app_short_name.lower())
        .filter(Q(company_short_name="") | Q(company_short_name=company_short_name.lower()))
        .filter(Q(build="") | Q(build=build))
    )
    app = rows[0].app if rows else app_by_short_name(short_name=app_short_name)
    best: dict[str, AppConfigParameter] = {}
    for row in rows:
        rank = (row.build != "", row.company_short_name != "")
        current = best.get(row.key)
        if current is None or rank > (current.build != "", current.company_short_name != ""):
            best[row.key] = row
    return app, [best[key] for key in sorted(best)]


def current_terms(*, app: App, types=None) -> dict[int, TermsVersion]:
    """The newest published version of each terms type of the app."""
    versions = TermsVersion.objects.filter(app=app, published_at__lte=timezone.now())
    if types is not None:
        versions = versions.filter(terms_type__in=types)
    current: dict[int, TermsVersion] = {}
    for version in versions.order_by("terms_type", "-version"):
        current.setdefault(version.terms_type, version)
    return current


TERMS_TYPES = (TermsType.GENERAL, TermsType.ADDITIONAL)


def terms_status(*, customer: Customer, app: App) -> list[dict]:
    """Per terms type with a published version: the current version and the customer's acceptance of it."""
    current = current_terms(app=app, types=TERMS_TYPES)
    accepted = {
        a.terms_version_id: a
        for a in TermsAcceptance.objects.filter(
            customer=customer,
            meter__isnull=True,
            reset_at__isnull=True,
            terms_version__in=[v.pk for v in current.values()],
        ).select_related("accepted_by")
    }
    status = []
    for terms_type in TERMS_TYPES:
        version = current.get(terms_type)
        if version is None:
            continue
        acceptance = accepted.get(version.pk)
        status.append(
            {
                "terms_type": terms_type,
                "version": version.version,
                "title": version.title,
                "url": version.url,
                "accepted": acceptance is not None,
                "accepted_at": acceptance.accepted_at if acceptance else None,
                "accepted_by": acceptance.accepted_by.username if acceptance and acceptance.accepted_by else None,
            }
        )
    return status


def customer_meters(*, customer: Customer):
    return Meter.objects.filter(delivery_point__contract__customer=customer)


def has_accepted_eula(*, customer: Customer, app: App, user: User) -> bool:
    """True when the user has accepted the app's current EULA for every meter of the customer
    (also when the app publishes no EULA, or the customer has no meters: nothing to accept)."""
    eula = current_terms(app=app, types=[TermsType.EULA]).get(TermsType.EULA)
    if eula is None:
        return True
    accepted = TermsAcceptance.objects.filter(
        meter=OuterRef("pk"), terms_version=eula, accepted_by=user, reset_at__isnull=True
    )
    return not customer_meters(customer=customer).filter(~Exists(accepted)).exists()


def known_app(*, short_name: str, field: str) -> App:
    """The app named in a request body: an unknown name is a 400 on that field."""
    app = App.objects.filter(short_name=short_name.strip().lower()).first()
    if app is None:
        raise ValidationError({field: [f"Unknown app '{short_name}'."]})
    return app
