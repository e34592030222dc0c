"""Signals of the customers app for the apps that build on it (customers knows none of them)."""

from django.dispatch import Signal

# Sent after `Meter.objects.bulk_create(...)`, which sends no post_save: the assets app gives every
# meter its asset (one id space, DESIGN.md §5). Keyword argument: `meters`, the created rows.
meters_bulk_created = Signal()
