"""The security background of issued documents: guilloche frame and rosette, void pantograph.

What real anti-copy paper does: Korean certificates are printed on KOMSCO (조폐공사) security
paper (kiosk-domain reference §1.7) with a watermark (은화) and a copy-evident background, the
"void pantograph". That background is a screen of two line or dot sizes laid out so that, at
normal viewing distance, both have the same tone and the area looks uniform. The hidden word
("사본", copy) is printed with coarse elements that a photocopier or scanner reproduces, the
surround with fine elements below the copier's resolution, which it drops or smears. On the copy
the word stands out against a lighter surround. Guilloche (interlaced fine curves, as on banknotes)
around the edge and in the centre makes the sheet hard to redraw and shows any retouching.

What we emulate, in vector form so every page stays sharp and small:

* a fine hairline screen (0.25 pt lines, 1.8 pt pitch, 14 % coverage) over the whole sheet;
* inside the glyphs of a tiled, rotated "사본 COPY" (clipped with PDF text render mode 7, ISO
  32000-1 §9.3.6) that screen is knocked out and replaced by a coarse screen of the same angle
  and ink (0.75 pt lines, 5.4 pt pitch, the same 14 % coverage): the same tone at a glance on the
  original, while a copier's optics (blur, then a toner threshold) average the hairlines away
  and keep the coarse lines, so the word appears on the copy;
* a guilloche band around the sheet and a rosette in its centre, in the category's pale tint.

The paper's watermark and the copier physics cannot be emulated in a PDF; the kiosk prints on
security stock where the site has it, and the 2D code plus the PAdES signature are what prove
authenticity. The geometry and its PDF path operators are computed once per process and drawn
once per document as a PDF form XObject that every page reuses.
"""

from __future__ import annotations

import math
from functools import cache

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from kiosk.issuance.render_styles import RGB

PAGE_WIDTH, PAGE_HEIGHT = A4  # ISO 216 A4 in points
MM = 72 / 25.4  # points per millimetre
FORM_NAME = "KioskSecurityBackground"
FRAME_INSET = 9 * MM  # centre line of the guilloche band from the sheet edge
FRAME_AMPLITUDE = 2.2 * MM  # half the band's width
FRAME_CORNER_RADIUS = 12 * MM
FRAME_WAVES = 150  # sine periods around the sheet
FRAME_CURVES = 4  # interlaced phase-shifted curves
FRAME_STEP = 2.6  # sampling step along the band, points
ROSETTE_RADIUS = 62 * MM
ROSETTE_POINTS = 1000
FINE_LINE_WIDTH = 0.25  # void pantograph surround: below a copier's resolution
FINE_PITCH = 1.8
COARSE_LINE_WIDTH = 0.75  # the hidden word: reproduced by a copier
COARSE_PITCH = 5.4
LATENT_TEXT = "사본 COPY"
LATENT_FONT_SIZE = 54
LATENT_ANGLE = 30  # degrees
LATENT_ROW_PITCH = 150
LATENT_COLUMN_PITCH = 320
SCREEN_INK_STRENGTH = 0.3  # share of the accent colour in the screens' ink (rest white)


def _rounded_rect_point(distance: float) -> tuple[float, float, float, float]:
    """Point and outward normal at ``distance`` along the frame's rounded rectangle."""
    left, bottom = FRAME_INSET, FRAME_INSET
    right, top = PAGE_WIDTH - FRAME_INSET, PAGE_HEIGHT - FRAME_INSET
    radius = FRAME_CORNER_RADIUS
    straight_x, straight_y = right - left - 2 * radius, top - bottom - 2 * radius
    arc = math.pi * radius / 2
    segments: tuple[tuple[tuple[float, float], tuple[float, float] | float, float], ...] = (
        ((left + radius, bottom), (1.0, 0.0), straight_x),
        ((right - radius, bottom + radius), -math.pi / 2, arc),
        ((right, bottom + radius), (0.0, 1.0), straight_y),
        ((right - radius, top - radius), 0.0, arc),
        ((right - radius, top), (-1.0, 0.0), straight_x),
        ((left + radius, top - radius), math.pi / 2, arc),
        ((left, top - radius), (0.0, -1.0), straight_y),
        ((left + radius, bottom + radius), math.pi, arc),
    )
    last = len(segments) - 1
    for index, (origin, direction, length) in enumerate(segments):
        if distance > length and index < last:
            distance -= length
            continue
        if isinstance(direction, tuple):
            dx, dy = direction
            return origin[0] + dx * distance, origin[1] + dy * distance, dy, -dx
        angle = direction + distance / radius
        cos_a, sin_a = math.cos(angle), math.sin(angle)
        return origin[0] + radius * cos_a, origin[1] + radius * sin_a, cos_a, sin_a
    raise AssertionError("unreachable")


@cache
def frame_curves() -> tuple[tuple[tuple[float, float], ...], ...]:
    """The interlaced sine curves of the guilloche band (closed polylines)."""
    perimeter = (2 * (PAGE_WIDTH + PAGE_HEIGHT - 4 * FRAME_INSET)
                 - (8 - 2 * math.pi) * FRAME_CORNER_RADIUS)
    steps = int(perimeter / FRAME_STEP)
    samples = [_rounded_rect_point(perimeter * index / steps) for index in range(steps)]
    curves = []
    for curve in range(FRAME_CURVES):
        phase = 2 * math.pi * curve / FRAME_CURVES
        points = []
        for index, (x, y, nx, ny) in enumerate(samples):
            offset = FRAME_AMPLITUDE * math.sin(2 * math.pi * FRAME_WAVES * index / steps + phase)
            points.append((round(x + nx * offset, 2), round(y + ny * offset, 2)))
        curves.append(tuple(points))
    return tuple(curves)


