"""Plain Django function views: the baselines of bench/pairs.py.

Each view runs the same queries the real endpoint runs on its fast path and builds the same JSON
by hand with orjson (the same bytes), or lets PostgreSQL build it (the consumption series: the
same JSON once parsed); it skips what the baseline is there to price (DRF, middleware, the
credential cache, the password hasher, request parsing and validation). The spot-price baseline
keeps the credential-cache check (the issue's "same work": the check, one cache get, cached bytes).
"""

import base64
import binascii
import datetime as dt
import hmac
from zoneinfo import ZoneInfo

import orjson
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.urls import path

from apps.customers.models import Customer, Meter, User
from apps.pricing import spotwire
from apps.pricing.areas import UnknownAreaError
from apps.pricing.areas import zone as bidding_zone
from esmart.api.authentication import _digest, _pair_keys
from esmart.api.limits import client_network

POWER = 2
JSON = "application/json"
UNAUTHORIZED = orjson.dumps({"Message": "Authorization has been denied for this request."})
NOT_FOUND = orjson.dumps({"Message": "Not found."})
BAD_SERIES = orjson.dumps({"Message": "The baseline takes whole UTC hours at Resolution 5, 7 or 20."})


def basic_username(request) -> str | None:
    """The username of an HTTP Basic header; the password is not checked (no hasher, no cache)."""
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        return base64.b64decode(value.strip()).decode().partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return None


def request_area(request) -> int:
    raw = request.META.get("HTTP_X_AREA", "").strip()
    return int(raw) if raw.isdigit() else POWER


def customer_response(customer: Customer) -> dict:
    """CustomerResponse as the real endpoint renders it (PascalCase, nested Address, dates as text)."""
    return {
        "Address": {
            "AddressText": customer.address_text,
            "City": customer.city,
            "CoAddress": customer.co_address,
            "CountryCode": customer.country_code,
            "Entrance": customer.entrance,
            "Floor": customer.floor,
            "HouseLetter": customer.house_letter,
            "HouseNo": customer.house_no,
            "IsEditable": customer.address_is_editable,
            "POBox": customer.po_box,
            "ZipCode": customer.zip_code,
        },
        "BirthDate": f"{customer.birth_date.isoformat()}T00:00:00" if customer.birth_date else None,
        "CustomerId": customer.id,
        "CustomerType": customer.customer_type,
        "Email": customer.email,
        "FirstName": customer.first_name,
        "IsBroadbandCustomer": customer.is_broadband_customer,
        "IsDistrictHeatingCustomer": customer.is_district_heating_customer,
        "IsNetCustomer": customer.area == 1,
        "IsPowerCustomer": customer.area == POWER,
        "LastName": customer.last_name,
        "MobileNumber": customer.mobile_number,
        "OrganizationNo": customer.organization_no,
        "PhoneNumber": customer.phone_number,
        "Pin": customer.pin,
        "RequiresProfileConfirmation": customer.requires_profile_confirmation,
    }


def customer(request, customerId: int):
    """Baseline of GET api/customers/{customerId}: the user row, then the scoped customer query."""
    username = basic_username(request)
    # (1) the same lookup as esmart.api.authentication.verify_credentials
    user = User._default_manager.filter(username=username).first() if username else None
    if user is None or not user.is_active:
        return HttpResponse(UNAUTHORIZED, status=401, content_type=JSON)
    # (2) the same query as CustomerView's anchor: CustomerScope.restrict, then the path lookup
    found = Customer._default_manager.all().filter(accesses__user=user, area=request_area(request))
    found = found.filter(pk=customerId).first()
    if found is None:
        return HttpResponse(NOT_FOUND, status=404, content_type=JSON)
    return HttpResponse(orjson.dumps(customer_response(found)), content_type=JSON)


