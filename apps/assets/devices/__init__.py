"""Device-like assets on the graph: gateways, smart-home devices, counters, chargers, SIM cards,
weather stations, and component events (flags)."""
