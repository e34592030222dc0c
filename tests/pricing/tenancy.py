"""Owned path values of the pricing routes for the tenancy matrix (tests/api/test_tenancy_matrix.py)."""

from .factories import make_invoice


def owned_values(owner) -> dict[str, object]:
    # customerId/contractNo/meterId come from the Owner; invoiceNo names an invoice of its Power
    # customer dated 2025 (the matrix's sample year), so the year routes list it too.
    invoice = make_invoice(contract=owner.contract)
    return {"invoiceNo": invoice.invoice_no}
