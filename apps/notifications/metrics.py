"""The notifications app's gauge at /metrics (registered with esmart.metrics from NotificationsConfig.ready)."""

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from .models import PushChunk


def push_chunks_open() -> GaugeMetricFamily:
    chunks = GaugeMetricFamily(
        "esmart_push_chunks_open", "Push chunks waiting for a run or held by one.", labels=["state"]
    )
    open_states = (PushChunk.State.PENDING, PushChunk.State.SENDING)
    counts = dict(
        PushChunk.objects.filter(state__in=open_states).order_by().values_list("state").annotate(n=Count("id"))
    )
    for state in open_states:
        chunks.add_metric([state.value.lower()], counts.get(state, 0))
    return chunks