# Consumption as PostgreSQL's own JSON of the meter's rows (json_agg), the plainest way per
# resolution: Hour, the rows themselves; QuarterHour, each hourly row spread over its quarters (as
# the endpoint does, marked estimated); Day, the rows grouped by local day. A bucket without data
# is left out, where the endpoint returns it as Status 4000 with Value null: the runner checks that
# this is the only difference. Building every bucket in SQL as well (generate_series and a LEFT
# JOIN) is the endpoint's work: the cheapest JSON PostgreSQL makes of these rows is the yardstick.
_TIME = "to_char(({}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
_RANGE = "meter_id = %(meter)s AND start_at >= %(start)s AND start_at < %(end)s"
SERIES_JSON = {
    7: f"""
SELECT json_build_object('Resolution', 7, 'Unit', 'kWh', 'Values', json_agg(json_build_object(
    'ValueTime', {_TIME.format("start_at")},
    'Value', value::float8,
    'Status', status
) ORDER BY start_at))::text
FROM bench_interval_rows
WHERE {_RANGE}
""",
    5: f"""
SELECT json_build_object('Resolution', 5, 'Unit', 'kWh', 'Values', json_agg(json_build_object(
    'ValueTime', {_TIME.format("start_at + make_interval(mins => 15 * k)")},
    'Value', round(value * 15 / minutes, 4)::float8,
    'Status', CASE WHEN minutes > 15 THEN greatest(status, 1) ELSE status END
) ORDER BY start_at, k))::text
FROM bench_interval_rows CROSS JOIN LATERAL generate_series(0, minutes / 15 - 1) AS k
WHERE {_RANGE}
""",
    20: f"""
SELECT json_build_object('Resolution', 20, 'Unit', 'kWh', 'Values', json_agg(json_build_object(
    'ValueTime', {_TIME.format("day")},
    'Value', total::float8,
    'Status', CASE WHEN worst > 0 OR covered * INTERVAL '1 minute' < next_day - day THEN 1 ELSE 0 END
) ORDER BY day))::text
FROM (
    SELECT date_trunc('day', start_at, %(tz)s) AS day,
           (date_trunc('day', start_at, %(tz)s) AT TIME ZONE %(tz)s + INTERVAL '1 day') AT TIME ZONE %(tz)s
           AS next_day,
           sum(value) AS total, max(status) AS worst, sum(minutes) AS covered
    FROM bench_interval_rows
    WHERE {_RANGE}
    GROUP BY 1, 2
) AS days
""",
}


def utc_hour(text) -> dt.datetime | None:
    """A whole UTC hour from the wire (no offset means UTC), or None."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    return moment if moment == moment.replace(minute=0, second=0, microsecond=0) else None


def consumption(request, customerId: int, contractNo: int, meterId: str):
    """Baseline of POST .../meters/{meterId}/consumption at Resolution 5, 7 or 20 over whole buckets of
    hourly data: the user row, the scoped meter query, then one query whose text is the response body."""
    if request.method != "POST":
        return HttpResponse(status=405)
    username = basic_username(request)
    user = User._default_manager.filter(username=username).first() if username else None
    if user is None or not user.is_active:
        return HttpResponse(UNAUTHORIZED, status=401, content_type=JSON)
    # the same query as MeterAnchored's anchor: CustomerScope.restrict, the path lookups, select_related
    meter = (
        Meter._default_manager.filter(
            delivery_point__contract__customer__accesses__user=user,
            delivery_point__contract__customer__area=request_area(request),
        )
        .filter(
            delivery_point__contract__customer_id=customerId,
            delivery_point__contract__contract_no=contractNo,
            meter_id=meterId,
        )
        .select_related("delivery_point")
        .first()
    )
    if meter is None:
        return HttpResponse(NOT_FOUND, status=404, content_type=JSON)
    try:
        body = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        body = None
    start = utc_hour(body.get("FromTime")) if isinstance(body, dict) else None
    end = utc_hour(body.get("ToTime")) if isinstance(body, dict) else None
    resolution = body.get("Resolution") if isinstance(body, dict) else None
    if start is None or end is None or end <= start or resolution not in SERIES_JSON:
        return HttpResponse(BAD_SERIES, status=400, content_type=JSON)
    with connection.cursor() as cursor:
        params = {"meter": meter.pk, "start": start, "end": end, "tz": meter.time_zone or "Europe/Oslo"}
        cursor.execute(SERIES_JSON[resolution], params)
        text = cursor.fetchone()[0]
    return HttpResponse(text.encode(), content_type=JSON)


# The asset graph, the plainest way: the reach check and the walk as hand-written recursive CTEs
# over the same tables (the professional's top nodes, the relation edges), rows to JSON by hand.
REACH_SQL = """
WITH RECURSIVE up(id, depth) AS (
    SELECT CAST(%s AS BIGINT), 0
    UNION ALL
    SELECT r.parent_id, up.depth + 1 FROM assets_assetrelation r JOIN up ON r.child_id = up.id
    WHERE r.relation_type IN (1, 2) AND up.depth < 1000
)
SELECT 1 FROM up JOIN assets_participanttopnode t ON t.asset_id = up.id
WHERE t.participant_id IN (
    WITH RECURSIVE ps(id, depth) AS (
        SELECT m.participant_id, 0 FROM assets_participantmembership m WHERE m.user_id = %s
        UNION ALL
        SELECT p.id, ps.depth + 1 FROM assets_participant p JOIN ps ON p.parent_id = ps.id WHERE ps.depth < 1000
    )
    SELECT id FROM ps
)
LIMIT 1
"""
SUBTREE_SQL = """
WITH RECURSIVE sub(id, parent_id, depth) AS (
    SELECT CAST(%s AS BIGINT), CAST(NULL AS BIGINT), 0
    UNION ALL
    SELECT r.child_id, r.parent_id, sub.depth + 1 FROM assets_assetrelation r JOIN sub ON r.parent_id = sub.id
    WHERE r.relation_type = 2 AND sub.depth < %s
)
SELECT a.id, a.key, a.asset_type, a.name, a.description, a.external_id, a.serial_number, a.owner_id,
       a.default_time_zone, a.latitude, a.longitude, sub.parent_id, sub.depth
