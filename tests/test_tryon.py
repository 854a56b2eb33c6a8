"""Try-on: garment regions and masks, the offline preview, the diffusion pipeline's invariants on tiny real models,
and bad inputs through the service."""

from __future__ import annotations

import dataclasses
import io
import threading

import numpy as np
import pytest
from PIL import Image

from fashionm3.errors import InvalidInput
from fashionm3.tryon.diffusion import _fit
from fashionm3.tryon.garments import PROTECTED_LABELS, REPLACED_LABELS, garment_mask, garment_region
from fashionm3.tryon.preview import LABEL, CutoutPreview, Placement, cut_out


def noise(width, height, seed=0):
    return Image.fromarray((np.random.default_rng(seed).random((height, width, 3)) * 255).astype(np.uint8))


def findable_region(tryon, person):
    """The tiny parser has random weights: pick a region it does find in this photo."""
    labels = tryon.parse(_fit(person, tryon.side))
    return next(r for r in ("upper", "lower", "dress", "outerwear") if np.isin(labels, REPLACED_LABELS[r]).any())


@pytest.mark.parametrize(
    ("article_type", "sub_category", "region"),
    [("Shirts", "Topwear", "upper"), ("Jeans", "Bottomwear", "lower"), ("Dresses", "Dress", "dress"), ("Jackets", "Topwear", "outerwear"),
     ("Skirts", "Bottomwear", "lower"), ("lower", "", "lower")],
)  # fmt: skip
def test_garment_types_map_to_regions(article_type, sub_category, region):
    assert garment_region(article_type, sub_category) == region


def test_non_clothing_cannot_be_tried_on():
    with pytest.raises(InvalidInput, match="Try-on works for clothing"):
        garment_region("Watches", "Watches")


@pytest.mark.parametrize("region", ["upper", "lower", "dress", "outerwear"])
def test_each_region_masks_its_parsing_labels_and_never_the_face(region):
    labels = np.arange(18).repeat(10).reshape(18, 10)  # one row band per label
    mask = garment_mask(labels, region, dilation=0)
    masked = set(np.unique(labels[mask]))
    assert masked == set(REPLACED_LABELS[region])
    grown = garment_mask(labels, region, dilation=3)
    assert grown.sum() > mask.sum() and not set(np.unique(labels[grown])) & set(PROTECTED_LABELS)


def test_a_photo_without_the_garment_region_gets_a_clear_message():
    with pytest.raises(InvalidInput, match="could not find a person"):
        garment_mask(np.zeros((32, 32), int), "upper", dilation=2)


def test_cut_out_removes_the_white_product_background():
    garment = Image.new("RGB", (100, 100), "white")
    garment.paste((200, 30, 30), (30, 20, 70, 90))
    piece = cut_out(garment)
    assert piece.mode == "RGBA" and piece.size == (40, 70)
    assert np.asarray(piece)[35, 20, 3] == 255 and np.asarray(cut_out(Image.new("RGB", (9, 9), "white"))).shape == (9, 9, 4)


def test_preview_keeps_the_photo_size_places_the_garment_and_is_labelled():
    person = Image.new("RGB", (400, 600), (90, 120, 200))
    garment = Image.new("RGB", (100, 100), "white")
    garment.paste((200, 30, 30), (10, 10, 90, 90))
    out = CutoutPreview().try_on(person, garment, "upper", Placement(x=0.25, y=0.3, scale=0.3))
    pixels = np.asarray(out)
    assert out.size == person.size
    assert tuple(pixels[180, 100]) == (200, 30, 30)  # the garment at 25% / 30%
    assert tuple(pixels[180, 300]) == (90, 120, 200)  # the photo elsewhere
    assert (pixels[-5:].mean(axis=-1) < 60).mean() > 0.5  # the dark "PREVIEW" band
    assert "not AI try-on" in LABEL