@cache
def rosette_curves() -> tuple[tuple[tuple[float, float], ...], ...]:
    """A spirograph rosette (epitrochoids with 18 and 24 lobes), centred on the sheet."""
    centre_x, centre_y = PAGE_WIDTH / 2, PAGE_HEIGHT / 2
    curves = []
    for lobes, depth, turn in ((18, 0.16, 0.0), (24, 0.10, math.pi / 24)):
        points = []
        for index in range(ROSETTE_POINTS):
            angle = 2 * math.pi * index / ROSETTE_POINTS
            radius = ROSETTE_RADIUS * (1 - depth + depth * math.cos(lobes * angle + turn))
            wobble = 0.06 * ROSETTE_RADIUS * math.sin(3 * lobes * angle)
            points.append((round(centre_x + (radius + wobble) * math.cos(angle), 2),
                           round(centre_y + (radius + wobble) * math.sin(angle), 2)))
        curves.append(tuple(points))
    return tuple(curves)


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@cache
def _screen_ops(angle_deg: float, pitch: float) -> str:
    """PDF path operators for parallel lines at ``angle_deg`` covering the whole sheet."""
    angle = math.radians(angle_deg)
    ux, uy = math.cos(angle), math.sin(angle)
    nx, ny = -uy, ux
    half = math.hypot(PAGE_WIDTH, PAGE_HEIGHT) / 2
    cx, cy = PAGE_WIDTH / 2, PAGE_HEIGHT / 2
    count = int(half / pitch) + 1
    ops = []
    for step in range(-count, count + 1):
        ox, oy = cx + nx * step * pitch, cy + ny * step * pitch
        ops.append(f"{_number(ox - ux * half)} {_number(oy - uy * half)} m "
                   f"{_number(ox + ux * half)} {_number(oy + uy * half)} l")
    ops.append("S")
    return "\n".join(ops)


@cache
def _polyline_ops(name: str) -> str:
    """PDF path operators stroking the closed curves of ``frame`` or ``rosette``."""
    curves = frame_curves() if name == "frame" else rosette_curves()
    ops = []
    for points in curves:
        ops.append(f"{_number(points[0][0])} {_number(points[0][1])} m")
        ops.extend(f"{_number(x)} {_number(y)} l" for x, y in points[1:])
        ops.append("h")
    ops.append("S")
    return "\n".join(ops)


def _mix(tint: RGB, strength: float) -> RGB:
    """``tint`` lightened towards white: ``strength`` 1 keeps it, 0 gives white."""
    return tuple(1 - strength * (1 - channel) for channel in tint)  # type: ignore[return-value]


def define_background(canvas: Canvas, tint: RGB, accent: RGB, bold_font: str) -> str:
    """Define the background form on ``canvas`` and return its name for ``doForm``."""
    canvas.beginForm(FORM_NAME, lowerx=0, lowery=0, upperx=PAGE_WIDTH, uppery=PAGE_HEIGHT)
    screen_ink = _mix(accent, SCREEN_INK_STRENGTH)
    canvas.setStrokeColorRGB(*screen_ink)
    canvas.setLineWidth(FINE_LINE_WIDTH)
    canvas.addLiteral(_screen_ops(45, FINE_PITCH))
    canvas.saveState()
    text = canvas.beginText()
    text.setTextRenderMode(7)
    text.setFont(bold_font, LATENT_FONT_SIZE)
    angle = math.radians(LATENT_ANGLE)
    for row in range(-2, int(PAGE_HEIGHT / LATENT_ROW_PITCH) + 3):
        for column in range(-1, int(PAGE_WIDTH / LATENT_COLUMN_PITCH) + 2):
            x = column * LATENT_COLUMN_PITCH + (row % 2) * LATENT_COLUMN_PITCH / 2
            y = row * LATENT_ROW_PITCH
            text.setTextTransform(math.cos(angle), math.sin(angle), -math.sin(angle),
                                  math.cos(angle), x, y)
            text.textOut(LATENT_TEXT)
    # An empty /ActualText (ISO 32000-1 §14.9.4) keeps the clip glyphs out of text extraction,
    # copy-paste and screen readers: they are a pattern, not words of the document.
    canvas.addLiteral("/Span <</ActualText (\\376\\377)>> BDC")
    canvas.drawText(text)
    canvas.addLiteral("EMC")
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(0, 0, PAGE_WIDTH, PAGE_HEIGHT, stroke=0, fill=1)
    canvas.setStrokeColorRGB(*screen_ink)
    canvas.setLineWidth(COARSE_LINE_WIDTH)
    canvas.addLiteral(_screen_ops(45, COARSE_PITCH))
    canvas.restoreState()
    canvas.setStrokeColorRGB(*_mix(tint, 1.0))
    canvas.setLineWidth(0.45)
    canvas.addLiteral(_polyline_ops("frame"))
    canvas.setStrokeColorRGB(*_mix(tint, 0.8))
    canvas.setLineWidth(0.35)
    canvas.addLiteral(_polyline_ops("rosette"))
    canvas.endForm()
    return FORM_NAME
