"""Streamed downloads that stay streamed under ASGI.

Django's ``StreamingHttpResponse`` given a synchronous iterator reads it whole, into a
list, before sending a byte when served by ASGI (it warns "must consume synchronous
iterators"). ``StreamedDownload`` instead takes each chunk from the iterator in
Django's thread-sensitive worker thread, the thread that ran the view: database cursors
and transactions the iterator holds stay on their connection, and memory holds one
chunk at a time. Served by WSGI (and the test client) it is an ordinary streaming
response.
"""

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse


def _next_chunk(chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)


class StreamedDownload(StreamingHttpResponse):
    """``chunks`` sent as an attachment named ``filename``."""

    def __init__(self, chunks: Iterator[bytes], *, filename: str, content_type: str) -> None:
        super().__init__(chunks, content_type=content_type)
        self["Content-Disposition"] = f'attachment; filename="{filename}"'

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = iter(self.streaming_content)  # type: ignore[arg-type]  # sync here
        take = sync_to_async(_next_chunk, thread_sensitive=True)
        while (chunk := await take(chunks)) is not None:
            yield chunk
