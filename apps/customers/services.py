"""Writes and use cases of the customers app (HackSoft style: keyword-only arguments)."""

from esmart.api.area import Area
from esmart.api.exceptions import Gone

from .models import Customer, User
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
    customer.full_clean(validate_unique=False, validate_constraints=False)
    customer.save(update_fields=[*changes, "updated_at"])
    return customer
