"""QR codes for links people open with their phone camera (meeting sign-in, volunteer check-in/out)."""


def qr_svg(url: str, *, scale: int = 5) -> str:
    """Inline SVG QR code of `url` (segno, pure Python); "" if segno is missing, so pages show the link alone."""
    try:
        import segno  # noqa: PLC0415
    except ImportError:
        return ""
    return segno.make(url, error="m").svg_inline(scale=scale)
