"""Privilege checks for professional endpoints (privileges are Django permissions, DESIGN.md §5)."""

from django.conf import settings
from rest_framework.permissions import BasePermission, IsAuthenticated


def privilege_required(codename: str) -> list[type[BasePermission]]:
    """Permission classes for a view that needs the `<PRIVILEGES_APP_LABEL>.<codename>` privilege (else 403).

    Privileges are permissions of the app named by settings.PRIVILEGES_APP_LABEL (customers), which owns them."""

    class HasPrivilege(BasePermission):
        message = f"The {codename} privilege is required."
        privilege = codename  # the schema documents a 403 for views that need one

        def has_permission(self, request, view):
            return request.user.has_perm(f"{settings.PRIVILEGES_APP_LABEL}.{codename}")

    HasPrivilege.__name__ = HasPrivilege.__qualname__ = f"Has_{codename}_Privilege"
    return [IsAuthenticated, HasPrivilege]
