"""Plain Django function views: the baselines of bench/pairs.py.

Each view runs the same queries the real endpoint runs on its fast path and builds the same JSON
bytes by hand with orjson; it skips what the baseline is there to price (DRF, middleware, the
credential cache, the password hasher).
"""

import base64
import binascii

import orjson
from django.http import HttpResponse
from django.urls import path

from apps.customers.models import Customer, User

POWER = 2
JSON = "application/json"
UNAUTHORIZED = orjson.dumps({"Message": "Authorization has been denied for this request."})
NOT_FOUND = orjson.dumps({"Message": "Not found."})


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
        "BirthDate": customer.birth_date.isoformat() if customer.birth_date else None,
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


def ready(request):
    return HttpResponse(b"{}", content_type=JSON)


urlpatterns = [
    path("bare/ready", ready),
    path("api/customers/<int:customerId>", customer),
]
