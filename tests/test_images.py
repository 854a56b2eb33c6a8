import base64
import io

import pytest
from PIL import Image

from fashionm3.errors import InvalidInput
from fashionm3.images import WORKING_SIZE, load_image


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_bytes_path_and_data_uri_give_the_same_rgb_image(tmp_path):
    picture = Image.new("RGB", (40, 30), (10, 200, 30))
    path = tmp_path / "p.png"
    picture.save(path)
    data_uri = "data:image/png;base64," + base64.b64encode(png_bytes(picture)).decode()
    for source in (png_bytes(picture), path, str(path), data_uri, picture):
        loaded = load_image(source)
        assert loaded.image.mode == "RGB"
        assert loaded.image.size == (40, 30)
        assert loaded.image.getpixel((5, 5)) == (10, 200, 30)


def test_transparent_png_is_composited_on_white():
    picture = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    assert load_image(png_bytes(picture)).image.getpixel((0, 0)) == (255, 255, 255)


def test_huge_photo_is_downscaled_with_a_note():
    loaded = load_image(png_bytes(Image.new("RGB", (8000, 8000), "red")))
    assert max(loaded.image.size) == WORKING_SIZE
    assert loaded.original_size == (8000, 8000)
    assert "8000x8000" in loaded.notes[0]


def test_too_many_pixels_is_refused_before_decoding():
    with pytest.raises(InvalidInput, match="megapixels"):
        load_image(png_bytes(Image.new("L", (3000, 3000))), max_pixels=1_000_000)


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"just some text", "not an image"), (png_bytes(Image.new("RGB", (64, 64), "blue"))[:80], "damaged")],
)
def test_unreadable_bytes_raise_clear_errors(data, message):
    with pytest.raises(InvalidInput, match=message):
        load_image(data)


def test_bad_sources(tmp_path):
    with pytest.raises(InvalidInput, match="No image was given"):
        load_image("  ")
    with pytest.raises(InvalidInput, match="No image file"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(InvalidInput, match="base64"):
        load_image("data:image/png;base64,@@@")
    outside = tmp_path / "outside.png"
    Image.new("RGB", (4, 4)).save(outside)
    with pytest.raises(InvalidInput, match="upload or the catalog"):
        load_image(outside, allowed_roots=[tmp_path / "allowed"])


def test_exif_orientation_is_honoured():
    picture = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", exif=exif)
    assert load_image(buffer.getvalue()).image.size == (20, 40)
