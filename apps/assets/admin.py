"""Admin of the assets app: the graph's (graph/admin.py) and the devices' (devices/admin.py)."""

from .devices import admin as devices_admin  # noqa: F401  (gateways, devices, counters, chargers, flags)
from .graph import admin as graph_admin  # noqa: F401  (hierarchies, participants, zones)
