"""Upload checks shared by every app: the type of an image comes from its bytes, never from its name."""

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
