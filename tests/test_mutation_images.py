"""Image limits users run into (non-square photos, damaged files, local paths) and the try-on garment rules."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fashionm3 import images
from fashionm3.errors import InvalidInput
from fashionm3.images import is_image_filename, load_image
from fashionm3.tryon import garments
from fashionm3.tryon.garments import check_person_photo, garment_mask, garment_region


def encoded(image: Image.Image, kind: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=kind, **options)
    return buffer.getvalue()


# --- downscaling keyed on the long side -----------------------------------------------------------------------


@pytest.mark.parametrize("size, expected", [
    ((6000, 900), (1024, 154)), ((900, 6000), (154, 1024)), ((2048, 2048), (1024, 1024)),
])
def test_a_photo_whose_long_side_is_over_the_working_size_is_downscaled_keeping_its_shape(size, expected):
    loaded = load_image(Image.new("RGB", size, (10, 20, 30)))
    assert loaded.image.size == expected and loaded.original_size == size
    assert loaded.notes == [f"image ({size[0]}x{size[1]}) was downscaled to {expected[0]}x{expected[1]} for analysis."]
    assert loaded.image.getpixel((5, 5)) == (10, 20, 30)  # a smooth resample, not garbage


@pytest.mark.parametrize("size", [(1024, 300), (300, 1024), (1, 1)])
def test_photos_within_the_working_size_are_kept_as_they_are(size):
    loaded = load_image(Image.new("RGB", size))
    assert loaded.image.size == size and loaded.notes == []


def test_downscaling_uses_lanczos_resampling():
    photo = Image.effect_noise((2050, 700), 80).convert("RGB")
    expected = photo.copy()
    expected.thumbnail((1024, 1024), Image.Resampling.LANCZOS)
    assert load_image(photo).image.tobytes() == expected.tobytes()


def test_working_size_none_keeps_the_full_resolution_and_a_custom_size_is_honoured():
    assert load_image(Image.new("RGB", (3000, 500)), working_size=None).image.size == (3000, 500)
    assert load_image(Image.new("RGB", (3000, 500)), working_size=600).image.size == (600, 100)


def test_the_downscale_note_names_the_uploaded_file(tmp_path):
    path = tmp_path / "wide.png"
    Image.new("RGB", (2100, 700)).save(path)
    assert load_image(path).notes == ["wide.png (2100x700) was downscaled to 1024x341 for analysis."]
    assert load_image(encoded(Image.new("RGB", (2100, 700)))).notes[0].startswith("upload (2100x700)")


# --- pixel limits -----------------------------------------------------------------------------------------------


def test_the_pixel_limit_is_inclusive_and_names_the_size():
    data = encoded(Image.new("RGB", (4000, 1000)))  # 4,000,000 pixels
    assert load_image(data, max_pixels=4_000_000).original_size == (4000, 1000)
    with pytest.raises(InvalidInput) as error:
        load_image(data, max_pixels=3_999_999)
    assert str(error.value) == "upload is 4000x1000 pixels; images up to 3 megapixels are accepted."


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` (the pixel data is a 1x1 image's: it is never reached)."""
    import struct
    import zlib

    data = bytearray(encoded(Image.new("1", (1, 1))))
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    return bytes(data)


def test_the_default_limit_is_80_megapixels_checked_before_decoding():
    with pytest.raises(InvalidInput) as error:
        load_image(png_header_only(80_000_001, 1))
    assert str(error.value) == "upload is 80000001x1 pixels; images up to 80 megapixels are accepted."
    with pytest.raises(InvalidInput, match="damaged or truncated"):  # within the limit: decoding is tried
        load_image(png_header_only(80_000_000, 1))


def test_a_pil_image_over_the_pixel_limit_is_refused():
    with pytest.raises(InvalidInput, match=r"^image is 3000x1000 pixels; that is too large to process\.$"):
        load_image(Image.new("RGB", (3000, 1000)), max_pixels=2_999_999)
    assert load_image(Image.new("RGB", (3000, 1000)), max_pixels=3_000_000).original_size == (3000, 1000)


def test_an_empty_pil_image_is_refused():
    with pytest.raises(InvalidInput, match=r"^image is empty\.$"):
        load_image(Image.new("RGB", (0, 5)))


