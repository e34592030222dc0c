"""Reads of the care side. Every list runs a fixed number of queries, whatever its length."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet, Subquery

from .models import (
    Assignment,
    AssignmentLogEntry,
    CareTeamMembership,
    CareTerms,
    Client,
    EquipmentKit,
    KitConnection,
    NextOfKin,
    NextOfKinTermsAcceptance,
)
from .states import OPEN_STATES

CARE_PRIVILEGE = "customers.care"
User = get_user_model()


def is_care_staff(user) -> bool:
    return user.is_authenticated and user.has_perm(CARE_PRIVILEGE)


def current_terms() -> CareTerms | None:
    return CareTerms.objects.order_by("-version").first()


def _current_terms_id():
    return Subquery(CareTerms.objects.order_by("-version").values("pk")[:1])


def reachable_client_ids(*, user, next_of_kin: bool = False) -> QuerySet:
    """Ids of the clients `user` reaches: their teams' clients as care staff, and, where the route
    admits next of kin, the client they are linked to once they accepted the current terms."""
    conditions = Q()
    reach = False
    if is_care_staff(user):
        conditions |= Q(team_id__in=CareTeamMembership.objects.filter(user=user).values("team_id"))
        reach = True
    if next_of_kin and user.is_authenticated:
        accepted = NextOfKinTermsAcceptance.objects.filter(next_of_kin__user=user, terms_id=_current_terms_id())
        conditions |= Q(pk__in=accepted.values("next_of_kin__client_id"))
        reach = True
    if not reach:
        return Client.objects.none().values("pk")
    return Client.objects.filter(conditions).values("pk")


def next_of_kin_links(queryset: QuerySet, *, user, unclaimed: bool = False) -> QuerySet:
    if unclaimed:
        return queryset.filter(Q(user=user) | Q(user__isnull=True))
    return queryset.filter(user=user)


def with_log(queryset: QuerySet) -> QuerySet:
    """Assignments with what their response shows: client, assignee and the log (3 queries)."""
    log = AssignmentLogEntry.objects.select_related("user", "from_user", "to_user")
    return queryset.select_related("client", "assignee").prefetch_related(Prefetch("log", queryset=log))


# --- equipment kits --------------------------------------------------------------------------


def with_devices(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related("devices")


def available_kits(*, kits: QuerySet) -> QuerySet:
    """Those of `kits` (the caller's teams' store, restricted by the view) that no client has connected."""
    connected = KitConnection.objects.filter(disconnected_at__isnull=True).values("kit_id")
    return with_devices(kits.exclude(pk__in=connected))


def connected_kit(*, client: Client) -> EquipmentKit | None:
    kits = EquipmentKit.objects.filter(connections__client=client, connections__disconnected_at__isnull=True)
    return with_devices(kits).first()


def kit_history(*, client: Client) -> list[KitConnection]:
    return list(KitConnection.objects.filter(client=client).select_related("kit").order_by("-connected_at", "-id"))


CARE_STAFF_CONTACT, NEXT_OF_KIN_CONTACT = 1, 2


def equipment_contacts(*, clients: QuerySet) -> list[dict]:
    """For each kit connected to one of `clients` (the caller's, restricted by the view): the client's
    next of kin who have a login, and the care staff assigned to the client's open assignments (3 queries)."""
    connections = list(
        KitConnection.objects.filter(disconnected_at__isnull=True, client_id__in=clients.values("pk"))
        .select_related("kit")
        .order_by("kit_id")
    )
    client_ids = [c.client_id for c in connections]
    people: dict[int, list] = {client_id: [] for client_id in client_ids}
    for kin in NextOfKin.objects.filter(client_id__in=client_ids, user__isnull=False).select_related("user"):
        people[kin.client_id].append((NEXT_OF_KIN_CONTACT, kin.user, kin.phone_number))
    staff = (
        Assignment.objects.filter(client_id__in=client_ids, state__in=OPEN_STATES, assignee__isnull=False)
        .select_related("assignee")
        .order_by("client_id", "assignee_id")
    )
    seen = set()
    for assignment in staff:
        if (assignment.client_id, assignment.assignee_id) not in seen:
            seen.add((assignment.client_id, assignment.assignee_id))
            people[assignment.client_id].append((CARE_STAFF_CONTACT, assignment.assignee, ""))
    return [
        {
            "equipment_id": connection.kit_id,
            "equipment_name": connection.kit.name,
            "client_id": connection.client_id,
            "contact_type": contact_type,
            "user_id": contact.pk,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "email": contact.email,
            "phone_number": phone,
        }
        for connection in connections
        for contact_type, contact, phone in people[connection.client_id]
    ]


def assignment(*, pk: int) -> Assignment:
    return with_log(Assignment.objects.filter(pk=pk)).get()


def assignments_newest_first(*, queryset: QuerySet, state: int | None) -> QuerySet:
    """`queryset` newest first with its logs, optionally only in `state` (a view pages it)."""
    if state is not None:
        queryset = queryset.filter(state=state)
    return with_log(queryset.order_by("-created_at", "-id"))


def assignments_of_user(*, user) -> QuerySet:
    """Assigned to `user`, for clients of the teams the user is (still) in."""
    teams = CareTeamMembership.objects.filter(user=user).values("team_id")
    return Assignment.objects.filter(assignee=user, client__team_id__in=teams)


def collaborators_of(*, user, team_id: int | None = None) -> QuerySet:
    """The colleagues `user` can hand assignments to: members of their teams (or of one team)."""
    teams = CareTeamMembership.objects.filter(user=user)
    if team_id is not None:
        teams = teams.filter(team_id=team_id)
    members = CareTeamMembership.objects.filter(team_id__in=teams.values("team_id")).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).exclude(pk=user.pk).order_by("last_name", "first_name")


def is_collaborator(*, user, other_id: int, client: Client) -> bool:
    return collaborators_of(user=user, team_id=client.team_id).filter(pk=other_id).exists()


def next_of_kin_of(*, client: Client) -> QuerySet:
    return NextOfKin.objects.filter(client=client).order_by("last_name", "first_name", "id")


def terms_status(*, next_of_kin: NextOfKin) -> dict | None:
    """The current terms and whether this next of kin accepted that version (None: none published)."""
    terms = current_terms()
    if terms is None:
        return None
    acceptance = NextOfKinTermsAcceptance.objects.filter(next_of_kin=next_of_kin, terms=terms).first()
    return {
        "version": terms.version,
        "text": terms.text,
        "published_at": terms.published_at,
        "accepted": acceptance is not None,
        "accepted_at": acceptance.accepted_at if acceptance else None,
    }
