"""What the path parameters of API routes mean for tenancy.

Every path parameter of an API route is either an *owned* id (it names something that belongs to
a user, so the view must resolve it through its scope) or a *free* value (an app name, a year).
The scoped base view refuses a route whose parameters it cannot account for, and the tenancy
matrix test (tests/api/test_tenancy_matrix.py) classifies every route with the same sets, so a
new route is covered, or flagged, without anyone remembering to add it.
"""

OWNED_PATH_PARAMETERS = frozenset(
    {
        # customers, metering, pricing
        "userId",
        "customerId",
        "custId",
        "contractNo",
        "deliveryPointId",
        "meterId",
        "invoiceNo",
        "assetId",
        # ev, notifications, flex
        "evChargingRequestId",
        "vehicleId",
        "vehicleid",
        "carId",
        "gatewayAssetId",
        "chargerAssetId",
        "deviceAssetId",
        "registrationId",
        "messageId",
        "siteId",
        "controlPlanId",
        "controlPlanGuidAsString",
        "zoneId",
        # professional and care
        "id",
        "participantId",
        "clientId",
        "assignmentId",
        "equipmentId",
        "serialNumber",
        "externalId",
    }
)

FREE_PATH_PARAMETERS = frozenset(
    {
        "appshortname",
        "appShortName",
        "companyShortName",
        "build",
        "year",
        "type",
        "category",
        "eventName",
        "relationshipType",
        "weekdays",
        "endDate",
        "searchFilterId",
        "tsTypeId",
        # flex: the api/mock routes' plan ids name deterministic samples, never a stored plan
        "sampleControlPlanId",
        "sampleControlPlanGuid",
        "objectKey",
        "correlationId",
        # care: the colleague an assignment is handed to is checked by the service against the
        # caller's collaborators for the client (400 naming the user, 404 for an unknown user);
        # a next-of-kin user code is a secret, not an id (wrong ones are counted and limited).
        "toUserId",
        "code",
        # ev: the battery-car catalogue is shared by everyone (the seed's api/batterycars/{id})
        "batteryCarId",
    }
)
