"""Writes and use cases of the customers app (HackSoft style: keyword-only arguments)."""

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import NotFound, ValidationError

from esmart.api.area import Area
from esmart.api.exceptions import Conflict, Gone, ServiceUnavailable

from . import selectors
from .adapters import CisError, get_cis_adapter
from .models import (
    App,
    AppUsage,
    Contract,
    ContractProduct,
    Customer,
    CustomerAccess,
    CustomerAssociation,
    DeliveryPoint,
    Feedback,
    Meter,
    TermsAcceptance,
    TermsType,
    TermsVersion,
    User,
)
from .selectors import customer_ids_in_area

AUTH_PROVIDER = "CustomerWeb"
REGISTERED = "Registered"


def login_for_area(*, user: User, area: Area) -> dict:
    """The LoginResponseExtended of a verified user; 410 Gone when no customer is in `area`."""
    customer_ids = customer_ids_in_area(user=user, area=area)
    if not customer_ids:
        raise Gone(f"The user does not exist in the {area.label} area.")
    return {
        "customer_ids": customer_ids,
        "auth_provider": AUTH_PROVIDER,
        "registration_status": REGISTERED,
        "user_auth_id": str(user.pk),
    }


CONTACT_FIELDS = ("phone_number", "mobile_number", "email")


def update_customer_contact(*, customer: Customer, **changes) -> Customer:
    """Sets the customer's phone, mobile and e-mail; nothing else may change through the API."""
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"Only {CONTACT_FIELDS} can change, not {sorted(unknown)}")
    if not changes:
        return customer
    for field, value in changes.items():
        setattr(customer, field, value)
    try:
        # Only the changed fields: a stored value the CIS wrote must not block a contact update.
        customer.full_clean(
            exclude=[f.name for f in Customer._meta.fields if f.name not in changes],
            validate_unique=False,
            validate_constraints=False,
        )
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict) from None  # the wire's 400, not a 500
    customer.save(update_fields=[*changes, "updated_at"])
    return customer


# --- terms and EULA -------------------------------------------------------------------------


def accept_eula(*, customer: Customer, app: App, user: User) -> int:
    """Accepts the app's current EULA for every meter of the customer; returns how many were new."""
    eula = selectors.current_terms(app=app, types=[TermsType.EULA]).get(TermsType.EULA)
    if eula is None:
        return 0
    done = set(
        TermsAcceptance.objects.filter(
            customer=customer, terms_version=eula, accepted_by=user, reset_at__isnull=True, meter__isnull=False
        ).values_list("meter_id", flat=True)
    )
    now = timezone.now()
    rows = [
        TermsAcceptance(customer=customer, terms_version=eula, meter_id=meter_id, accepted_by=user, accepted_at=now)
        for meter_id in selectors.customer_meters(customer=customer).values_list("pk", flat=True)
        if meter_id not in done
    ]
    # A double tap races between the read above and this insert: the partial unique constraint
    # keeps one row and the loser's insert is skipped, so both requests succeed.
    TermsAcceptance.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def accept_terms(*, customer: Customer, app: App, user: User, general: bool, additional: bool) -> list[TermsVersion]:
    """Records that `user` accepted the current general and/or additional terms for the customer.

    Accepting terms the app has not published is a 400 naming the property; accepting a version
    already accepted changes nothing. Returns the versions newly accepted.
    """
    wanted = {TermsType.GENERAL: general, TermsType.ADDITIONAL: additional}
    if not any(wanted.values()):
        raise ValidationError(
            {"non_field_errors": ["Nothing to accept: set AcceptGeneralTerms or AcceptAdditionalTerms."]}
        )
    current = selectors.current_terms(app=app, types=[t for t, on in wanted.items() if on])
    missing = {
        TERMS_FIELDS[t]: [f"The app '{app.short_name}' has no {t.label.lower()} terms."]
        for t, on in wanted.items()
        if on and t not in current
    }
    if missing:
        raise ValidationError(missing)
    already = set(
        TermsAcceptance.objects.filter(
            customer=customer, meter__isnull=True, reset_at__isnull=True, terms_version__in=current.values()
        ).values_list("terms_version_id", flat=True)
    )
    new = [version for version in current.values() if version.pk not in already]
    now = timezone.now()
    TermsAcceptance.objects.bulk_create(
        [TermsAcceptance(customer=customer, terms_version=v, accepted_by=user, accepted_at=now) for v in new],
        ignore_conflicts=True,  # a concurrent identical accept already inserted it (see accept_eula)
    )
    return new


