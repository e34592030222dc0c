"""Objects the notifications tests share."""

from django.contrib.auth.models import Permission

from apps.customers.models import App


def grant(user, codename: str) -> None:
    user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="customers"))


def smartliv() -> App:
    return App.objects.get_or_create(short_name="smartliv", defaults={"name": "Smartliv"})[0]


def bulk_registrations(
    *, app: App, user, count: int, tag: tuple[int, str], customer=None, evenly: bool = False
) -> list[str]:
    """`count` live registrations of `app` tagged `tag`, made with bulk_create (ids as text).
    `evenly`: ids spread evenly over the UUID space instead of random, so chunks of a size that
    divides `count` hold exactly that many (selectors.id_ranges)."""
    import datetime as dt
    import uuid

    from django.utils import timezone

    from apps.notifications.models import PushRegistration, PushTag

    now = timezone.now()
    registrations = PushRegistration.objects.bulk_create(
        [
            PushRegistration(
                **({"id": uuid.UUID(int=((2 * n + 1) << 127) // count)} if evenly else {}),
                app=app,
                user=user,
                customer=customer,
                platform="fcm",
                handle=f"token-{n}",
                refreshed_at=now,
                expires_at=now + dt.timedelta(days=30),
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    PushTag.objects.bulk_create(
        [PushTag(registration=r, identifier_type=tag[0], identifier_value=tag[1]) for r in registrations],
        batch_size=2000,
    )
    return [str(r.pk) for r in registrations]


def register(owner, app="smartliv", meter_ids=None):
    """A customer registration made through the API (POST, then PUT with the meter ids): (id, PUT response)."""
    smartliv()
    client = owner.client()
    reg = client.post(f"/api/customers/{owner.customer.pk}/push/{app}").json()["RegistrationId"]
    body = {"Platform": "gcm", "Handle": "tok-" + reg, "MeterIds": meter_ids or [owner.meter.meter_id]}
    response = client.put(f"/api/customers/{owner.customer.pk}/push/{app}/{reg}", body, format="json")
    return reg, response


def send_all(message, provider) -> int:
    """What fan_out and its send_chunk tasks do, in process: the message's chunks made (once) and
    each pending one sent. Returns how many were sent."""
    from apps.notifications import services

    return sum(
        services.send_chunk(chunk_id=chunk_id, provider=provider)
        for chunk_id in services.make_chunks(message_id=message.pk, provider=provider)
    )
