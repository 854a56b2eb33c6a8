"""Load user images safely from a path, URL, data URI, bytes or PIL image, with clear errors."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from fashionm3.errors import InvalidInput
from fashionm3.security.fetch import fetch_image_bytes

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
URLS_OFF = (
    "Image URLs are turned off on this server (FASHIONM3_ALLOW_IMAGE_URLS=0): "
    "upload the image or send it as a data URI instead."
)
WORKING_SIZE = 1024  # longest side kept for analysis; larger photos are downscaled
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
ImageSource = "str | Path | bytes | Image.Image"  # what every image-taking capability accepts


@dataclasses.dataclass
class LoadedImage:
    """An RGB image ready for the models, plus what was done to it (shown to the user)."""

    image: Image.Image
    original_size: tuple[int, int]
    notes: list[str] = dataclasses.field(default_factory=list)


def load_image(
    source: "str | Path | bytes | Image.Image",
    *,
    max_pixels: int = 80_000_000,
    allowed_roots: "list[Path] | None" = None,
    working_size: int | None = WORKING_SIZE,
    allow_urls: bool = True,
) -> LoadedImage:
    """Open ``source`` as RGB, honouring EXIF orientation and downscaling very large photos.

    ``working_size=None`` keeps the full resolution (try-on answers at the photo's own size).
    ``source`` may be a PIL image, raw bytes, a ``data:`` URI, an ``http(s)://`` URL or a local path. Local paths
    must lie under one of ``allowed_roots`` when that list is given; URLs go through the outbound guard
    (:func:`~fashionm3.security.fetch.fetch_image_bytes`) and are refused when ``allow_urls`` is False.
    Raises :class:`InvalidInput` with a user-readable message for anything that is not a readable image.
    """
    if isinstance(source, Image.Image):
        image = source
        name = "image"
    else:
        data, name = _read_bytes(source, allowed_roots, allow_urls)
        image = _decode(data, name, max_pixels)
    return _normalise(image, name, max_pixels, working_size)


def _read_bytes(source: "str | Path | bytes", roots: "list[Path] | None", allow_urls: bool) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, "upload"
    text = str(source).strip()
    if not text:
        raise InvalidInput("No image was given.")
    if text.startswith("data:"):
        header, _, payload = text.partition(",")
        if ";base64" not in header:
            raise InvalidInput("Data URIs must be base64-encoded images (data:image/png;base64,...).")
        try:
            return base64.b64decode(payload, validate=True), "data URI"
        except (binascii.Error, ValueError) as error:
            raise InvalidInput("The data URI is not valid base64.") from error
    if text.lower().startswith(("http://", "https://")):
        if not allow_urls:
            raise InvalidInput(URLS_OFF)
        return fetch_image_bytes(text, max_bytes=MAX_DOWNLOAD_BYTES), text
    return _read_local(Path(text), roots), Path(text).name


def _read_local(path: Path, allowed_roots: "list[Path] | None") -> bytes:
    resolved = path.expanduser().resolve()
    if allowed_roots is not None and not any(resolved.is_relative_to(root.resolve()) for root in allowed_roots):
        raise InvalidInput(f"{path.name}: local images must come from an upload or the catalog.")
    if not resolved.is_file():
        raise InvalidInput(f"No image file at {path}.")
    if resolved.stat().st_size > MAX_DOWNLOAD_BYTES:
        raise InvalidInput(f"{path.name} is larger than {MAX_DOWNLOAD_BYTES // 2**20} MB.")
    return resolved.read_bytes()


def _decode(data: bytes, name: str, max_pixels: int) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > max_pixels:
            raise InvalidInput(
                f"{name} is {width}x{height} pixels; images up to {max_pixels // 1_000_000} megapixels are accepted."
            )
        image.load()
    except InvalidInput:
        raise
    except Image.DecompressionBombError as error:
        raise InvalidInput(f"{name} is too large: images up to {max_pixels // 1_000_000} megapixels are accepted.") from error
    except UnidentifiedImageError as error:
        raise InvalidInput(f"{name} is not an image this app can read (JPEG, PNG, WebP, ...).") from error
    except (OSError, SyntaxError, ValueError) as error:
        raise InvalidInput(f"{name} looks like an image but is damaged or truncated.") from error
    return image


def _normalise(image: Image.Image, name: str, max_pixels: int, working_size: int | None) -> LoadedImage:
    width, height = image.size
    if width * height > max_pixels:
        raise InvalidInput(f"{name} is {width}x{height} pixels; that is too large to process.")
    if min(width, height) < 1:
        raise InvalidInput(f"{name} is empty.")
    notes: list[str] = []
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    image = image.convert("RGB")
    if working_size and max(image.size) > working_size:
        image.thumbnail((working_size, working_size), Image.Resampling.LANCZOS)
        notes.append(f"{name} ({width}x{height}) was downscaled to {image.width}x{image.height} for analysis.")
    return LoadedImage(image=image, original_size=(width, height), notes=notes)


def is_image_filename(name: str) -> bool:
    """True when the file name has a common image extension."""
    return Path(name).suffix.lower() in IMAGE_SUFFIXES
