"""Read-only panels that other apps add to the meter's admin page (metering: its consumption chart).

The customers app owns the Meter admin; an app that wants to show more on it registers a panel here
(through apps.customers.public) instead of replacing the admin."""

METER_PANELS: list = []


def add_meter_admin_panel(panel) -> None:
    """`panel(meter)` returns HTML; its `short_description` (admin.display) is the row's label."""
    if panel not in METER_PANELS:
        METER_PANELS.append(panel)
