from .urls_devices import urlpatterns as device_urlpatterns
from .urls_graph import urlpatterns as graph_urlpatterns

urlpatterns = [*graph_urlpatterns, *device_urlpatterns]
