"""The asset graph (graph.py: assets, hierarchies, participants) and the devices, gateways and
component events built on it (devices.py, components.py)."""
