"""Every stored row of some apps, to show that a refused request wrote nothing.

The endpoint tables compare `app_rows(...)` before and after each request. They take every model of
the app, so a model added later is covered without anyone remembering to list it."""

from django.apps import apps


def app_rows(*app_labels: str) -> dict[str, list[dict]]:
    """Each model's rows (as `.values()`, in pk order) of the apps named, by model label."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for label in app_labels
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy  # a view or another model's table: not stored here
    }
