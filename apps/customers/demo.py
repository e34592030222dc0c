"""Deterministic demo data for the ownership chain, used by `manage.py seed_demo`.

Every row has a fixed natural key (username, customer id, contract number, metering point id,
meter id), so running the seed twice changes nothing. Other apps add their demo data through
their own `demo.py` (see the seed_demo command).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from esmart.api.area import Area

from .models import (
    App,
    AppConfigParameter,
    Contract,
    Customer,
    CustomerAccess,
    CustomerAssociation,
    DeliveryPoint,
    Device,
    Feedback,
    Meter,
    TermsType,
    TermsVersion,
    User,
)
from .signals import meters_bulk_created


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    first_name: str
    last_name: str
    is_staff: bool = False


def _no_ids(user: User) -> dict:
    return {}


@dataclass(frozen=True)
class SeededLogin:
    """A login a demo.py seeds, as `seed_demo` lists it (each app's `LOGINS`): its role, one line
    on what to try with it, and `ids(user)`, the ids to try it with (a dict merged into its --json entry)."""

    login: DemoLogin
    role: str
    what: str
    ids: Callable[[User], dict] = _no_ids


# The seeders' clock: `seed_demo --today D` seeds as if it were noon in Oslo on D.
DEMO_TIME_ZONE = ZoneInfo("Europe/Oslo")
DEMO_NOON = dt.time(12)


def demo_now(today: dt.date | None = None) -> dt.datetime:
    """The moment the demo seeders treat as now: 12:00 (Oslo) on `today`, or the clock's now."""
    if today is None:
        return timezone.now()
    return dt.datetime.combine(today, DEMO_NOON, DEMO_TIME_ZONE).astimezone(dt.UTC)


DEMO_LOGINS = [
    DemoLogin("demo1", "demo1-password", "Kari", "Nordmann"),
    DemoLogin("demo2", "demo2-password", "Ola", "Hansen"),
]
STAFF_LOGIN = DemoLogin("admin", "admin-password", "Support", "Staff", is_staff=True)
BENCH_LOGIN = DemoLogin("bench", "bench-password", "Bench", "Mark")

# (zip code, city, bidding zone, SSB municipality number from 2024): the municipality, not the zone,
# decides VAT and the electricity tax (apps/pricing/rules.py), so Tromsø's households pay no VAT.
CITIES = [
    ("0150", "Oslo", "NO1", "0301"),
    ("4610", "Kristiansand", "NO2", "4204"),
    ("7010", "Trondheim", "NO3", "5001"),
    ("9008", "Tromsø", "NO4", "5501"),
    ("5003", "Bergen", "NO5", "4601"),
]
START = dt.date(2020, 1, 1)


def gsrn(body: int) -> str:
    """An 18-digit GSRN (Norwegian metering point id, prefix 7070575) with its check digit."""
    digits = f"7070575{body:010d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return digits + str((10 - total % 10) % 10)


def ensure_login(login: DemoLogin) -> User:
    """The login, created with its published password if missing; an existing user is left as it is.

    Never resets the password or the staff/superuser flags of a user that exists: someone may
    have changed them since (and `admin` must not become admin/admin-password again).
    """
    user = User.objects.filter(username=login.username).first()
    if user is not None:
        return user
    user = User(
        username=login.username,
        first_name=login.first_name,
        last_name=login.last_name,
        email=f"{login.username}@example.com",
        is_staff=login.is_staff,
        is_superuser=login.is_staff,
        is_active=True,
    )
    user.set_password(login.password)
    user.save()
    return user


def customer_rows(*, customer_id: int, area: Area, login: DemoLogin, meters: int, seq: int):
    """The customer, its contract, delivery point(s) and meters, as unsaved rows with fixed keys."""
    zip_code, city, price_area, municipality_no = CITIES[seq % len(CITIES)]
    address = {
        "address_text": f"Storgata {seq % 200 + 1}",
        "house_no": str(seq % 200 + 1),
        "zip_code": zip_code,
        "city": city,
    }
    customer = Customer(
        id=customer_id,
        area=area,
        first_name=login.first_name,
        last_name=login.last_name,
        email=f"{login.username}+{customer_id}@example.com",
        phone_number=f"2{customer_id % 10**7:07d}",
        mobile_number=f"9{customer_id % 10**7:07d}",
        birth_date=dt.date(1960, 1, 1) + dt.timedelta(days=seq * 97 % 15000),
        **address,
    )
    product = Contract.Product.NET if area == Area.NET else Contract.Product.POWER
    contract = Contract(
        customer_id=customer_id,
        contract_no=customer_id * 10 + 1,
        ledger_no=customer_id,
        product=product,
        start_date=START,
    )
    delivery_point = DeliveryPoint(
        contract_id=None,
        name="Home",
        metering_point_id=gsrn(customer_id * 10 + 1),
        price_area=price_area,
        municipality_no=municipality_no,
        **address,
    )
    meter_rows = [
        Meter(meter_id=f"{customer_id * 100 + n:012d}", meter_no=f"AMS-{customer_id}-{n}", has_wattmeter=(n == 1))
        for n in range(1, meters + 1)
    ]
    return customer, contract, delivery_point, meter_rows


def ensure_customers(*, user: User, specs: list[tuple[int, Area]], login: DemoLogin, meters: int, progress=None):
    """Creates the customers that are missing (existing rows are left alone), with access for `user`."""
    existing = set(Customer.objects.filter(id__in=[cid for cid, _ in specs]).values_list("id", flat=True))
    todo = [(cid, area) for cid, area in specs if cid not in existing]
    batch = 500
    for start in range(0, len(todo), batch):
        chunk = [
            customer_rows(customer_id=cid, area=area, login=login, meters=meters, seq=cid)
            for cid, area in todo[start : start + batch]
        ]
        Customer.objects.bulk_create([c for c, _, _, _ in chunk])
        CustomerAccess.objects.bulk_create([CustomerAccess(user=user, customer_id=c.id) for c, _, _, _ in chunk])
        contracts = Contract.objects.bulk_create([k for _, k, _, _ in chunk])
        for (_, _, dp, _), contract in zip(chunk, contracts, strict=True):
            dp.contract = contract
        points = DeliveryPoint.objects.bulk_create([dp for _, _, dp, _ in chunk])
        meter_rows = []
        for (_, _, _, rows), point in zip(chunk, points, strict=True):
            for meter in rows:
                meter.delivery_point = point
                meter_rows.append(meter)
        Meter.objects.bulk_create(meter_rows)
        meters_bulk_created.send(sender=Meter, meters=meter_rows)
        if progress:
            progress(min(start + batch, len(todo)), len(todo))
    CustomerAccess.objects.bulk_create(
        [CustomerAccess(user=user, customer_id=cid) for cid, _ in specs], ignore_conflicts=True
    )


def fill_missing_municipalities(customer_ids: list[int]) -> None:
    """Gives demo delivery points seeded before they carried one their city's municipality number."""
    for customer_id in customer_ids:
        municipality_no = CITIES[customer_id % len(CITIES)][3]
        DeliveryPoint.objects.filter(contract__customer_id=customer_id, municipality_no="").update(
            municipality_no=municipality_no
        )


def reset_sequences() -> None:
    """Explicit ids were inserted; move the sequences past them (PostgreSQL needs this)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Customer, Contract, DeliveryPoint, Meter])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def seed(*, bench_customers: int = 0, bench_meters: int = 1, progress=None) -> list[User]:
    """Seeds the demo logins (and optionally a large 'bench' login); returns the customer logins."""
    ensure_login(STAFF_LOGIN)
    users = []
    for index, login in enumerate(DEMO_LOGINS):
        user = ensure_login(login)
        base = 100001 + index * 2
        ensure_customers(user=user, specs=[(base, Area.POWER), (base + 1, Area.NET)], login=login, meters=2)
        fill_missing_municipalities([base, base + 1])
        users.append(user)
    seed_apps()
    seed_customer_extras(users)
    if bench_customers:
        user = ensure_login(BENCH_LOGIN)
        specs = [(200001 + i, Area.POWER if i % 2 == 0 else Area.NET) for i in range(bench_customers)]
        ensure_customers(user=user, specs=specs, login=BENCH_LOGIN, meters=bench_meters, progress=progress)
        users.append(user)
    reset_sequences()
    return users


def customer_ids(user: User) -> dict:
    """The customers `user` reaches, with their contracts, delivery points and meters (--json)."""
    customers = (
        Customer.objects.filter(accesses__user=user)
        .prefetch_related("contracts__delivery_points__meters")
        .distinct()
        .order_by("id")
    )
    return {
        "Customers": [
            {
                "CustomerId": customer.id,
                "Area": customer.area,
                "Contracts": [
                    {
                        "ContractNo": contract.contract_no,
                        "DeliveryPointIds": [dp.id for dp in contract.delivery_points.all()],
                        "MeterIds": [m.meter_id for dp in contract.delivery_points.all() for m in dp.meters.all()],
                    }
                    for contract in customer.contracts.all()
                ],
            }
            for customer in customers
        ]
    }


LOGINS = [
    SeededLogin(
        DEMO_LOGINS[0],
        "customer",
        "a Power customer (100001, Kristiansand) and a Net customer (100002, Trondheim)",
        customer_ids,
    ),
    SeededLogin(
        DEMO_LOGINS[1],
        "customer",
        "a Power customer (100003, Tromsø: no VAT) and a Net customer (100004, Bergen)",
        customer_ids,
    ),
    SeededLogin(STAFF_LOGIN, "staff", "staff and superuser: the admin at /admin/"),
    SeededLogin(BENCH_LOGIN, "customer", "the bench customers (--customers N --meters M)", customer_ids),
]


# --- apps, terms, configuration, feedback (the customers app's own demo data) ---------------

PUBLISHED = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

DEMO_APPS = [
    # short name, name, product added on first use, terms: (type, version, title)
    (
        "smartliv",
        "Smart Liv",
        "SMARTLIV",
        [
            (TermsType.GENERAL, 1, "General terms of use"),
            (TermsType.GENERAL, 2, "General terms of use (2025)"),
            (TermsType.ADDITIONAL, 1, "Terms for smart-home control"),
            (TermsType.EULA, 1, "End user licence agreement"),
        ],
    ),
    ("rknett", "RK Nett", "RKNETT", [(TermsType.GENERAL, 1, "Vilkår for RK Nett")]),
]

DEMO_CONFIG = [
    # app, company ("" = any), build ("" = any), key, value
    ("smartliv", "", "", "api_base_url", "http://127.0.0.1:8000/api/"),
    ("smartliv", "", "", "show_spot_prices", "true"),
    ("smartliv", "", "", "support_phone", "+4722000000"),
    ("smartliv", "demo", "", "theme", "demo-green"),
    ("smartliv", "demo", "", "support_phone", "+4722123456"),
    ("smartliv", "", "100", "show_spot_prices", "false"),
    ("rknett", "", "", "api_base_url", "http://127.0.0.1:8000/api/"),
    ("rknett", "", "", "show_outages", "true"),
]


def seed_apps() -> None:
    for short_name, name, product, terms in DEMO_APPS:
        app, _ = App.objects.update_or_create(short_name=short_name, defaults={"name": name, "product_code": product})
        for terms_type, version, title in terms:
            TermsVersion.objects.update_or_create(
                app=app,
                terms_type=terms_type,
                version=version,
                defaults={
                    "title": title,
                    "url": f"https://example.com/{short_name}/terms/{terms_type}/{version}",
                    "published_at": PUBLISHED + dt.timedelta(days=365 * (version - 1)),
                },
            )
    apps = {app.short_name: app for app in App.objects.all()}
    for short_name, company, build, key, value in DEMO_CONFIG:
        AppConfigParameter.objects.update_or_create(
            app=apps[short_name], company_short_name=company, build=build, key=key, defaults={"value": value}
        )


def seed_customer_extras(users: list[User]) -> None:
    """Per demo login: its Power and Net customers are the same person, devices at the Power
    customer's delivery point, and one piece of feedback (answered for demo1)."""
    staff = User.objects.get(username=STAFF_LOGIN.username)
    for index, user in enumerate(users):
        power, net = Customer.objects.filter(
            accesses__user=user, id__in=[100001 + index * 2, 100002 + index * 2]
        ).order_by("id")
        for a, b in ((power, net), (net, power)):
            CustomerAssociation.objects.update_or_create(
                customer=a, associate=b, defaults={"relation": CustomerAssociation.Relation.SAME_PERSON}
            )
        point = DeliveryPoint.objects.filter(contract__customer=power).order_by("id").first()
        for kind, name in ((Device.Kind.EV_CHARGER, "Garage charger"), (Device.Kind.LIGHTS_AND_HEATING, "Living room")):
            Device.objects.get_or_create(delivery_point=point, kind=kind, name=name)
        answered = index == 0
        Feedback.objects.update_or_create(
            kind=Feedback.Kind.CUSTOMER,
            customer=power,
            user=user,
            message="The consumption graph is great, but I miss a weekly view.",
            defaults={
                "app_name": "smartliv",
                "app_version": "3.2.0",
                "platform": "ios",
                "rating": 4,
                "answer": "Thanks! A weekly view is coming in 3.3." if answered else "",
                "answered_by": staff if answered else None,
                "answered_at": PUBLISHED if answered else None,
            },
        )
    Feedback.objects.get_or_create(
        kind=Feedback.Kind.SYSTEM,
        customer=None,
        user=users[0] if users else None,
        message="Login took a long time this morning.",
        defaults={"app_name": "rknett", "app_version": "1.0.4", "platform": "android", "rating": 2},
    )
