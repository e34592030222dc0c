from . import admin_devices  # noqa: F401  (devices, gateways, flags: apps/assets/admin_devices.py)
