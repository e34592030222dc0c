from esmart.api.routing import api_path

from . import views

urlpatterns = [
    api_path("Authenticate", views.AuthenticateView.as_view(), name="authenticate"),
    api_path("users/<int:userId>", views.UserView.as_view(), name="user"),
    api_path("users/<int:userId>/privileges", views.UserPrivilegesView.as_view(), name="user-privileges"),
    api_path("customers/<int:customerId>", views.CustomerView.as_view(), name="customer"),
]
