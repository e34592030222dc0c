from django.apps import AppConfig


class CustomersConfig(AppConfig):
    """Customers, their contracts, delivery points and meters, and the logins that reach them."""

    name = "apps.customers"
    label = "customers"
