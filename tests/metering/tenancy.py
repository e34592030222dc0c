"""Owned path values of the metering routes, for the tenancy matrix (tests/api/test_tenancy_matrix.py)."""


def owned_values(owner) -> dict[str, object]:
    # api/customers/{customerId}/asset/{assetId}/consumption: the id of the meter's asset (one id space).
    return {"assetId": owner.meter.asset.pk}
