from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    """Care-staff assignments, clients and equipment."""

    name = "apps.assignments"
    label = "assignments"
