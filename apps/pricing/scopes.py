"""Anchors of the pricing app (esmart/api/tenancy.py, docs/tenancy.md): invoices are reached through
customer access; contracts and meters through the customers app's anchors."""

from apps.customers.public import CustomerScope
from esmart.api.tenancy import Anchor

from .models import Invoice

INVOICE = Anchor("invoice", CustomerScope(), Invoice, {"customerId": "customer_id", "invoiceNo": "invoice_no"})
