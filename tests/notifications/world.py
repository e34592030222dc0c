"""Objects the notifications tests share."""

from django.contrib.auth.models import Permission

from apps.customers.models import App


def grant(user, codename: str) -> None:
    user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="customers"))


def smartliv() -> App:
    return App.objects.get_or_create(short_name="smartliv", defaults={"name": "Smartliv"})[0]
