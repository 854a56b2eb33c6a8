"""Example person pictures for the Try-on tab, drawn by our own code (a simple figure, no photo of anyone)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

FIGURES = {  # name -> (skin, top, bottom, background)
    "figure-a": ((224, 188, 160), (70, 110, 170), (60, 60, 70), (236, 236, 240)),
    "figure-b": ((150, 105, 80), (190, 60, 60), (40, 50, 90), (240, 236, 228)),
}


def draw_figure(skin: tuple, top: tuple, bottom: tuple, background: tuple, size: tuple[int, int] = (512, 768)) -> Image.Image:
    """A front-facing figure: head, torso in a top, arms, legs in trousers, shoes."""
    width, height = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)

    def box(x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [x0 * width, y0 * height, x1 * width, y1 * height]

    draw.ellipse(box(0.42, 0.05, 0.58, 0.18), fill=skin)  # head
    draw.rectangle(box(0.47, 0.17, 0.53, 0.21), fill=skin)  # neck
    draw.rounded_rectangle(box(0.20, 0.20, 0.30, 0.50), radius=20, fill=skin)  # left arm
    draw.rounded_rectangle(box(0.70, 0.20, 0.80, 0.50), radius=20, fill=skin)  # right arm
    draw.rounded_rectangle(box(0.30, 0.20, 0.70, 0.52), radius=24, fill=top)  # top
    draw.rectangle(box(0.32, 0.50, 0.68, 0.58), fill=bottom)  # hips
    draw.rectangle(box(0.33, 0.56, 0.48, 0.92), fill=bottom)  # legs
    draw.rectangle(box(0.52, 0.56, 0.67, 0.92), fill=bottom)
    draw.rounded_rectangle(box(0.30, 0.91, 0.48, 0.95), radius=8, fill=(30, 30, 30))  # shoes
    draw.rounded_rectangle(box(0.52, 0.91, 0.70, 0.95), radius=8, fill=(30, 30, 30))
    return image


def example_people(folder: Path) -> list[str]:
    """Write the example figures into ``folder`` once; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, colours in FIGURES.items():
        path = folder / f"{name}.png"
        if not path.exists():
            draw_figure(*colours).save(path)
        paths.append(str(path))
    return paths
