"""The offline try-on preview respects the body: placement by garment type on a drawn figure, the face kept clear,
a label that fits any photo, try-on offered for wearable garments only; and the committed example inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fashionm3.catalog.draw import draw_item
from fashionm3.tryon.body import estimate_body
from fashionm3.tryon.examples import EXAMPLES, FIGURES, chat_photo_examples, draw_figure, tryon_examples, write_examples
from fashionm3.tryon.garments import is_wearable
from fashionm3.tryon.preview import MIN_FONT, CutoutPreview, Placement, label_layout

FIGURE = draw_figure(*FIGURES["figure-a"])  # head 5-18 %, shoulders 20 %, waist 50 %, legs to 92 % of 768 px
GREEN = (0, 200, 0)


def covered(out: Image.Image, person: Image.Image) -> np.ndarray:
    """Rows (as fractions of the height) where the preview changed the photo, the label band excluded."""
    changed = (np.abs(np.asarray(out).astype(int) - np.asarray(person).astype(int)).max(axis=-1) > 30)[: int(0.93 * out.height)]
    rows = np.flatnonzero(changed.any(axis=1))
    return rows / out.height


@pytest.mark.parametrize(("kind", "region", "top", "bottom"), [
    ("Tshirts", "upper", (0.17, 0.24), (0.3, 0.7)),
    ("Jeans", "lower", (0.45, 0.53), (0.75, 0.93)),
    ("Dresses", "dress", (0.17, 0.24), (0.6, 0.85)),
])  # fmt: skip
def test_garments_hang_where_their_type_is_worn(kind, region, top, bottom):
    garment = draw_item(kind, "Green", size=256)
    out = CutoutPreview().try_on(FIGURE, garment, region)
    rows = covered(out, FIGURE)
    assert top[0] <= rows[0] <= top[1] and bottom[0] <= rows[-1] <= bottom[1], (rows[0], rows[-1])


def test_the_face_stays_clear_however_the_garment_is_moved():
    body = estimate_body(FIGURE)
    head = (int(0.42 * 512), int(0.05 * 768), int(0.58 * 512), int(0.17 * 768))
    assert body.face.left <= head[0] + 8 and body.face.right >= head[2] - 8 and body.face.top <= head[1] + 4
    assert head[3] - 12 <= body.face.bottom <= int(0.22 * 768)
    big = Image.new("RGB", (200, 200), GREEN)  # a garment covering everything once moved up and enlarged
    out = CutoutPreview().try_on(FIGURE, big, "upper", Placement(dy=-0.3, size=1.6))
    face = np.asarray(out)[body.face.top : body.face.bottom, body.face.left : body.face.right]
    assert np.array_equal(face, np.asarray(FIGURE)[body.face.top : body.face.bottom, body.face.left : body.face.right])
    assert (np.asarray(out)[300, 256] == GREEN).all()  # the chest is covered


def test_the_sliders_nudge_the_automatic_placement():
    garment = draw_item("Tshirts", "Green", size=256)
    still = covered(CutoutPreview().try_on(FIGURE, garment, "upper"), FIGURE)
    lower = covered(CutoutPreview().try_on(FIGURE, garment, "upper", Placement(dy=0.1)), FIGURE)
    assert abs((lower[0] - still[0]) - 0.1) < 0.02


@pytest.mark.parametrize("size", [(128, 128), (140, 210), (300, 400), (512, 768), (4000, 3000)])
def test_the_label_fits_and_stays_readable_at_any_size(size):
    from PIL import ImageFont

    lines, font_size = label_layout(*size)
    assert font_size >= MIN_FONT and all(ImageFont.load_default(font_size).getlength(line) <= size[0] - 16 for line in lines)
    assert "PREVIEW" in lines[0] and "not AI try-on" in " ".join(lines)


@pytest.mark.parametrize(("article_type", "sub_category", "wearable"), [
    ("Tshirts", "Topwear", True), ("Jeans", "Bottomwear", True), ("Briefs", "Innerwear", True), ("Handbags", "Bags", False),
    ("Casual Shoes", "Shoes", False), ("Watches", "Watches", False), ("Belts", "Topwear", False), ("upper", "", False),
])  # fmt: skip
def test_try_on_is_offered_only_for_garments_worn_on_the_body(article_type, sub_category, wearable):
    assert is_wearable(article_type, sub_category) is wearable


def test_briefs_are_worn_below_the_waist():
    from fashionm3.tryon.garments import garment_region

    assert garment_region("Briefs", "Innerwear") == "lower" and garment_region("Bra", "Innerwear") == "upper"


def test_the_committed_examples_are_what_our_code_draws(tmp_path):
    drawn = write_examples(tmp_path)
    for path in drawn:
        committed = EXAMPLES / path.relative_to(tmp_path)
        assert committed.is_file(), f"{committed} missing: run python -m fashionm3.tryon.examples"
        difference = np.abs(np.asarray(Image.open(committed)).astype(int) - np.asarray(Image.open(path)).astype(int))
        assert difference.mean() < 1.0, committed
    assert all(len(row) == 3 and all(isinstance(v, str) for v in row) for row in tryon_examples())
    photos = [Path(example["files"][0]) for example in chat_photo_examples()]
    assert photos and all(photo.parent == EXAMPLES / "outfits" and photo.is_file() for photo in photos)
