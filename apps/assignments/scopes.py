"""CareScope: what care staff and next of kin reach (DESIGN.md §5).

Care staff (the `care` privilege) reach the clients of the care teams they belong to and
everything hanging off those clients; a next of kin reaches the one client they are linked to,
and only once they have accepted the current terms. Everyone else finds nothing (404). What a team
owns itself (its store of equipment kits) is reached through the caller's team memberships (TeamScope).
`{userId}` routes are anchored at the user's team membership through the kernel's `UserScope`.
"""

from rest_framework.exceptions import NotFound

from apps.customers.public import UserScope
from esmart.api.authentication import client_ident
from esmart.api.tenancy import Anchor, Scope

from . import selectors, services
from .models import Assignment, CareTeamMembership, Client, NextOfKin


class CareScope(Scope):
    """Objects reached through a client: `client_path` leads from the model to the client's id."""

    def __init__(self, client_path: str = "pk", next_of_kin: bool = False):
        self.client_path = client_path
        self.next_of_kin = next_of_kin

    def restrict(self, queryset, request):
        clients = selectors.reachable_client_ids(user=request.user, next_of_kin=self.next_of_kin)
        return queryset.filter(**{f"{self.client_path}__in": clients})


class TeamScope(Scope):
    """Objects of the care teams the caller belongs to: `team_path` leads from the model to the team's id."""

    def __init__(self, team_path: str = "team_id"):
        self.team_path = team_path

    def restrict(self, queryset, request):
        teams = CareTeamMembership.objects.filter(user=request.user).values("team_id")
        return queryset.filter(**{f"{self.team_path}__in": teams})


class NextOfKinScope(Scope):
    """The caller's own next-of-kin links; `unclaimed` adds links no login has redeemed yet."""

    def __init__(self, unclaimed: bool = False):
        self.unclaimed = unclaimed

    def restrict(self, queryset, request):
        return selectors.next_of_kin_links(queryset, user=request.user, unclaimed=self.unclaimed)

    def on_miss(self, request):
        if self.unclaimed:
            # A wrong id counts as a wrong code, so probing ids is limited like guessing codes.
            services.record_wrong_code(ident=client_ident(request))
            return NotFound(services.WRONG_CODE_MESSAGE)
        return NotFound()


# --- Anchors: declared once here, named by the views (`tenancy = CLIENT`) ----------------------------

TEAM_MEMBERSHIP = Anchor(
    "care team membership",
    UserScope(user_path="user_id"),
    CareTeamMembership,
    {"userId": "user_id", "clientId": "team__clients__id"},
)
ASSIGNMENT = Anchor("assignment", CareScope(client_path="client_id"), Assignment, {"assignmentId": "pk"})
CLIENT = Anchor("client", CareScope(), Client, {"clientId": "pk"})
CLIENTS_IN_REACH = Anchor("clients in reach", CareScope())
OWN_TEAMS = Anchor("the caller's care teams", TeamScope())  # lists of what a team owns (kits)
CLIENT_OF_KIN = Anchor("client, next of kin too", CareScope(next_of_kin=True), Client, {"clientId": "pk"})
NEXT_OF_KIN = Anchor("next of kin", NextOfKinScope(), NextOfKin, {"id": "pk"})
UNCLAIMED_NEXT_OF_KIN = Anchor("unclaimed next of kin", NextOfKinScope(unclaimed=True), NextOfKin, {"id": "pk"})
