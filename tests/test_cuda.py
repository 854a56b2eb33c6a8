"""The CUDA paths on tiny random models: 4-bit NF4 VLM generation and bf16 diffusers pipelines on a GPU.

Skipped without CUDA (CI has none); run on a GPU machine with ``python -m pytest tests/test_cuda.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def test_four_bit_vlm_streams_on_cuda(tiny_vlm_path):
    import bitsandbytes as bnb
    from PIL import Image

    from fashionm3.stylist.description import ItemDescription
    from fashionm3.stylist.prompts import StylistRequest
    from fashionm3.stylist.vlm import VLMStylist

    stylist = VLMStylist(str(tiny_vlm_path), device="cuda", quantize=True)
    layer = stylist.model.model.language_model.layers[0].mlp.gate_proj
    assert isinstance(layer, bnb.nn.Linear4bit) and layer.weight.device.type == "cuda" and layer.weight.quant_type == "nf4"
    assert stylist.model.model.visual.blocks[0].mlp.linear_fc1.weight.dtype == torch.bfloat16
    request = StylistRequest(task="basic", message="what goes with this?", collage=Image.new("RGB", (512, 512), "white"))
    events = list(stylist.describe(request, ItemDescription(category="Jeans", source="rules")))
    assert any(isinstance(event, str) and event for event in events[:-1])
    assert isinstance(events[-1], ItemDescription)


@pytest.mark.parametrize("pipeline_path", ["tiny_flux_path", "tiny_sd_path"])
def test_diffusers_pipelines_run_in_bf16_on_cuda_with_reproducible_seeds(pipeline_path, request):
    from fashionm3.generation.diffusion import DiffusersGenerator

    generator = DiffusersGenerator(str(request.getfixturevalue(pipeline_path)), device="cuda", steps=2, size=64)
    assert generator.pipeline.device.type == "cuda" and generator.pipeline.dtype == torch.bfloat16
    first = [np.asarray(image) for image in generator.render_now("a red striped shirt", None, [1, 2])]
    again = [np.asarray(image) for image in generator.render_now("a red striped shirt", None, [1, 2])]
    assert first[0].shape == (64, 64, 3)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], first[1])


def test_real_gpu_out_of_memory_is_a_clear_message_and_generation_recovers(tiny_sd_path):
    from fashionm3.errors import Unavailable
    from fashionm3.generation.diffusion import DiffusersGenerator

    generator = DiffusersGenerator(str(tiny_sd_path), device="cuda", steps=1, size=4096)
    torch.cuda.set_per_process_memory_fraction(0.02)  # behave like a ~1.6 GB card
    try:
        with pytest.raises(Unavailable, match="ran out of memory"):
            generator.render_now("a red striped shirt", None, [0, 1, 2, 3])
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0)
    small = DiffusersGenerator(str(tiny_sd_path), device="cuda", steps=2, size=64)
    assert small.render_now("a red striped shirt", None, [0])[0].size == (64, 64)
