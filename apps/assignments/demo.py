"""Demo care data for `manage.py seed_demo`: two care teams (the second a small one in Tromsø,
so one nurse's reach can be tried against the other team's ids), their staff and next-of-kin
logins, clients with equipment kits and assignments in several states, and a published
invitation code for a next of kin no login has claimed yet (for the login kin2).

Idempotent: rows are found by natural keys (team name, login, client name, kit serial number,
assignment title, the code's hash); an assignment is walked through the state machine only when
it is created, so a rerun adds nothing and never moves a state a demo user has changed since.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.utils import timezone

from apps.assets.public import Asset, AssetType
from apps.customers.public import DemoLogin, SeededLogin, ensure_login

from . import conf, services
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
    NextOfKinInvitation,
)
from .states import Action

TEAM_NAME = "Hjemmetjenesten Sentrum"
STAFF_LOGINS = [
    DemoLogin("nurse1", "nurse1-password", "Nina", "Sykepleier"),
    DemoLogin("nurse2", "nurse2-password", "Per", "Helsefagarbeider"),
]
NEXT_OF_KIN_LOGIN = DemoLogin("kin1", "kin1-password", "Ingrid", "Berg")
# Knut Berg, Astrid Berg's son, has no login linked: kin2 claims him with the published code
# (GET api/nextofkin/{NextOfKinId}/usercode/{Code}), valid ASSIGNMENTS_INVITATION_HOURS from the seed.
INVITED_LOGIN = DemoLogin("kin2", "kin2-password", "Knut", "Berg")
INVITATION_CODE = "KNUTBERG23"
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


@dataclass(frozen=True)
class Team:
    name: str
    staff: list[DemoLogin]
    clients: list  # as CLIENTS
    spare_kits: list[str]
    zip_code: str
    city: str


TEAMS = [
    Team(TEAM_NAME, STAFF_LOGINS, CLIENTS, SPARE_KITS, "0150", "Oslo"),
    Team(
        "Hjemmetjenesten Nord",
        [DemoLogin("nurse3", "nurse3-password", "Siri", "Omsorg")],
        [
            (
                ("Ragnhild", "Nilsen", "Fjellveien 7"),
                "KIT-NORD-001",
                [("Install safety alarm", [Action.ACCEPT], 0), ("Weekly visit", [], 0)],
            )
        ],
        [],
        "9008",
        "Tromsø",
    ),
]
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


def _team(team_spec: Team, care: Permission, report) -> tuple[CareTeam, list]:
    team, _ = CareTeam.objects.get_or_create(name=team_spec.name)
    staff = []
    for login in team_spec.staff:
        user = ensure_login(login)
        user.user_permissions.add(care)
        CareTeamMembership.objects.get_or_create(team=team, user=user)
        staff.append(user)
    for index, ((first, last, street), serial, assignments) in enumerate(team_spec.clients, start=1):
        client, _ = Client.objects.get_or_create(
            team=team,
            first_name=first,
            last_name=last,
            defaults={
                "address_text": street,
                "zip_code": team_spec.zip_code,
                "city": team_spec.city,
                "phone_number": f"2200000{index}",
            },
        )
        if serial is not None:
            kit = _kit(team, serial)
            if not KitConnection.objects.filter(kit=kit).exists():
                services.connect_kit(client=client, kit_id=kit.pk, user=staff[0])
        for title, actions, assignee in assignments:
            _assignment(client, title, actions, staff[assignee], staff[(assignee + 1) % len(staff)])
        report()
    for serial in team_spec.spare_kits:
        _kit(team, serial)
    return team, staff


def _invitation(next_of_kin: NextOfKin, now: dt.datetime) -> None:
    """The published code for `next_of_kin`, created once; while unused, a rerun makes it valid again."""
    expires_at = now + conf.invitation_valid_for()
    code_hash = services.code_hash(INVITATION_CODE)
    invitation = NextOfKinInvitation.objects.filter(code_hash=code_hash).first()
    if invitation is None:
        NextOfKinInvitation.objects.create(next_of_kin=next_of_kin, code_hash=code_hash, expires_at=expires_at)
    elif invitation.used_at is None and invitation.expires_at < expires_at:
        invitation.expires_at = expires_at
        invitation.save(update_fields=["expires_at"])


def seed(*, users=None, days: int = 0, progress=None, now: dt.datetime | None = None) -> dict:
    """Seeds the care teams; returns the first team's logins and ids (`users` and `days` are not needed here)."""
    now = now or timezone.now()
    care = Permission.objects.get(codename="care", content_type__app_label="customers")
    total = sum(len(t.clients) for t in TEAMS)
    done = 0

    def report():
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    team, staff = _team(TEAMS[0], care, report)
    for team_spec in TEAMS[1:]:
        _team(team_spec, care, report)
    terms, _ = CareTerms.objects.get_or_create(version=1, defaults={"text": TERMS_TEXT})

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
    knut, _ = NextOfKin.objects.get_or_create(
        client=astrid, first_name="Knut", last_name="Berg", defaults={"relation": "Son", "phone_number": "98765433"}
    )
    ensure_login(INVITED_LOGIN)
    _invitation(knut, now)
    return {
        "team": team.pk,
        "staff": [u.username for u in staff],
        "next_of_kin": kin_user.username,
        "terms": terms.version,
    }


# --- what seed_demo lists for each login (--json) ----------------------------------------------


def care_team_ids(user) -> dict:
    teams = CareTeam.objects.filter(memberships__user=user).prefetch_related("clients").order_by("id")
    return {
        "CareTeams": [
            {
                "CareTeamId": team.pk,
                "Name": team.name,
                "Clients": [
                    {"ClientId": c.pk, "Name": f"{c.first_name} {c.last_name}"}
                    for c in sorted(team.clients.all(), key=lambda c: c.pk)
                ],
            }
            for team in teams
        ]
    }


def next_of_kin_ids(user) -> dict:
    links = NextOfKin.objects.filter(user=user).select_related("client").order_by("id")
    ids = {
        "NextOfKin": [
            {
                "NextOfKinId": k.pk,
                "ClientId": k.client_id,
                "Client": f"{k.client.first_name} {k.client.last_name}",
            }
            for k in links
        ]
    }
    if user.username == INVITED_LOGIN.username:
        open_codes = NextOfKinInvitation.objects.filter(
            code_hash=services.code_hash(INVITATION_CODE), used_at__isnull=True, next_of_kin__user__isnull=True
        ).select_related("next_of_kin")
        ids["Invitations"] = [
            {
                "NextOfKinId": i.next_of_kin_id,
                "ClientId": i.next_of_kin.client_id,
                "Code": INVITATION_CODE,
                "ExpiresAt": i.expires_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            }
            for i in open_codes
        ]
    return ids


LOGINS = [
    *(
        SeededLogin(login, "care staff", f"care team {team.name}: the assignments routes", care_team_ids)
        for team in TEAMS
        for login in team.staff
    ),
    SeededLogin(
        NEXT_OF_KIN_LOGIN,
        "next of kin",
        "next of kin of the client Astrid Berg, terms accepted: api/nextofkin/{NextOfKinId}/terms",
        next_of_kin_ids,
    ),
    SeededLogin(
        INVITED_LOGIN,
        "next of kin",
        "not linked yet: claims Knut Berg with the invitation code, api/nextofkin/{NextOfKinId}/usercode/{Code}",
        next_of_kin_ids,
    ),
]
