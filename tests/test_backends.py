"""Offline backends behind the stylist, image-generator and try-on interfaces."""

import numpy as np
import pytest

from fashionm3.backends import SketchGenerator
from fashionm3.catalog.demo import demo_vocabulary
from fashionm3.errors import InvalidInput
from fashionm3.retrieval.pixels import dominant_colour


@pytest.fixture(scope="module")
def generator():
    return SketchGenerator(demo_vocabulary())


def test_sketches_are_drawn_in_the_described_colour_and_labelled(generator):
    images = generator.generate("a red striped shirt", seed=1, count=2)
    assert len(images) == 2 and images[0].size == (512, 512)
    body = images[0].crop((0, 60, 512, 512))
    assert dominant_colour(body) == "Red"
    label = np.asarray(images[0].crop((0, 0, 150, 28)))
    assert (label.mean(axis=-1) < 60).mean() > 0.5  # the dark "SKETCH" banner


@pytest.mark.parametrize(
    ("description", "count", "error"),
    [("", 1, "Describe the item"), ("x" * 5000, 1, "5,000 characters"), ("a fast red car", 1, "only sketch clothing"), ("a shirt", 9, "1 to 4")],
)
def test_bad_requests(generator, description, count, error):
    with pytest.raises(InvalidInput, match=error):
        generator.generate(description, count=count)


def test_service_routes_through_the_backends(service):
    assert service.generate_product_image("navy blue jeans")[0].size == (512, 512)
    assert service.backends()["image generation"].startswith("offline: labelled sketches")
    assert service.backends()["stylist"].startswith("offline: fashion rules")