TERMS_FIELDS = {TermsType.GENERAL: "accept_general_terms", TermsType.ADDITIONAL: "accept_additional_terms"}


def reset_terms(*, customer: Customer, by: User, app: App | None = None) -> int:
    """Makes the customer's current acceptances (terms and EULA) of one app, or of every app,
    stale: the rows stay, marked reset, so who accepted what remains on record."""
    acceptances = TermsAcceptance.objects.filter(customer=customer, reset_at__isnull=True)
    if app is not None:
        acceptances = acceptances.filter(terms_version__app=app)
    return acceptances.update(reset_at=timezone.now(), reset_by=by)


# --- feedback and tracking ------------------------------------------------------------------


def submit_feedback(*, kind: str, user: User, customer: Customer | None = None, **fields) -> Feedback:
    """Stores feedback from an app. The caller has already validated the fields' form."""
    allowed = {"app_name", "app_version", "platform", "rating", "subject", "message"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown feedback fields {sorted(unknown)}")
    if customer is not None and not CustomerAccess.objects.filter(user=user, customer=customer).exists():
        raise NotFound()
    feedback = Feedback(kind=kind, user=user, customer=customer, **fields)
    feedback.full_clean(validate_constraints=False)
    feedback.save()
    return feedback


def answer_feedback(*, feedback: Feedback, answer: str, by: User) -> Feedback:
    feedback.answer = answer
    feedback.answered_by = by if answer else None
    feedback.answered_at = timezone.now() if answer else None
    feedback.save(update_fields=["answer", "answered_by", "answered_at"])
    return feedback


def track_app_usage(*, customer: Customer, user: User, app: App, event: str) -> list[ContractProduct]:
    """Records that the user uses the app and adds the app's product to each of the customer's
    current contracts, once: a repeated call changes nothing. Returns the products added."""
    AppUsage.objects.get_or_create(user=user, customer=customer, app=app, defaults={"first_event": event})
    if not app.product_code:
        return []
    today = timezone.localdate()
    contracts = customer.contracts.filter(Q(end_date__isnull=True) | Q(end_date__gte=today)).exclude(
        products__product_code=app.product_code
    )
    now = timezone.now()
    rows = [
        ContractProduct(contract=c, product_code=app.product_code, app=app, added_by=user, added_at=now)
        for c in contracts
    ]
    return ContractProduct.objects.bulk_create(rows, ignore_conflicts=True)


# --- associations ---------------------------------------------------------------------------


def associate_customers(*, customer: Customer, associate: Customer, relation: int) -> None:
    """Associates two customers in both directions (idempotent)."""
    for a, b in ((customer, associate), (associate, customer)):
        CustomerAssociation.objects.update_or_create(customer=a, associate=b, defaults={"relation": relation})


# --- import from the customer information system --------------------------------------------


@dataclass
class ImportResult:
    found: bool = False
    changes: list[dict] = dataclass_field(default_factory=list)

    def record(self, entity: str, key, action: int, fields=()):
        self.changes.append({"entity": entity, "key": str(key), "action": action, "fields": list(fields)})


class ImportAction(models.IntegerChoices):
    CREATED = 1, "Created"
    UPDATED = 2, "Updated"


def _apply(instance, values: dict) -> list[str]:
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


def _create_or_update(model, instance, *, key: dict, values: dict, result: ImportResult):
    """Creates the row named by `key`, or updates `instance` where `values` differ; records what changed."""
    (key_value,) = key.values()
    if instance is None:
        instance = model(**key, **values)
        instance.full_clean(validate_unique=False)
        instance.save()
        result.record(model.__name__, key_value, ImportAction.CREATED)
    elif changed := _apply(instance, values):
        instance.full_clean(validate_unique=False)
        instance.save(update_fields=changed)
        result.record(model.__name__, key_value, ImportAction.UPDATED, changed)
    return instance


@transaction.atomic
def import_customer(*, customer: Customer, adapter=None) -> ImportResult:
    """Refreshes the customer's contracts, delivery points and meters from the CIS.

    Rows are matched by their natural keys (contract number, metering point id, meter id) and
    created or updated; nothing is deleted (readings and history hang off them). A key that
    belongs to another customer is a 409 and nothing is written. Repeating the import changes
    nothing the second time.
    """
    adapter = adapter or get_cis_adapter()
    try:
        document = adapter.fetch_customer(customer_id=customer.pk)
    except CisError as exc:
        raise ServiceUnavailable(f"The customer information system failed: {exc}") from None
    result = ImportResult()
    if document is None:
        return result
    result.found = True

    contract_nos = [c.contract_no for c in document.contracts]
    points = [p for c in document.contracts for p in c.delivery_points]
    meters = [m for p in points for m in p.meters]
    existing_contracts = {c.contract_no: c for c in Contract.objects.filter(contract_no__in=contract_nos)}
    existing_points = {
        p.metering_point_id: p
        for p in DeliveryPoint.objects.select_related("contract").filter(
            metering_point_id__in=[p.metering_point_id for p in points]
        )
    }
    existing_meters = {
        m.meter_id: m
        for m in Meter.objects.select_related("delivery_point__contract").filter(
            meter_id__in=[m.meter_id for m in meters]
        )
    }
    foreign = [
        *(f"contract {no}" for no, c in existing_contracts.items() if c.customer_id != customer.pk),
        *(f"metering point {k}" for k, p in existing_points.items() if p.contract.customer_id != customer.pk),
        *(f"meter {k}" for k, m in existing_meters.items() if m.delivery_point.contract.customer_id != customer.pk),
    ]
    if foreign:
        raise Conflict(f"The CIS document names rows of another customer: {', '.join(foreign)}.")

    try:
        for cis_contract in document.contracts:
            contract = _create_or_update(
                Contract,
                existing_contracts.get(cis_contract.contract_no),
                key={"contract_no": cis_contract.contract_no},
                values={
                    "customer_id": customer.pk,
                    "ledger_no": cis_contract.ledger_no,
                    "product": cis_contract.product,
                    "start_date": cis_contract.start_date,
                    "end_date": cis_contract.end_date,
                },
                result=result,
            )
            for cis_point in cis_contract.delivery_points:
                point = _create_or_update(
                    DeliveryPoint,
                    existing_points.get(cis_point.metering_point_id),
                    key={"metering_point_id": cis_point.metering_point_id},
                    values={
                        "contract_id": contract.pk,
                        "name": cis_point.name,
                        "price_area": cis_point.price_area,
                        # An empty number keeps what the admin set.
                        **({"municipality_no": cis_point.municipality_no} if cis_point.municipality_no else {}),
                        **cis_point.address,
                    },
                    result=result,
                )
                for cis_meter in cis_point.meters:
                    _create_or_update(
                        Meter,
                        existing_meters.get(cis_meter.meter_id),
                        key={"meter_id": cis_meter.meter_id},
                        values={
                            "delivery_point_id": point.pk,
                            "meter_no": cis_meter.meter_no,
                            "kind": cis_meter.kind,
                            "has_wattmeter": cis_meter.has_wattmeter,
                        },
                        result=result,
                    )
    except DjangoValidationError as exc:
        raise ServiceUnavailable(f"The customer information system sent invalid data: {exc.messages}") from None
    return result
