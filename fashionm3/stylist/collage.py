"""FashionM3's input format: the partial outfit's photos pasted into one 2x2 collage on white."""

from __future__ import annotations

from PIL import Image, ImageOps

COLLAGE_SIZE = 512
MAX_PIECES = 4


def make_collage(photos: list[Image.Image], size: int = COLLAGE_SIZE) -> Image.Image:
    """Up to four photos, each fitted (aspect kept) into one cell of a ``size`` x ``size`` white 2x2 grid,
    filled row by row (the layout FashionM3's model was trained on, whatever the number of pieces)."""
    if not photos:
        raise ValueError("a collage needs at least one photo")
    photos = photos[:MAX_PIECES]
    canvas = Image.new("RGB", (size, size), "white")
    columns = rows = 2
    cell_w, cell_h = size // columns, size // rows
    for position, photo in enumerate(photos):
        piece = ImageOps.contain(photo.convert("RGB"), (cell_w, cell_h))
        x = (position % columns) * cell_w + (cell_w - piece.width) // 2
        y = (position // columns) * cell_h + (cell_h - piece.height) // 2
        canvas.paste(piece, (x, y))
    return canvas
