"""Draw the built-in emblem (a gold star on a red disc in a gold ring) as static/emblem.svg,
and as static/favicon.ico (16, 32 and 48 pixels, PNG inside) without any imaging library.

Run it again after changing the drawing: python3 scripts/favicon.py
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"

# The drawing, on a 64 × 64 canvas.
CENTRE = 32.0
RIM, DISC, RING = 31.5, 28.0, 25.5  # radii: the gold rim, the red disc, the thin gold ring
RING_WIDTH = 1.0
STAR_OUTER, STAR_INNER, STAR_DROP = 15.5, 15.5 * 0.382, 0.8  # the star sits a little low
GOLD, RED, STAR = (0xF0, 0xC4, 0x19), (0xC8, 0x10, 0x2E), (0xFF, 0xD5, 0x00)
SIZES = (16, 32, 48)
SUBSAMPLES = 6  # per side of a pixel, for smooth edges


def star_points() -> list[tuple[float, float]]:
    points = []
    for index in range(10):
        angle = -math.pi / 2 + index * math.pi / 5
        radius = STAR_OUTER if index % 2 == 0 else STAR_INNER
        points.append(
            (CENTRE + radius * math.cos(angle), CENTRE + STAR_DROP + radius * math.sin(angle))
        )
    return points


def svg() -> str:
    points = " ".join(f"{x:.2f},{y:.2f}" for x, y in star_points())
    hexa = "#{:02x}{:02x}{:02x}".format
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">\n'
        f'  <circle cx="32" cy="32" r="{RIM}" fill="{hexa(*GOLD)}"/>\n'
        f'  <circle cx="32" cy="32" r="{DISC}" fill="{hexa(*RED)}"/>\n'
        f'  <circle cx="32" cy="32" r="{RING}" fill="none" stroke="{hexa(*GOLD)}" '
        f'stroke-width="{RING_WIDTH}"/>\n'
        f'  <polygon points="{points}" fill="{hexa(*STAR)}"/>\n'
        "</svg>\n"
    )


def _inside(x: float, y: float, polygon: list[tuple[float, float]]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _colour_at(x: float, y: float, star: list[tuple[float, float]]):
    """The colour of the drawing at a point of the canvas, or None outside it."""
    distance = math.hypot(x - CENTRE, y - CENTRE)
    if distance > RIM:
        return None
    if distance > DISC or abs(distance - RING) <= RING_WIDTH / 2:
        return GOLD
    return STAR if _inside(x, y, star) else RED


def pixels(size: int) -> bytes:
    """RGBA rows of the emblem at size × size, each subsampled for smooth edges."""
    star, scale, rows = star_points(), 64 / size, bytearray()
    for row in range(size):
        rows.append(0)  # PNG filter: none
        for column in range(size):
            totals, covered = [0, 0, 0], 0
            for sy in range(SUBSAMPLES):
                for sx in range(SUBSAMPLES):
                    colour = _colour_at(
                        (column + (sx + 0.5) / SUBSAMPLES) * scale,
                        (row + (sy + 0.5) / SUBSAMPLES) * scale,
                        star,
                    )
                    if colour is not None:
                        covered += 1
                        totals = [t + c for t, c in zip(totals, colour, strict=True)]
            if covered:
                rows += bytes(round(t / covered) for t in totals)
                rows.append(round(255 * covered / SUBSAMPLES**2))
            else:
                rows += b"\0\0\0\0"
    return bytes(rows)


def png(size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels(size), 9))
        + chunk(b"IEND", b"")
    )


def ico(images: dict[int, bytes]) -> bytes:
    """An .ico file holding PNG images (every browser and Windows since Vista read them)."""
    directory, data = b"", b""
    offset = 6 + 16 * len(images)
    for size, image in images.items():
        side = size % 256  # 0 means 256
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(image), offset)
        data += image
        offset += len(image)
    return struct.pack("<HHH", 0, 1, len(images)) + directory + data


def main() -> None:
    (STATIC / "emblem.svg").write_text(svg(), encoding="utf-8")
    (STATIC / "favicon.ico").write_bytes(ico({size: png(size) for size in SIZES}))


if __name__ == "__main__":
    main()