def test_a_decompression_bomb_is_reported_as_too_large(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # PIL's own guard fires before ours
    with pytest.raises(InvalidInput, match=r"^upload is too large: images up to 80 megapixels are accepted\.$"):
        load_image(encoded(Image.new("RGB", (100, 100))))


# --- colour handling --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode, colour", [("RGBA", (255, 0, 0, 0)), ("LA", (0, 0)), ("P", None)])
def test_transparent_pixels_become_white_in_every_transparent_mode(mode, colour):
    if mode == "P":
        image = Image.new("P", (4, 4), 0)
        image.putpalette([0, 0, 0] * 256)
        image.info["transparency"] = 0
    else:
        image = Image.new(mode, (4, 4), colour)
    loaded = load_image(encoded(image))
    assert loaded.image.mode == "RGB" and loaded.image.getpixel((1, 1)) == (255, 255, 255)


def test_half_transparent_pixels_are_blended_on_white_and_greyscale_becomes_rgb():
    loaded = load_image(Image.new("RGBA", (2, 2), (0, 0, 0, 128)))
    assert loaded.image.getpixel((0, 0)) == (127, 127, 127)
    assert load_image(Image.new("L", (2, 2), 60)).image.getpixel((0, 0)) == (60, 60, 60)


# --- sources ----------------------------------------------------------------------------------------------------


def test_local_paths_must_lie_under_an_allowed_root(tmp_path):
    inside, outside = tmp_path / "uploads", tmp_path / "private"
    inside.mkdir(), outside.mkdir()
    Image.new("RGB", (3, 2)).save(inside / "a.png")
    Image.new("RGB", (3, 2)).save(outside / "b.png")
    assert load_image(str(inside / "a.png"), allowed_roots=[outside, inside]).image.size == (3, 2)
    assert load_image(f"  {inside / 'a.png'}  ", allowed_roots=[inside]).image.size == (3, 2)
    with pytest.raises(InvalidInput, match=r"^b\.png: local images must come from an upload or the catalog\.$"):
        load_image(outside / "b.png", allowed_roots=[inside])
    with pytest.raises(InvalidInput, match=r"^b\.png: local images"):
        load_image(inside / ".." / "private" / "b.png", allowed_roots=[inside])
    assert load_image(outside / "b.png").image.size == (3, 2)  # no roots given: any local file


def test_missing_and_oversize_local_files_are_refused(tmp_path, monkeypatch):
    with pytest.raises(InvalidInput, match=r"^No image file at .*nothing\.png\.$"):
        load_image(tmp_path / "nothing.png")
    with pytest.raises(InvalidInput, match=r"^No image file at"):
        load_image(tmp_path)
    path = tmp_path / "a.png"
    path.write_bytes(encoded(Image.new("RGB", (2, 2))))
    monkeypatch.setattr(images, "MAX_DOWNLOAD_BYTES", path.stat().st_size)
    assert load_image(path).image.size == (2, 2)
    monkeypatch.setattr(images, "MAX_DOWNLOAD_BYTES", path.stat().st_size - 1)
    with pytest.raises(InvalidInput, match=r"^a\.png is larger than 0 MB\.$"):
        load_image(path)


def test_the_size_limit_message_is_in_megabytes(tmp_path, monkeypatch):
    path = tmp_path / "big.png"
    path.write_bytes(b"x" * (3 * 2**20 + 1))
    monkeypatch.setattr(images, "MAX_DOWNLOAD_BYTES", 3 * 2**20)
    with pytest.raises(InvalidInput, match=r"^big\.png is larger than 3 MB\.$"):
        load_image(path)


def test_data_uris_must_be_base64(tmp_path):
    data = encoded(Image.new("RGB", (5, 4)))
    uri = "data:image/png;base64," + base64.b64encode(data).decode()
    assert load_image(uri).image.size == (5, 4)
    must = r"^Data URIs must be base64-encoded images \(data:image/png;base64,\.\.\.\)\.$"
    with pytest.raises(InvalidInput, match=must):
        load_image("data:image/png," + base64.b64encode(data).decode())
    with pytest.raises(InvalidInput, match=r"^The data URI is not valid base64\.$"):
        load_image("data:image/png;base64,aGVsbG8=!")
    with pytest.raises(InvalidInput, match=r"^The data URI is not valid base64\.$"):  # a comma is no separator
        load_image("data:image/png;base64,aGVsbG8=," + base64.b64encode(data).decode())
    with pytest.raises(InvalidInput, match=r"^data URI is not an image this app can read"):
        load_image("data:image/png;base64," + base64.b64encode(b"hello").decode())


@pytest.mark.parametrize("source", ["", "   "])
def test_an_empty_source_says_no_image_was_given(source):
    with pytest.raises(InvalidInput, match=r"^No image was given\.$"):
        load_image(source)


def test_urls_are_refused_when_turned_off_in_any_case():
    for url in ["http://example.com/a.png", "HTTPS://example.com/a.png"]:
        with pytest.raises(InvalidInput) as error:
            load_image(url, allow_urls=False)
        assert str(error.value) == images.URLS_OFF


def test_damaged_and_foreign_files_get_distinct_messages():
    with pytest.raises(InvalidInput, match=r"^upload is not an image this app can read \(JPEG, PNG, WebP, \.\.\.\)\.$"):
        load_image(b"plain text")
    truncated = encoded(Image.effect_noise((64, 64), 50).convert("RGB"), "JPEG")[:400]
    with pytest.raises(InvalidInput, match=r"^upload looks like an image but is damaged or truncated\.$"):
        load_image(truncated)


def test_exif_rotation_swaps_a_non_square_photo():
    image = Image.new("RGB", (60, 20), (0, 0, 255))
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    loaded = load_image(encoded(image, "JPEG", exif=exif))
    assert loaded.image.size == (20, 60) and loaded.original_size == (60, 20)


@pytest.mark.parametrize("name, expected", [
    ("a.JPG", True), ("b.webp", True), ("c.tiff", True), ("d.txt", False), ("png", False),
])
def test_image_file_names(name, expected):
    assert is_image_filename(name) is expected


# --- try-on garments --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("article_type, sub_category, region", [
    ("upper", "", "upper"), ("dress", "", "dress"), ("Jackets", "Topwear", "outerwear"), ("Blazers", "", "outerwear"),
    ("Dresses", "", "dress"), ("Kurtas", "Dress", "dress"), ("Sarees", "", "dress"), ("Jeans", "", "lower"),
    ("Capris", "Bottomwear", "lower"), ("Skirts", "", "lower"), ("Tshirts", "", "upper"), ("Bra", "Innerwear", "upper"),
    ("Kurtas", "Topwear", "upper"), ("Tops", "", "upper"), ("Shirts", "", "upper"), ("Trousers", "", "lower"),
    ("Shorts", "", "lower"), ("Track Pants", "", "lower"), ("Leggings", "", "lower"), ("Jumpsuit", "", "dress"),
    ("lower", "", "lower"), ("outerwear", "", "outerwear"), ("Coats", "", "outerwear"),
])
def test_each_garment_replaces_its_body_region(article_type, sub_category, region):
    assert garment_region(article_type, sub_category) == region