def test_diffusion_try_on_keeps_size_and_every_pixel_outside_the_dilated_mask(tiny_tryon):
    person = noise(300, 200)
    work = _fit(person, tiny_tryon.side)
    labels, region = tiny_tryon.parse(work), findable_region(tiny_tryon, person)
    out = tiny_tryon.try_on(person, Image.new("RGB", (64, 64), "red"), region)
    assert out.size == person.size
    mask = garment_mask(labels, region, dilation=max(2, work.width // 64))
    full = np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize(person.size, Image.Resampling.NEAREST)) > 0
    before, after = np.asarray(person), np.asarray(out)
    assert 0 < full.mean() < 1
    assert np.array_equal(before[~full], after[~full])  # outside the mask: pixel-exact
    assert (before[full] != after[full]).any()  # inside: repainted


def test_diffusion_try_on_of_a_huge_photo_answers_at_full_size(tiny_tryon):
    person = noise(300, 200).resize((8000, 5333), Image.Resampling.NEAREST)
    out = tiny_tryon.try_on(person, Image.new("RGB", (64, 64), "blue"), findable_region(tiny_tryon, person))
    assert out.size == (8000, 5333)


def test_diffusion_try_on_refuses_tiny_photos(tiny_tryon):
    with pytest.raises(InvalidInput, match="at least 128 px"):
        tiny_tryon.try_on(noise(100, 90), Image.new("RGB", (64, 64), "red"), "upper")


def test_service_try_on_from_a_catalog_item_and_its_bad_inputs(service, catalog, tmp_path):
    shirt = next(item for item in catalog.items if item.article_type == "Shirts")
    upload = tmp_path / "me.png"
    Image.new("RGBA", (240, 320), (120, 150, 200, 128)).save(upload)  # PNG with alpha
    assert service.virtual_try_on(upload.read_bytes(), shirt.id).size == (240, 320)
    grey = tmp_path / "grey.png"
    Image.new("L", (200, 300), 128).save(grey)
    assert service.virtual_try_on(grey.read_bytes(), shirt.id).mode == "RGB"
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (100, 80)).save(tiny)
    with pytest.raises(InvalidInput, match="at least 128 px"):
        service.virtual_try_on(tiny.read_bytes(), shirt.id)
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(InvalidInput, match="not an image"):
        service.virtual_try_on(text.read_bytes(), shirt.id)
    watch = next(item for item in catalog.items if item.article_type == "Watches")
    with pytest.raises(InvalidInput, match="Try-on works for clothing"):
        service.virtual_try_on(upload.read_bytes(), watch.id)


def test_exif_orientation_is_honoured(service, catalog):
    shirt = next(item for item in catalog.items if item.article_type == "Shirts")
    photo = Image.new("RGB", (300, 200), (10, 200, 10))
    exif = photo.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", exif=exif)
    assert service.virtual_try_on(buffer.getvalue(), shirt.id).size == (200, 300)


def test_concurrent_try_ons_each_get_their_own_result(service, catalog, tmp_path):
    shirts = [item for item in catalog.items if item.article_type == "Shirts"][:6]
    results: dict[int, tuple[int, int]] = {}

    def run(n: int) -> None:
        photo = tmp_path / f"p{n}.png"
        Image.new("RGB", (200 + 10 * n, 300), (n * 30, 100, 100)).save(photo)
        results[n] = service.virtual_try_on(photo.read_bytes(), shirts[n].id).size

    threads = [threading.Thread(target=run, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: (200 + 10 * n, 300) for n in range(6)}


def test_the_service_uses_a_model_backed_try_on_when_given_one(service, catalog, tiny_tryon, tmp_path):
    person = noise(300, 200)
    garment_type = {"upper": "Shirts", "lower": "Jeans", "dress": "Dresses", "outerwear": "Jackets"}[findable_region(tiny_tryon, person)]
    garment = next(item for item in catalog.items if item.article_type == garment_type)
    photo = tmp_path / "person.png"
    person.save(photo)
    with_model = dataclasses.replace(service, tryon=tiny_tryon)
    assert with_model.virtual_try_on(photo.read_bytes(), garment.id).size == (300, 200)
    assert "inpainting" in tiny_tryon.label


def test_example_figures_are_drawn_once_and_take_a_preview(tmp_path, catalog):
    from fashionm3.tryon.examples import example_people

    paths = example_people(tmp_path)
    assert len(paths) == 2 and example_people(tmp_path) == paths
    figure = Image.open(paths[0])
    shirt = Image.open(next(item for item in catalog.items if item.article_type == "Shirts").image_path)
    assert CutoutPreview().try_on(figure, shirt, "upper").size == figure.size
