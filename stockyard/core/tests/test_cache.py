import threading

from stockyard.core.cache import SharedClientRedisCache


def _client_in_new_thread(url: str) -> object:
    """What a request served by uvicorn gets: a backend made in a thread of its own."""
    found: list[object] = []

    def read() -> None:
        backend = SharedClientRedisCache(url, {})
        found.append(backend._cache.get_client(write=True).connection_pool)

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return found[0]


def test_backends_of_different_requests_share_one_connection_pool():
    url = "redis://127.0.0.1:6379/15"
    first, second = _client_in_new_thread(url), _client_in_new_thread(url)
    assert first is second
    assert _client_in_new_thread("redis://127.0.0.1:6379/14") is not first
