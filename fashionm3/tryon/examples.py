"""Example inputs the UI offers, drawn by our own code (no photo of anyone, no third-party picture): person
figures and garment pictures for Try-on, outfit flat lays for the Chat.

They are committed under ``examples/`` at the repository's top level (``python -m fashionm3.tryon.examples``
redraws them); :func:`example_people` draws the figures into any folder.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from fashionm3.catalog.draw import draw_item

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FIGURES = {  # name -> (skin, top, bottom, background)
    "figure-a": ((224, 188, 160), (70, 110, 170), (60, 60, 70), (236, 236, 240)),
    "figure-b": ((150, 105, 80), (190, 60, 60), (40, 50, 90), (240, 236, 228)),
}
GARMENTS = {  # name -> (article type, colour, pattern, region for Try-on)
    "striped-shirt": ("Shirts", "Blue", "Striped", "upper"),
    "red-dress": ("Dresses", "Red", "Solid", "dress"),
    "khaki-trousers": ("Trousers", "Khaki", "Solid", "lower"),
}
OUTFITS = {  # name -> (pieces as (article type, colour, pattern), the question the Chat example asks)
    "navy-shirt-grey-jeans": ((("Shirts", "Navy Blue", "Solid"), ("Jeans", "Grey", "Solid")), "What shoes go with this outfit?"),
    "white-top-black-skirt": ((("Tops", "White", "Solid"), ("Skirts", "Black", "Solid")), "Suggest a bag for this outfit"),
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


def draw_outfit(pieces: tuple[tuple[str, str, str], ...], side: int = 320) -> Image.Image:
    """A flat lay: the pieces side by side on a light table."""
    image = Image.new("RGB", (side * len(pieces), side), (244, 242, 238))
    for n, (article_type, colour, pattern) in enumerate(pieces):
        image.paste(draw_item(article_type, colour, pattern, side), (n * side, 0))
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


def tryon_examples(folder: Path = EXAMPLES) -> list[list[str]]:
    """Rows of (person figure, garment picture, garment region) for the Try-on tab's examples."""
    people = [folder / "people" / f"{name}.png" for name in FIGURES]
    garments = list(GARMENTS.items())
    return [[str(people[n % len(people)]), str(folder / "garments" / f"{name}.png"), region]
            for n, (name, (*_, region)) in enumerate(garments)]  # fmt: skip


def chat_photo_examples(folder: Path = EXAMPLES) -> list[dict[str, object]]:
    """Chat inputs (a question and an outfit photo) for the Chat tab's photo examples."""
    return [{"text": question, "files": [str(folder / "outfits" / f"{name}.png")]} for name, (_, question) in OUTFITS.items()]


def write_examples(folder: Path = EXAMPLES) -> list[Path]:
    """Draw every example into ``folder`` (people/, garments/, outfits/); returns the files written."""
    drawn = {f"people/{name}.png": draw_figure(*colours) for name, colours in FIGURES.items()}
    drawn |= {f"garments/{name}.png": draw_item(kind, colour, pattern, 384) for name, (kind, colour, pattern, _) in GARMENTS.items()}
    drawn |= {f"outfits/{name}.png": draw_outfit(pieces) for name, (pieces, _) in OUTFITS.items()}
    for relative, image in drawn.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        image.save(folder / relative, optimize=True)
    return [folder / relative for relative in drawn]


if __name__ == "__main__":
    print("\n".join(str(path) for path in write_examples()))
