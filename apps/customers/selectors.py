"""Reads of the ownership chain."""

from django.contrib.auth.models import Permission
from django.db.models import Q

from esmart.api.area import Area

from .models import CustomerAccess, User


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
