"""Japanese text in PNG charts is drawn with real glyphs, not tofu.

Design: with the bundled font registered, render the same title-only chart four times:
two different Japanese titles (A, B) and two different strings of Private Use Area characters
(C, D), which no font has glyphs for and which therefore render as the missing-glyph box (or
nothing). Tofu boxes look alike, so C and D give pixel-identical images: that proves the detector.
Real glyphs differ by character, so A and B must differ clearly, and A must differ clearly from C.
A run where Japanese falls back to tofu would make A == B and fail.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

from hrmetrics.report import theme

A, B = "職員の残業時間", "財政課の休暇率"
C, D = "\ue000\ue001\ue002\ue003\ue004\ue005\ue006", "\ue010\ue011\ue012\ue013\ue014\ue015\ue016"


def _decode_png(blob: bytes) -> np.ndarray:
    """Minimal PNG decoder (8-bit RGB/RGBA, non-interlaced), enough for vl-convert output."""
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(blob):
        length, kind = struct.unpack(">I4s", blob[pos : pos + 8])
        body = blob[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6)
            channels = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    out = np.zeros((height, stride), dtype=np.int32)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        cur = np.zeros(stride, dtype=np.int32)
        for x in range(stride):
            a = cur[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if f == 0:
                p = 0
            elif f == 1:
                p = a
            elif f == 2:
                p = b
            elif f == 3:
                p = (a + b) // 2
            else:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else b if pb <= pc else c
            cur[x] = (line[x] + p) & 0xFF
        out[y] = cur
        prev = cur
    return out.reshape(height, width, channels)[:, :, :3]


def _render_title(text: str) -> np.ndarray:
    import vl_convert as vlc

    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": text,
        "data": {"values": [{"x": 1}]},
        "mark": "point",
        "encoding": {"x": {"field": "x", "type": "quantitative", "axis": None}},
        "width": 10,
        "height": 10,
        "config": {**theme.theme_config(), "title": {"fontSize": 24}},
    }
    return _decode_png(vlc.vegalite_to_png(spec, scale=1))


def _diff(x: np.ndarray, y: np.ndarray) -> int:
    h, w = min(x.shape[0], y.shape[0]), min(x.shape[1], y.shape[1])
    return int((np.abs(x[:h, :w] - y[:h, :w]).sum(axis=2) > 60).sum())


def test_japanese_titles_render_as_distinct_glyphs():
    theme.register_fonts()
    a, b, c, d = (_render_title(s) for s in (A, B, C, D))
    # the detector: different missing glyphs are indistinguishable
    assert c.shape == d.shape and _diff(c, d) == 0
    ink_a = int((a.sum(axis=2) < 400).sum())
    assert ink_a > 300, "no text drawn"
    # real glyphs: different characters, clearly different pixels
    assert _diff(a, b) > 300
    assert _diff(a, c) > 300


def test_register_fonts_is_idempotent():
    theme.register_fonts()
    theme.register_fonts()
    assert theme._REGISTERED
