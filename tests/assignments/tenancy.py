"""Valid values of the care routes' path parameters for an Owner (used by the tenancy matrix).

The Owner becomes care staff (the `care` privilege) of a team of their own with a colleague, a
client with a new assignment for them and a connected kit, and the linked next of kin (with
accepted terms and a fresh user code) of another client; so their ids work for them, and are
404 for the other Owner, who is care staff of another team.
"""

from django.utils import timezone

from apps.assignments import services
from tests.assignments.factories import CareTeamMembershipFactory, KitConnectionFactory

from .factories import (
    CareTeamFactory,
    CareTermsFactory,
    ClientFactory,
    EquipmentKitFactory,
    NextOfKinFactory,
    grant_care,
    make_assignment,
    staff_member,
)


def owned_values(owner, route: str | None = None) -> dict[str, object]:
    team = CareTeamFactory()
    CareTeamMembershipFactory(team=team, user=owner.user)
    grant_care(owner.user)
    colleague = staff_member(team)
    client = ClientFactory(team=team)
    assignment = make_assignment(client, assignee=owner.user)
    kit = EquipmentKitFactory(team=team)
    KitConnectionFactory(kit=kit, client=client, connected_at=timezone.now(), connected_by=owner.user)
    values = {
        "clientId": client.pk,
        "assignmentId": assignment.pk,
        "toUserId": colleague.pk,
        "equipmentId": kit.pk,
    }
    if route is None or route.lower().startswith("api/nextofkin/"):
        # `id` is a next of kin's id only on these routes.
        kin = NextOfKinFactory(client=ClientFactory(), user=owner.user)
        CareTermsFactory(version=1)
        services.accept_terms(next_of_kin=kin, user=owner.user)
        values.update(id=kin.pk, code=services.create_invitation(next_of_kin=kin))
    return values
