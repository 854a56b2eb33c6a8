"""Draw product pictures with our own code: a category silhouette filled with a colour and a pattern.

Used for the offline demo catalog (so no third-party image is ever shipped) and for labelled offline sketches.
Shapes are polygons in a 0-100 box, drawn at 2x and downsampled for smooth edges.
"""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFilter

RGB = tuple[int, int, int]

COLOURS: dict[str, RGB] = {
    "Black": (34, 34, 38), "White": (246, 246, 242), "Grey": (140, 142, 148), "Navy Blue": (30, 45, 90),
    "Blue": (46, 104, 196), "Red": (200, 36, 44), "Green": (40, 140, 70), "Olive": (112, 116, 50),
    "Pink": (236, 130, 170), "Purple": (120, 60, 160), "Yellow": (240, 200, 40), "Orange": (240, 120, 30),
    "Brown": (120, 74, 40), "Beige": (218, 196, 160), "Maroon": (110, 20, 40), "Teal": (20, 128, 128),
    "Silver": (192, 194, 200), "Gold": (212, 170, 60), "Cream": (240, 230, 200), "Khaki": (190, 176, 120),
}  # fmt: skip
PATTERNS = ("Solid", "Striped", "Checked", "Polka Dot")

_TORSO = [(30, 14), (42, 10), (58, 10), (70, 14), (70, 92), (30, 92)]
SHAPES: dict[str, list[list[tuple[float, float]]]] = {
    "Tshirts": [[(30, 12), (42, 8), (58, 8), (70, 12), (90, 28), (80, 40), (70, 32), (70, 92), (30, 92), (30, 32), (20, 40), (10, 28)]],
    "Shirts": [[(30, 12), (42, 8), (58, 8), (70, 12), (86, 60), (94, 86), (84, 88), (70, 40), (70, 92), (30, 92), (30, 40), (16, 88), (6, 86), (14, 60)]],
    "Sweaters": [[(30, 12), (42, 9), (58, 9), (70, 12), (88, 62), (92, 88), (80, 90), (70, 42), (70, 92), (30, 92), (30, 42), (20, 90), (8, 88), (12, 62)]],
    "Jackets": [[(28, 10), (42, 6), (58, 6), (72, 10), (90, 60), (94, 90), (82, 92), (72, 44), (72, 94), (28, 94), (28, 44), (18, 92), (6, 90), (10, 60)]],
    "Tops": [[(34, 10), (40, 10), (44, 20), (56, 20), (60, 10), (66, 10), (70, 30), (68, 90), (32, 90), (30, 30)]],
    "Dresses": [[(38, 6), (44, 6), (46, 14), (54, 14), (56, 6), (62, 6), (64, 36), (60, 44), (82, 94), (18, 94), (40, 44), (36, 36)]],
    "Jeans": [[(28, 6), (72, 6), (76, 94), (56, 94), (50, 30), (44, 94), (24, 94)]],
    "Trousers": [[(30, 6), (70, 6), (74, 94), (56, 94), (50, 32), (44, 94), (26, 94)]],
    "Shorts": [[(24, 24), (76, 24), (82, 70), (56, 74), (50, 46), (44, 74), (18, 70)]],
    "Skirts": [[(34, 18), (66, 18), (82, 82), (18, 82)]],
    "Casual Shoes": [[(8, 58), (30, 44), (52, 40), (60, 48), (90, 58), (94, 70), (8, 72)]],
    "Formal Shoes": [[(8, 60), (28, 50), (52, 48), (62, 52), (92, 60), (94, 70), (8, 70)]],
    "Heels": [[(10, 40), (20, 38), (46, 62), (84, 58), (92, 66), (84, 72), (80, 72), (79, 90), (75, 90), (72, 72), (40, 72), (12, 52)]],
    "Handbags": [[(18, 42), (82, 42), (90, 90), (10, 90)], [(32, 42), (34, 18), (66, 18), (68, 42), (62, 42), (60, 24), (40, 24), (38, 42)]],
    "Backpacks": [[(26, 20), (40, 10), (60, 10), (74, 20), (78, 92), (22, 92)]],
    "Caps": [[(18, 62), (24, 38), (40, 26), (60, 26), (76, 38), (82, 62)], [(74, 56), (96, 62), (94, 70), (72, 66)]],
    "Watches": [[(42, 4), (58, 4), (58, 96), (42, 96)], [(30, 50), (34, 38), (42, 32), (58, 32), (66, 38), (70, 50), (66, 62), (58, 68), (42, 68), (34, 62)]],
    "Belts": [[(4, 44), (96, 44), (96, 56), (4, 56)], [(14, 38), (30, 38), (30, 62), (14, 62)]],
    "Scarves": [[(30, 6), (70, 6), (66, 94), (54, 94), (50, 40), (46, 94), (34, 94)]],
    "Sunglasses": [[(6, 40), (44, 40), (42, 62), (30, 68), (14, 66), (8, 56)], [(56, 40), (94, 40), (92, 56), (86, 66), (70, 68), (58, 62)], [(40, 40), (60, 40), (60, 44), (40, 44)]],
}  # fmt: skip
ARTICLE_TYPES = tuple(SHAPES)


