from esmart.api.routing import api_path

from . import views

urlpatterns = [
    api_path("spotprices", views.SpotPricesView.as_view(), name="spotprices"),
    api_path(
        "customers/<int:customerId>/contracts/<int:contractNo>/hourprices",
        views.ContractHourPricesView.as_view(),
        name="contract-hourprices",
    ),
    api_path(
        "customers/<int:customerId>/contracts/<int:contractNo>/meter/<str:meterId>/hourprices",
        views.MeterHourPricesView.as_view(),
        name="meter-hourprices",
    ),
    api_path(
        "customers/<int:customerId>/contracts/<int:contractNo>/meters/<str:meterId>/costs",
        views.MeterCostsView.as_view(),
        name="meter-costs",
    ),
    api_path(
        "customers/<int:customerId>/contracts/<int:contractNo>/expenseoverview",
        views.ExpenseOverviewView.as_view(),
        name="contract-expenseoverview",
    ),
    api_path("customers/<int:customerId>/invoices", views.CustomerInvoicesView.as_view(), name="customer-invoices"),
    api_path(
        "customers/<int:customerId>/invoices/<int:year>/invoicepdfs",
        views.CustomerYearInvoicesView.as_view(),
        name="customer-invoices-year",
    ),
    api_path(
        "customers/<int:customerId>/contracts/<int:contractNo>/invoices/<int:year>",
        views.ContractYearInvoicesView.as_view(),
        name="contract-invoices-year",
    ),
    api_path("customers/<int:customerId>/invoices/<int:invoiceNo>", views.InvoiceView.as_view(), name="invoice"),
    api_path(
        "customers/<int:customerId>/invoices/<int:invoiceNo>/pdf", views.InvoicePdfView.as_view(), name="invoice-pdf"
    ),
]
