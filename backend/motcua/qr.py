"""QR codes as inline SVG, made on the server: no script, no image request, any size on paper."""

from __future__ import annotations

import segno


def qr_svg(url: str, title: str | None = None) -> str:
    """An ``<svg>`` element (no XML declaration) whose QR code opens ``url``.

    Error correction is at least M (higher when it fits in the same size), enough for a crease
    or a smudge on a pinned-up poster. The element has a ``viewBox`` and no width or height, so
    the stylesheet sizes it; dark modules on white with the four-module quiet zone scanners need.
    """
    code = segno.make_qr(url, error="m")
    svg: str = code.svg_inline(
        omitsize=True,
        border=4,
        dark="#000",
        light="#fff",
        svgclass="qr",
        lineclass=None,
        title=title,
    )
    # With its namespace the same markup is also a valid SVG file (the receipt's QR is served
    # as image/svg+xml and shown by the phone as an image).
    return svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