FROM sub JOIN assets_asset a ON a.id = sub.id WHERE sub.depth > 0 ORDER BY sub.depth, a.id LIMIT %s OFFSET %s
"""
PARENT_KEY_SQL = """
SELECT a.id, a.key FROM assets_assetrelation r JOIN assets_asset a ON a.id = r.parent_id
WHERE r.child_id = %s AND r.relation_type = 1
"""
NODE_KEYS = (
    "Id", "Key", "AssetType", "Name", "Description", "ExternalId", "SerialNumber", "ParticipantId",
    "DefaultTimeZoneId", "Latitude", "Longitude", "ParentId", "Depth",
)  # fmt: skip


FORBIDDEN = orjson.dumps({"Message": "The professional privilege is required."})


def _professional(request):
    username = basic_username(request)
    user = User._default_manager.filter(username=username).first() if username else None
    return user if user is not None and user.is_active else None


def _lacks_privilege(user) -> bool:
    # the same check as privilege_required("professional"): the user's and their groups' permissions
    return not user.has_perm("customers.professional")


def _in_reach(cursor, asset_id: int, user) -> bool:
    cursor.execute(REACH_SQL, [asset_id, user.pk])
    return cursor.fetchone() is not None


def asset_network_subtree(request, assetId: int):
    """Baseline of GET api/AssetRelations/{assetId}/children/network?depth=&pageSize=&page=: the privilege,
    the walk up (reach), the walk down."""
    user = _professional(request)
    if user is None:
        return HttpResponse(UNAUTHORIZED, status=401, content_type=JSON)
    if _lacks_privilege(user):
        return HttpResponse(FORBIDDEN, status=403, content_type=JSON)
    depth, size, page = (int(request.GET.get(k, d)) for k, d in (("depth", 1), ("pageSize", 100), ("page", 1)))
    with connection.cursor() as cursor:
        if not _in_reach(cursor, assetId, user):
            return HttpResponse(NOT_FOUND, status=404, content_type=JSON)
        cursor.execute(SUBTREE_SQL, [assetId, depth, size, (page - 1) * size])
        rows = cursor.fetchall()
    return HttpResponse(orjson.dumps([dict(zip(NODE_KEYS, row, strict=True)) for row in rows]), content_type=JSON)


def asset_parent_location(request, assetId: int):
    """Baseline of GET api/AssetRelations/{assetId}/parent/location: the privilege, the walk up, then the
    parent's key if the parent is in reach."""
    user = _professional(request)
    if user is None:
        return HttpResponse(UNAUTHORIZED, status=401, content_type=JSON)
    if _lacks_privilege(user):
        return HttpResponse(FORBIDDEN, status=403, content_type=JSON)
    with connection.cursor() as cursor:
        if not _in_reach(cursor, assetId, user):
            return HttpResponse(NOT_FOUND, status=404, content_type=JSON)
        cursor.execute(PARENT_KEY_SQL, [assetId])
        row = cursor.fetchone()
        # the parent only if it is in reach too (the endpoint checks it in the same query)
        key = str(row[1]) if row and _in_reach(cursor, row[0], user) else None
    return HttpResponse(orjson.dumps(key), content_type=JSON)


