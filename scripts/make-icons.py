#!/usr/bin/env python3
"""Draws the app icon (an emerald chip on a dark rounded square) at the sizes Tauri bundles.
Pure standard library, so it runs anywhere; rerun after changing the drawing."""
import struct
import sys
import zlib
from pathlib import Path

BG = (15, 23, 42, 255)        # slate-900
CHIP = (52, 211, 153, 255)    # emerald-400
CORE = (2, 6, 23, 255)        # slate-950


def pixel(x: float, y: float) -> tuple:
    """Colour at a point of the unit square."""
    r = 0.18  # corner radius of the background
    cx, cy = min(max(x, r), 1 - r), min(max(y, r), 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return (0, 0, 0, 0)
    if 0.3 <= x <= 0.7 and 0.3 <= y <= 0.7:
        if 0.4 <= x <= 0.6 and 0.4 <= y <= 0.6:
            return CORE
        return CHIP
    for p in (0.38, 0.5, 0.62):
        near_pin = abs(x - p) < 0.03 or abs(y - p) < 0.03
        if near_pin and (0.18 <= x <= 0.82) and (0.18 <= y <= 0.82):
            on_vertical = abs(x - p) < 0.03 and (y < 0.3 or y > 0.7)
            on_horizontal = abs(y - p) < 0.03 and (x < 0.3 or x > 0.7)
            if on_vertical or on_horizontal:
                return CHIP
    return BG


def png(size: int) -> bytes:
    rows = bytearray()
    samples = 4  # 4x4 supersampling for smooth edges
    for j in range(size):
        rows.append(0)
        for i in range(size):
            acc = [0, 0, 0, 0]
            for sj in range(samples):
                for si in range(samples):
                    c = pixel((i + (si + 0.5) / samples) / size, (j + (sj + 0.5) / samples) / size)
                    for k in range(4):
                        acc[k] += c[k]
            rows.extend(v // (samples * samples) for v in acc)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "icons")
    out.mkdir(exist_ok=True)
    for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
        (out / name).write_bytes(png(size))