@pytest.mark.parametrize("given, named", [
    ({"article_type": "Watches", "sub_category": "Watches"}, "Watches"), ({"sub_category": "Shoes"}, "Shoes"),
    ({}, "this item"),
    ({"article_type": "Socks"}, "Socks"),
])
def test_non_clothing_is_refused_by_name(given, named):
    with pytest.raises(InvalidInput) as error:
        garment_region(**given)
    assert str(error.value) == f"Try-on works for clothing (tops, bottoms, dresses, outerwear), not {named}."


def test_person_photos_need_128_pixels_on_each_side():
    photo = Image.new("RGB", (128, 128))
    assert check_person_photo(photo) is photo
    for size in [(127, 500), (500, 127)]:
        with pytest.raises(InvalidInput) as error:
            check_person_photo(Image.new("RGB", size))
        assert str(error.value) == f"Your photo is {size[0]}x{size[1]}; use one at least 128 px on each side."


def labels_map() -> np.ndarray:
    """A 9x9 parsing map: hair row 0, face row 1, upper clothes rows 3-4 (arms in their column 0), pants rows 6-8."""
    labels = np.zeros((9, 9), dtype=np.uint8)
    labels[0], labels[1] = 2, 11
    labels[3:5], labels[3:5, 0] = 4, 14
    labels[6:9] = 6
    return labels


def test_the_mask_covers_the_region_and_never_face_or_hair():
    labels = labels_map()
    upper = garment_mask(labels, "upper", 0)
    assert upper.dtype == bool and upper.sum() == 18 and upper[3:5].all() and not upper[6:].any()
    lower = garment_mask(labels, "lower", 0)
    assert lower[6:].all() and lower.sum() == 27
    dress = garment_mask(labels, "dress", 0)
    assert dress.sum() == 45 and not dress[:3].any()


def test_dilation_grows_the_mask_by_that_many_pixels_but_keeps_face_and_hair():
    labels = labels_map()
    grown = garment_mask(labels, "upper", 1)
    assert grown[2].all() and grown[5].all() and not grown[1].any() and not grown[6].any()
    grown = garment_mask(labels, "upper", 2)
    assert grown[6].all() and not grown[7].any() and not grown[:2].any()


def test_a_photo_without_that_garment_is_refused():
    labels = np.zeros((4, 4), dtype=np.uint8)
    labels[2:] = 6
    with pytest.raises(InvalidInput, match="^I could not find a person wearing a garment of this kind in the photo"):
        garment_mask(labels, "upper", 3)
    assert garment_mask(labels, "lower", 0)[2:].all()


def test_replaced_labels_match_the_documented_parser_labels():
    assert garments.REPLACED_LABELS["upper"] == (4, 14, 15) and garments.PROTECTED_LABELS == (2, 11)
