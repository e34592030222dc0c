"""What the path parameters of API routes mean for tenancy.

Every path parameter of an API route is either an *owned* id (it names something that belongs to
a user, so the view must resolve it through its scope) or a *free* value (an app name, a year).
Each app declares the parameters of its own routes on its AppConfig (`owned_path_parameters`,
`free_path_parameters`); the kernel only collects them. The scoped base view refuses a route whose
parameters it cannot account for, and the tenancy matrix test (tests/api/test_tenancy_matrix.py)
classifies every route with the same sets, so a new route is covered, or flagged, without anyone
remembering to add it.
"""

import functools

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured


@functools.cache
def path_parameters() -> tuple[frozenset[str], frozenset[str]]:
    """(owned, free): the path parameters the installed apps declare."""
    configs = apps.get_app_configs()
    owned = frozenset().union(*(getattr(config, "owned_path_parameters", ()) for config in configs))
    free = frozenset().union(*(getattr(config, "free_path_parameters", ()) for config in configs))
    if owned & free:
        raise ImproperlyConfigured(f"Path parameters {sorted(owned & free)} are declared both owned and free.")
    return owned, free


def owned_path_parameters() -> frozenset[str]:
    return path_parameters()[0]


def free_path_parameters() -> frozenset[str]:
    return path_parameters()[1]
