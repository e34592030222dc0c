from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    """Care-staff assignments, clients and equipment."""

    name = "apps.assignments"
    label = "assignments"

    # The path parameters of this app's routes (esmart/api/tenancy.py): ids of things a user owns,
    # resolved through a scope, and free values.
    owned_path_parameters = frozenset(
        {
            "userId",
            "id",
            "clientId",
            "assignmentId",
            "equipmentId",
        }
    )
    free_path_parameters = frozenset(
        {
            "type",
            # the colleague an assignment is handed to is checked by the service against the
            # caller's collaborators for the client (400 naming the user, 404 for an unknown user)
            "toUserId",
            # a next-of-kin user code is a secret, not an id (wrong ones are counted and limited)
            "code",
        }
    )
