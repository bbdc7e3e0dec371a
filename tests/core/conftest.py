"""Fixtures of the core tests: a throwaway Redis server for the job queue."""
import pytest

from tests.common import redis as redis_common
from tests.common.components import missing


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server on a free loopback port (a failure to start fails under CI=true)."""
    binary = redis_common.find_redis_server()
    if binary is None:
        missing("Redis", "redis-server not found (scripts/install-system --test, or apt-get install redis-server)")
    server = redis_common.RedisServer(binary)
    try:
        server.start()
    except OSError as exc:
        server.stop()
        missing("Redis", f"the throwaway server did not start: {exc}")
    yield server
    server.stop()