def basic_credentials(request) -> tuple[str, str] | None:
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, _, password = base64.b64decode(value.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return username, password


def credential_cache_user(request):
    """The credential-cache check of esmart.api.authentication.verify_credentials without DRF: one
    read of the lockout, verified-credentials, failure and known-pair keys, the user row, the digest of its hash
    compared. Credentials the cache does not vouch for are hashed and remembered, as the app does."""
    credentials = basic_credentials(request)
    if credentials is None:
        return None
    username, password = credentials
    fail_key, lock_key, known_key = _pair_keys(username, client_network(request.META.get("REMOTE_ADDR", "")))
    token_key = f"auth:ok:{_digest('credentials', username, password)}"
    known = cache.get_many([lock_key, token_key, fail_key, known_key])
    user = User._default_manager.filter(username=username).first()
    if user is None or not user.is_active:
        return None
    vouched = known.get(token_key)
    if vouched is not None and hmac.compare_digest(vouched, _digest("hash", user.password)):
        return user
    if known.get(lock_key) or not user.check_password(password):
        return None
    cache.set(token_key, _digest("hash", user.password), timeout=settings.AUTH_CREDENTIAL_CACHE_SECONDS)
    return user


MARKET_TIME_ZONE = ZoneInfo("Europe/Oslo")
NOT_CACHED = orjson.dumps({"Message": "The baseline serves cached days only: request them from the app first."})


def spot_prices(request):
    """Baseline of GET api/spotprices for days the app has cached: the credential-cache check, one
    cache get of the days' wire entries (apps/pricing/spotwire.py), the bytes spliced from them."""
    if credential_cache_user(request) is None:
        return HttpResponse(UNAUTHORIZED, status=401, content_type=JSON)
    try:
        area = bidding_zone(request.GET["priceArea"])
        start = dt.datetime.fromisoformat(request.GET["fromTimeUtc"]).replace(tzinfo=dt.UTC)
        end = dt.datetime.fromisoformat(request.GET["toTimeUtc"]).replace(tzinfo=dt.UTC)
    except (KeyError, ValueError, UnknownAreaError):
        return HttpResponse(BAD_SERIES, status=400, content_type=JSON)
    first, last = (moment.astimezone(MARKET_TIME_ZONE).date() for moment in (start, end - dt.timedelta(seconds=1)))
    keys = [spotwire.wire_cache_key(area.eic, first + dt.timedelta(days=n)) for n in range((last - first).days + 1)]
    found = cache.get_many(keys)
    if len(found) != len(keys):
        return HttpResponse(NOT_CACHED, status=503, content_type=JSON)
    body = spotwire.series_bytes(
        code=area.code,
        eic=area.eic,
        days=[found[key] for key in keys],
        lo=start.timestamp(),
        hi=end.timestamp(),
        include_preliminary=False,
        default_minutes=15,
    )
    return HttpResponse(body, content_type=JSON)


def ready(request):
    return HttpResponse(b"{}", content_type=JSON)


urlpatterns = [
    path("bare/ready", ready),
    path("api/customers/<int:customerId>", customer),
    path("api/customers/<int:customerId>/contracts/<int:contractNo>/meters/<str:meterId>/consumption", consumption),
    path("api/AssetRelations/<int:assetId>/children/network", asset_network_subtree),
    path("api/AssetRelations/<int:assetId>/parent/location", asset_parent_location),
    path("api/spotprices", spot_prices),
]
