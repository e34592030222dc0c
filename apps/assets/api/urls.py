from ..devices.api.urls import urlpatterns as device_urlpatterns
from ..graph.api.urls import urlpatterns as graph_urlpatterns

urlpatterns = [*graph_urlpatterns, *device_urlpatterns]
