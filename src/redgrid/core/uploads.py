"""Upload checks shared by every app: the type of an image comes from its bytes, never from its name."""

import re

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def sniff_image(head: bytes) -> tuple[str, str] | None:
    """(mime, extension) from the first bytes of a file (JPEG, PNG, WebP), or None for anything else."""
    for magic, mime, ext in _MAGIC:
        if head.startswith(magic):
            return mime, ext
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


_MEDIA_MAGIC = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x1a\x45\xdf\xa3", "video/webm", "webm"),
)


def sniff_media(head: bytes) -> tuple[str, str] | None:
    """(mime, extension) of a course video (MP4, WebM) or document (PDF) from its first bytes, else None."""
    for magic, mime, ext in _MEDIA_MAGIC:
        if head.startswith(magic):
            return mime, ext
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "video/mp4", "mp4"
    return None


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def ranged_file_response(request, fieldfile, content_type: str):
    """Serve a stored file through a (scope-checked) view, honouring a single `Range: bytes=a-b` request.

    Browsers seek in a video (and resume it at the saved position) only when the server answers ranges
    with 206; Django's FileResponse always sends the whole file."""
    size = fieldfile.size
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if not match or not any(match.groups()):
        response = FileResponse(fieldfile.open("rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    else:  # the last N bytes
        start, end = max(size - int(last), 0), size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    response = StreamingHttpResponse(
        _read_range(fieldfile, start, end), status=206, content_type=content_type
    )
    response["Content-Length"] = str(end - start + 1)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    return response


def _read_range(fieldfile, start: int, end: int, block: int = 256 * 1024):
    # Streamed in blocks: Chrome's first request for a video is often the open range `bytes=0-`.
    with fieldfile.open("rb") as fh:
        fh.seek(start)
        left = end - start + 1
        while left > 0:
            data = fh.read(min(block, left))
            if not data:
                break
            left -= len(data)
            yield data
