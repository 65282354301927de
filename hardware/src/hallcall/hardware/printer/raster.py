"""Read `GS v 0` raster images back out of an ESC/POS byte stream.

For tests and for previewing a print job captured from a file printer: it shows what the
printer would put on paper, pixel for pixel.
"""

from __future__ import annotations

from PIL import Image

GS_V_0 = b"\x1dv0"


def raster_images(stream: bytes) -> list[Image.Image]:
    """Every `GS v 0 m xL xH yL yH d1...dk` image in stream, in order, as mode "1" images."""
    images, pos = [], 0
    while (pos := stream.find(GS_V_0, pos)) != -1:
        header = stream[pos + 3 : pos + 8]
        if len(header) < 5:
            raise ValueError("truncated GS v 0 header")
        width_bytes = header[1] | header[2] << 8
        height = header[3] | header[4] << 8
        start, end = pos + 8, pos + 8 + width_bytes * height
        if end > len(stream):
            raise ValueError("truncated GS v 0 image data")
        # In ESC/POS raster data a 1 bit is a black dot; in PIL mode "1" a 1 bit is white.
        data = bytes(b ^ 0xFF for b in stream[start:end])
        images.append(Image.frombytes("1", (width_bytes * 8, height), data))
        pos = end
    return images


def stack(images: list[Image.Image]) -> Image.Image:
    """Join image fragments top to bottom (python-escpos splits tall images)."""
    width = max(im.width for im in images)
    out = Image.new("1", (width, sum(im.height for im in images)), 1)
    y = 0
    for im in images:
        out.paste(im, (0, y))
        y += im.height
    return out
