"""Live values to subscribers over Redis pub/sub (what SignalR hubs did for the original's clients).

The channel of an object and type is `esmart:timeseries:<objectKey>:<type>`; each message is the
JSON {"ObjectKey", "Type", "Values": [{"ValueTime", "Value"}]}. Without REDIS_URL messages go to
an in-process broker (`LOCAL_MESSAGES`), so `make run` needs no Redis and tests can look.
"""

from __future__ import annotations

from functools import lru_cache

import orjson
from django.conf import settings

LOCAL_MESSAGES: list[tuple[str, bytes]] = []
LOCAL_MESSAGES_KEPT = 1000


def channel_name(object_key: str, type_: int) -> str:
    return f"esmart:timeseries:{object_key}:{type_}"


@lru_cache(maxsize=1)
def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def publish(*, object_key: str, type_: int, values: list[dict]) -> None:
    """Publishes values (already in wire form) to the object's channel."""
    channel = channel_name(object_key, type_)
    message = orjson.dumps({"ObjectKey": object_key, "Type": type_, "Values": values})
    if getattr(settings, "REDIS_URL", ""):
        _redis().publish(channel, message)
    else:
        LOCAL_MESSAGES.append((channel, message))
        del LOCAL_MESSAGES[:-LOCAL_MESSAGES_KEPT]
