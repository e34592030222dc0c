"""Load shedding at a site: a pure function deciding what to shed or restore for one reading.

Above the threshold, devices are shed in the configured order until the site's power, less what
the shed devices draw, is under it (a device whose draw is unknown counts as 0, so shedding goes
on to the next one). Below threshold − hysteresis, shed devices are restored in reverse order, one
by one, as long as the power plus what the restored devices draw stays below threshold − hysteresis.
Between the two nothing changes (the hysteresis band stops on/off flapping).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OrderedDevice:
    device_id: int
    is_shed: bool
    draw_kw: float  # what the device draws when on (0 when unknown)


def decide(
    *, power_kw: float, threshold_kw: float, hysteresis_kw: float, order: list[OrderedDevice]
) -> tuple[list[int], list[int]]:
    """(device ids to shed, device ids to restore) for one power reading; at most one list is non-empty."""
    if power_kw > threshold_kw:
        to_shed, estimate = [], power_kw
        for device in order:
            if estimate <= threshold_kw:
                break
            if not device.is_shed:
                to_shed.append(device.device_id)
                estimate -= device.draw_kw
        return to_shed, []
    low = threshold_kw - hysteresis_kw
    to_restore, estimate = [], power_kw
    if power_kw < low:
        for device in reversed(order):
            if not device.is_shed:
                continue
            if estimate + device.draw_kw >= low:
                break
            to_restore.append(device.device_id)
            estimate += device.draw_kw
    return [], to_restore
