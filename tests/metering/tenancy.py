"""Owned path values of the metering routes, for the tenancy matrix (tests/api/test_tenancy_matrix.py)."""


def owned_values(owner) -> dict[str, object]:
    # api/customers/{customerId}/asset/{assetId}/consumption: the asset id of a meter is its pk.
    return {"assetId": owner.meter.pk}
