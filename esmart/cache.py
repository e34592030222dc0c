"""Django's Redis cache, with one client object per connection pool instead of one per call.

Django builds a new redis.Redis client for every cache operation; its constructor fills a
response-callback table of some 170 entries, which cost about as much as the round trip itself
on the authenticated hot path (every request reads the credential cache). The client is
thread-safe and the pool is shared, so it is built once per pool.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
