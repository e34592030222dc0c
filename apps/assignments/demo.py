"""Demo care data for `manage.py seed_demo`: one care team, its staff and next-of-kin logins,
clients with equipment kits and assignments in several states.

Idempotent: rows are found by natural keys (team name, login, client name, kit serial number,
assignment title); an assignment is walked through the state machine only when it is created,
so a rerun adds nothing and never moves a state a demo user has changed since.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission

from apps.assets.models import Asset, AssetType
from apps.customers.demo import DemoLogin, ensure_login

from . import services
from .models import (
    Assignment,
    CareTeam,
    CareTeamMembership,
    CareTerms,
    Client,
    EquipmentKit,
    EquipmentKitDevice,
    KitConnection,
    NextOfKin,
)
from .states import Action

TEAM_NAME = "Hjemmetjenesten Sentrum"
STAFF_LOGINS = [
    DemoLogin("nurse1", "nurse1-password", "Nina", "Sykepleier"),
    DemoLogin("nurse2", "nurse2-password", "Per", "Helsefagarbeider"),
]
NEXT_OF_KIN_LOGIN = DemoLogin("kin1", "kin1-password", "Ingrid", "Berg")
LOGINS = [
    *((login, f"care staff, {TEAM_NAME}") for login in STAFF_LOGINS),
    (NEXT_OF_KIN_LOGIN, "next of kin of a client"),
]
TERMS_TEXT = (
    "As next of kin you see the safety equipment and the contacts of your relative. "
    "Information is shared with the consent of the client and is handled by the care service."
)

# client (first, last, street), kit or None, [(title, actions from New, assignee index)]
CLIENTS = [
    (
        ("Astrid", "Berg", "Storgata 12"),
        "KIT-DEMO-001",
        [
            ("Install safety alarm", [Action.ACCEPT, Action.START, Action.COMPLETE], 0),
            ("Weekly visit", [Action.ACCEPT], 0),
            ("Check fall sensor battery", [], 1),
        ],
    ),
    (
        ("Olav", "Lie", "Kirkeveien 3"),
        "KIT-DEMO-002",
        [
            ("Medication reminder setup", [Action.ACCEPT, Action.START], 1),
            ("Door sensor alarm follow-up", [Action.REJECT], 0),
        ],
    ),
    (
        ("Solveig", "Dahl", "Parkveien 40"),
        None,
        [("Assess need for equipment", [Action.CANCEL], 1), ("First visit", [], 0)],
    ),
]
SPARE_KITS = ["KIT-DEMO-003", "KIT-DEMO-004"]
KIT_DEVICES = [
    (AssetType.SmartHomeGateway, "Safety gateway"),
    (AssetType.SmartHomeDevice, "Safety alarm"),
    (AssetType.SmartHomeDevice, "Fall sensor"),
    (AssetType.SmartHomeDevice, "Door sensor"),
]


def _kit(team: CareTeam, serial: str) -> EquipmentKit:
    kit, created = EquipmentKit.objects.get_or_create(
        serial_number=serial, defaults={"team": team, "name": f"Safety kit {serial[-3:]}"}
    )
    if created:
        for asset_type, name in KIT_DEVICES:
            asset = Asset.objects.create(
                asset_type=asset_type, name=f"{name} {serial}", serial_number=f"{serial}-{asset_type}-{name[:4]}"
            )
            EquipmentKitDevice.objects.create(kit=kit, asset=asset)
    return kit


def _assignment(client: Client, title: str, actions: list[Action], assignee, creator) -> None:
    if Assignment.objects.filter(client=client, title=title).exists():
        return
    assignment = services.create_assignment(client=client, title=title, assignee=assignee, created_by=creator)
    for action in actions:
        services.act(assignment_id=assignment.pk, action=action, user=assignee, note="")


def seed(*, users=None, days: int = 0, progress=None) -> dict:
    """Seeds the care team; returns its logins and ids (`users` and `days` are not needed here)."""
    care = Permission.objects.get(codename="care", content_type__app_label="customers")
    team, _ = CareTeam.objects.get_or_create(name=TEAM_NAME)
    staff = []
    for login in STAFF_LOGINS:
        user = ensure_login(login)
        user.user_permissions.add(care)
        CareTeamMembership.objects.get_or_create(team=team, user=user)
        staff.append(user)
    terms, _ = CareTerms.objects.get_or_create(version=1, defaults={"text": TERMS_TEXT})

    for index, ((first, last, street), serial, assignments) in enumerate(CLIENTS, start=1):
        client, _ = Client.objects.get_or_create(
            team=team,
            first_name=first,
            last_name=last,
            defaults={"address_text": street, "zip_code": "0150", "city": "Oslo", "phone_number": f"2200000{index}"},
        )
        if serial is not None:
            kit = _kit(team, serial)
            if not KitConnection.objects.filter(kit=kit).exists():
                services.connect_kit(client=client, kit_id=kit.pk, user=staff[0])
        for title, actions, assignee in assignments:
            _assignment(client, title, actions, staff[assignee], staff[1 - assignee])
        if progress:
            progress(index, len(CLIENTS))
    for serial in SPARE_KITS:
        _kit(team, serial)

    # The next-of-kin login: Astrid Berg's daughter, linked and with the terms accepted.
    astrid = Client.objects.get(team=team, first_name="Astrid", last_name="Berg")
    kin_user = ensure_login(NEXT_OF_KIN_LOGIN)
    kin, _ = NextOfKin.objects.get_or_create(
        client=astrid,
        first_name=NEXT_OF_KIN_LOGIN.first_name,
        last_name=NEXT_OF_KIN_LOGIN.last_name,
        defaults={"relation": "Daughter", "phone_number": "98765432", "user": kin_user, "email": "kin1@example.com"},
    )
    services.accept_terms(next_of_kin=kin, user=kin_user)
    NextOfKin.objects.get_or_create(
        client=astrid, first_name="Knut", last_name="Berg", defaults={"relation": "Son", "phone_number": "98765433"}
    )
    return {
        "team": team.pk,
        "staff": [u.username for u in staff],
        "next_of_kin": kin_user.username,
        "terms": terms.version,
    }
