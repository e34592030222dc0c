"""The assets app's demo data for seed_demo (apps/customers/management/commands/seed_demo.py): the
graph's (graph/demo.py), which seeds the devices' (devices/demo.py) on it."""

from .graph.demo import LOGINS, seed

__all__ = ["LOGINS", "seed"]
