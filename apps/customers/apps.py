from django.apps import AppConfig


class CustomersConfig(AppConfig):
    """Customers, their contracts, delivery points and meters, and the logins that reach them."""

    name = "apps.customers"
    label = "customers"

    # The path parameters of this app's routes (esmart/api/tenancy.py): ids of things a user owns,
    # resolved through a scope, and free values.
    owned_path_parameters = frozenset(
        {
            "userId",
            "customerId",
            "contractNo",
        }
    )
    free_path_parameters = frozenset(
        {
            "appshortname",
            "appShortName",
            "companyShortName",
            "build",
        }
    )
