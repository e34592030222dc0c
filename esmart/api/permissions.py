"""Privilege checks for professional endpoints (privileges are Django permissions, DESIGN.md §5)."""

from rest_framework.permissions import BasePermission, IsAuthenticated


def privilege_required(codename: str) -> list[type[BasePermission]]:
    """Permission classes for a view that needs the `customers.<codename>` privilege (else 403)."""

    class HasPrivilege(BasePermission):
        message = f"The {codename} privilege is required."
        privilege = codename  # the schema documents a 403 for views that need one

        def has_permission(self, request, view):
            return request.user.has_perm(f"customers.{codename}")

    HasPrivilege.__name__ = HasPrivilege.__qualname__ = f"Has_{codename}_Privilege"
    return [IsAuthenticated, HasPrivilege]
