"""Django's Redis cache backend, keeping its Redis client.

Django's RedisCacheClient makes a new `redis.Redis` for every cache call, and redis-py's
constructor builds its table of several hundred response callbacks each time: about a
tenth of a signed-in page's CPU, three to seven times a request (profiled under load,
issue 15). A client is only a connection pool and those callbacks, safe to share
between calls, so this keeps one per pool. Everything else is Django's."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class HeldClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class HeldClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = HeldClientRedisCacheClient
