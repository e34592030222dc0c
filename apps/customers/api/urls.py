from esmart.api.routing import api_path

from . import views

CUSTOMER = "customers/<int:customerId>"
APP = f"{CUSTOMER}/apps/<str:appshortname>"

urlpatterns = [
    api_path("Authenticate", views.AuthenticateView.as_view(), name="authenticate"),
    api_path("users/<int:userId>", views.UserView.as_view(), name="user"),
    api_path("users/<int:userId>/privileges", views.UserPrivilegesView.as_view(), name="user-privileges"),
    api_path(CUSTOMER, views.CustomerView.as_view(), name="customer"),
    api_path(f"{CUSTOMER}/contracts", views.ContractListView.as_view(), name="customer-contracts"),
    api_path(f"{CUSTOMER}/contracts/<int:contractNo>", views.ContractView.as_view(), name="customer-contract"),
    api_path(
        f"{CUSTOMER}/contractdeliverypoints",
        views.ContractDeliveryPointsView.as_view(),
        name="customer-contract-delivery-points",
    ),
    api_path(f"{CUSTOMER}/deliverypoints", views.DeliveryPointListView.as_view(), name="customer-delivery-points"),
    api_path(f"{CUSTOMER}/associates", views.AssociateListView.as_view(), name="customer-associates"),
    api_path(f"{CUSTOMER}/import", views.CustomerImportView.as_view(), name="customer-import"),
    api_path(f"{APP}/eula", views.EulaView.as_view(), name="customer-app-eula"),
    api_path(f"{APP}/terms", views.TermsView.as_view(), name="customer-app-terms"),
    api_path(f"{APP}/resetterms", views.ResetTermsView.as_view(), name="customer-app-resetterms"),
    api_path(f"{CUSTOMER}/customerfeedback", views.CustomerFeedbackView.as_view(), name="customer-feedback"),
    api_path("customersystemfeedback", views.CustomerSystemFeedbackView.as_view(), name="customer-system-feedback"),
    api_path(f"{CUSTOMER}/tracking", views.TrackingView.as_view(), name="customer-tracking"),
    api_path(
        "appconfigs/<str:appShortName>/<str:companyShortName>/<str:build>",
        views.AppConfigView.as_view(),
        name="app-config",
    ),
]
