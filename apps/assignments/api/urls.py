from esmart.api.routing import api_path  # noqa: F401  (routes are added with api_path)

urlpatterns = []