def shade(colour: RGB, factor: float) -> RGB:
    """Darken (factor < 1) or lighten (factor > 1) a colour, keeping it visible on white."""
    if factor < 1:
        return tuple(int(channel * factor) for channel in colour)  # type: ignore[return-value]
    return tuple(int(channel + (255 - channel) * (factor - 1)) for channel in colour)  # type: ignore[return-value]


def _pattern_layer(size: int, colour: RGB, pattern: str) -> Image.Image:
    base = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(base)
    accent = shade(colour, 0.55) if sum(colour) > 200 else shade(colour, 1.6)
    step = size // 12
    if pattern == "Striped":
        for y in range(0, size, step):
            draw.rectangle([0, y, size, y + step // 3], fill=accent)
    elif pattern == "Checked":
        for offset in range(0, size, step):
            draw.rectangle([offset, 0, offset + step // 4, size], fill=accent)
            draw.rectangle([0, offset, size, offset + step // 4], fill=accent)
    elif pattern == "Polka Dot":
        radius = step // 5
        for row, y in enumerate(range(step // 2, size, step // 1)):
            for x in range((row % 2) * step // 2, size, step):
                draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=accent)
    return base


def draw_item(article_type: str, colour: "RGB | str", pattern: str = "Solid", size: int = 256) -> Image.Image:
    """Draw one product picture: the article type's silhouette in ``colour`` with ``pattern``, on white."""
    if isinstance(colour, str):
        colour = COLOURS[colour]
    big = size * 2
    scale = big / 100

    def scaled(polygon: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(x * scale, y * scale) for x, y in polygon]

    polygons = [scaled(polygon) for polygon in SHAPES.get(article_type, [_TORSO])]
    mask = Image.new("L", (big, big), 0)
    mask_draw = ImageDraw.Draw(mask)
    for polygon in polygons:
        mask_draw.polygon(polygon, fill=255)

    canvas = Image.new("RGB", (big, big), (255, 255, 255))
    shadow = Image.new("L", (big, big), 0)
    ImageDraw.Draw(shadow).ellipse([big * 0.15, big * 0.9, big * 0.85, big * 0.98], fill=60)
    canvas.paste((200, 200, 200), mask=shadow.filter(ImageFilter.GaussianBlur(big // 40)))
    canvas.paste(_pattern_layer(big, colour, pattern), mask=mask)

    draw = ImageDraw.Draw(canvas)
    outline = shade(colour, 0.6) if sum(colour) > 120 else (90, 90, 96)
    for polygon in polygons:
        draw.polygon(polygon, outline=outline, width=max(2, big // 128))
    _details(draw, article_type, scale, outline)
    return canvas.resize((size, size), Image.Resampling.LANCZOS)


def _details(draw: ImageDraw.ImageDraw, article_type: str, scale: float, ink: RGB) -> None:
    width = max(2, int(scale))

    def line(points: list[tuple[float, float]]) -> None:
        draw.line([(x * scale, y * scale) for x, y in points], fill=ink, width=width)

    if article_type in ("Shirts", "Jackets"):
        line([(50, 10), (50, 92)])
        line([(42, 8), (50, 18), (58, 8)])
    elif article_type in ("Tshirts", "Sweaters", "Tops"):
        line([(42, 9), (50, 15), (58, 9)])
    elif article_type in ("Jeans", "Trousers", "Shorts"):
        line([(28, 14), (72, 14)])
    elif article_type in ("Casual Shoes", "Formal Shoes"):
        draw.rectangle([8 * scale, 68 * scale, 94 * scale, 73 * scale], fill=(245, 245, 245), outline=ink)
    elif article_type == "Watches":
        draw.ellipse([38 * scale, 38 * scale, 62 * scale, 62 * scale], fill=(250, 250, 250), outline=ink, width=width)
        line([(50, 50), (50, 42)])
        line([(50, 50), (56, 52)])
    elif article_type == "Backpacks":
        draw.rectangle([34 * scale, 52 * scale, 66 * scale, 78 * scale], outline=ink, width=width)
