"""ZIP downloads streamed chunk by chunk: the archive is never held in memory or on disk.

zipfile writes to any object with write() and flush(); when it can't seek it puts each
entry's sizes and CRC in a data descriptor after the data. Photos are PNG/JPEG, already
compressed, so entries are STORED: no CPU spent for nothing, and the output is as large
as the inputs plus a few dozen bytes per photo.
"""

import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.utils import timezone

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Entry:
    name: str  # inside the archive
    path: str  # storage name
    created_at: datetime


class _Pipe:
    """A write-only file for ZipFile: collects bytes until the generator takes them."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass  # the response owns the stream's end

    def take(self) -> list[bytes]:
        """What was written since the last call, as at most one chunk (none if empty)."""
        data, self.chunks = b"".join(self.chunks), []
        return [data] if data else []


def stream(entries: Iterable[Entry]) -> Iterator[bytes]:
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_STORED) as archive:
        for entry in entries:
            try:
                source = default_storage.open(entry.path, "rb")
            except FileNotFoundError:
                continue  # deleted while the archive was being written: skip it
            stamp = timezone.localtime(entry.created_at).timetuple()[:6]
            info = zipfile.ZipInfo(entry.name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = source.size  # lets zipfile choose ZIP64 only where needed
            with source, archive.open(info, "w") as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield from pipe.take()
            yield from pipe.take()
    yield from pipe.take()  # the central directory


def response(entries: list[Entry], filename: str) -> StreamingHttpResponse:
    """The archive as a download. No Content-Length: it is not known until the end."""
    resp = StreamingHttpResponse(stream(entries), content_type="application/zip")
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp["Cache-Control"] = "private, no-store"
    return resp
