"""Routes of devices, gateways, SIM cards, counters, chargers, weather and component events."""

urlpatterns = []
