"""Draws the app icons (a white cross on the brand teal) as PNG, with only the standard library.

Run from the repository root: python3 tools/make_icons.py
"""
import struct
import zlib

TEAL = (15, 118, 110)
WHITE = (255, 255, 255)


def png(size, pixel):
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y, size)) for x in range(size)) for y in range(size)
    )

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def icon(scale):
    """A cross whose arms span `scale` of the icon (smaller for maskable safe zones)."""

    def pixel(x, y, size):
        c = size / 2
        arm, half = size * scale / 2, size * scale / 6
        on_cross = (abs(x - c) < half and abs(y - c) < arm) or (abs(y - c) < half and abs(x - c) < arm)
        return WHITE if on_cross else TEAL

    return pixel


for name, size, scale in [
    ("icon-192.png", 192, 0.6),
    ("icon-512.png", 512, 0.6),
    ("icon-maskable-512.png", 512, 0.45),
]:
    with open(f"public/icons/{name}", "wb") as f:
        f.write(png(size, icon(scale)))
