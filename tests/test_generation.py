"""Product images: prompts and refusals, offline sketches, and the diffusers backend on tiny real pipelines."""

import dataclasses

import numpy as np
import pytest
import torch

from fashionm3.catalog.demo import demo_vocabulary
from fashionm3.config import Settings
from fashionm3.errors import InvalidInput, Unavailable
from fashionm3.generation import create_generator, diffusion
from fashionm3.generation.diffusion import DiffusersGenerator, render_duration
from fashionm3.generation.request import NEGATIVE_PROMPT, product_prompt
from fashionm3.generation.sketch import SketchGenerator
from fashionm3.retrieval.pixels import dominant_colour
from fashionm3.stylist.description import ItemDescription


@pytest.fixture(scope="module")
def vocabulary():
    return demo_vocabulary()


def pixels(images):
    return [np.asarray(image, dtype=np.int16) for image in images]


def test_prompt_from_a_stylist_description_is_a_product_photo_of_that_item(vocabulary):
    description = ItemDescription("Jeans", "Navy Blue", "denim", "casual", "slim fit", "goes with the shirt")
    prompt = product_prompt(description, vocabulary)
    assert prompt.description is description
    assert prompt.text.startswith("a Navy Blue denim casual slim fit Jeans")
    assert "plain white background" in prompt.text and "single item" in prompt.text
    assert prompt.negative == NEGATIVE_PROMPT and "watermark" in prompt.negative


def test_prompt_from_free_text_reads_category_colour_and_material(vocabulary):
    prompt = product_prompt("  brown leather   boots for winter ", vocabulary)
    assert prompt.subject == "brown leather boots for winter"
    assert (prompt.description.colour, prompt.description.material) == ("Brown", "leather")
    assert prompt.description.category in vocabulary.values("article_type")


@pytest.mark.parametrize(
    ("description", "error"),
    [
        ("", "Describe the item"),
        ("x" * 5000, "5,000 characters"),
        ("a fast red car", "only draw clothing and accessories"),
        ("a nude woman wearing a red shirt", "can't draw that"),
        ("a shirt with a gun print", "can't draw that"),
    ],
)
def test_bad_or_unsafe_requests_are_refused_clearly(vocabulary, description, error):
    with pytest.raises(InvalidInput, match=error):
        product_prompt(description, vocabulary)


def test_too_many_images_are_refused(service):
    with pytest.raises(InvalidInput, match="1 to 4 images"):
        service.generate_product_image("a red shirt", count=9)


def test_sketches_are_drawn_in_the_described_colour_and_labelled(vocabulary):
    images = SketchGenerator(vocabulary).render(product_prompt("a red striped shirt", vocabulary), seed=1, count=2)
    assert len(images) == 2 and images[0].size == (512, 512)
    assert dominant_colour(images[0].crop((0, 60, 512, 512))) == "Red"
    label = np.asarray(images[0].crop((0, 0, 150, 28)))
    assert (label.mean(axis=-1) < 60).mean() > 0.5  # the dark "SKETCH" banner


def test_sketches_of_catalog_types_without_a_drawing_use_their_sub_category(vocabulary):
    sketcher = SketchGenerator(vocabulary)
    assert sketcher.shape_for("Heels") == "Heels"
    assert sketcher.shape_for("kurtas") == "Tshirts"  # unknown types still get a (labelled) garment


def test_visualize_puts_closest_catalog_items_next_to_the_sketch(service):
    picture = service.visualize("a red striped shirt", seed=0, count=1)
    assert picture.backend.startswith("offline: labelled sketches")
    assert len(picture.images) == 1 and len(picture.matches) == 4
    assert picture.matches[0].item.article_type == "Shirts"


def test_tiny_flux_loads_through_the_auto_pipeline_with_its_family_preset(tiny_flux):
    assert tiny_flux.family == "FluxPipeline"
    assert (tiny_flux.preset.steps, tiny_flux.preset.size, tiny_flux.preset.guidance) == (2, 64, 3.5)
    assert not tiny_flux.uses_negative  # FLUX's guidance is distilled: a negative prompt would do nothing
    assert "diffusers FluxPipeline" in tiny_flux.label


def test_seeds_reproduce_images_exactly_and_one_at_a_time(tiny_flux, vocabulary):
    prompt = product_prompt("a red striped shirt", vocabulary)
    first, second = pixels(tiny_flux.render_now(prompt.text, None, [7, 8]))
    repeat = pixels(tiny_flux.render_now(prompt.text, None, [7, 8]))
    alone = pixels(tiny_flux.render_now(prompt.text, None, [8]))[0]
    other = pixels(tiny_flux.render_now(prompt.text, None, [9]))[0]
    assert first.shape == (64, 64, 3)
    assert np.array_equal(first, repeat[0]) and np.array_equal(second, repeat[1])
    assert np.abs(second - alone).max() <= 2  # same seed alone: equal up to batched float rounding
    assert np.abs(first - second).mean() > 10 and np.abs(alone - other).mean() > 10


def test_identical_requests_are_served_from_the_cache(tiny_flux, vocabulary, monkeypatch):
    calls = []
    real = diffusion.gpu_render
    monkeypatch.setattr(diffusion, "gpu_render", lambda *args: calls.append(args) or real(*args))
    prompt = product_prompt("a blue denim jacket", vocabulary)
    first = tiny_flux.render(prompt, seed=3, count=2)
    first[0].paste((0, 0, 0), (0, 0, 64, 64))  # callers get copies: editing one must not change the cache
    second = tiny_flux.render(prompt, seed=3, count=2)
    third = tiny_flux.render(prompt, seed=4, count=2)
    assert len(calls) == 2  # the repeat came from the cache, the new seed did not
    assert np.array_equal(pixels(second)[1], pixels(first)[1]) and not np.array_equal(pixels(second)[0], pixels(first)[0])
    assert not np.array_equal(pixels(third)[0], pixels(second)[0])


def test_zero_gpu_duration_grows_with_steps_images_and_guidance(tiny_flux):
    schnell, medium = "black-forest-labs/FLUX.1-schnell", "stabilityai/stable-diffusion-3.5-medium"
    one, four = render_duration(schnell, "x", None, [0]), render_duration(schnell, "x", None, [0, 1, 2, 3])
    assert 10 <= one < four < render_duration(medium, "x", "blurry", [0, 1, 2, 3]) <= 180
    assert render_duration(tiny_flux.model_id, "x", None, [0]) == 10  # 2 steps at 64 px: the base only


def test_a_stable_diffusion_pipeline_uses_the_negative_prompt(tiny_sd_path, vocabulary, monkeypatch):
    generator = DiffusersGenerator(str(tiny_sd_path), device="cpu", steps=2, size=64)
    assert generator.family == "StableDiffusionPipeline" and generator.uses_negative
    seen = {}
    call = type(generator.pipeline).__call__
    monkeypatch.setattr(type(generator.pipeline), "__call__", lambda self, *a, **kw: seen.update(kw) or call(self, *a, **kw))
    images = generator.render(product_prompt("a green checked skirt", vocabulary), seed=0, count=2)
    assert [image.size for image in images] == [(64, 64), (64, 64)]
    assert seen["negative_prompt"] == [NEGATIVE_PROMPT] * 2 and seen["guidance_scale"] == 7.5


def test_out_of_memory_is_a_clear_message_and_the_generator_keeps_working(tiny_flux, vocabulary, monkeypatch):
    def out_of_memory(self, *args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    prompt = product_prompt("a yellow summer dress", vocabulary)
    with monkeypatch.context() as patch:
        patch.setattr(type(tiny_flux.pipeline), "__call__", out_of_memory)
        with pytest.raises(Unavailable, match="ran out of memory"):
            tiny_flux.render(prompt, seed=11, count=4)
    assert len(tiny_flux.render(prompt, seed=11, count=1)) == 1


def test_an_unloadable_image_model_falls_back_to_sketches_with_a_notice(service, monkeypatch, tmp_path):
    settings = dataclasses.replace(service.settings, generator="diffusers", image_model=str(tmp_path / "missing"))
    with pytest.raises(Unavailable, match="Could not load the image model"):
        create_generator("full", settings, service.catalog)
    from fashionm3.service import FashionM3

    restarted = FashionM3.start(dataclasses.replace(settings, backend="auto"))
    assert restarted.generator.label.startswith("offline: labelled sketches")
    assert "Serving the offline image generator instead" in restarted.notice()


def test_chat_shows_a_diffusion_image_of_the_recommended_item(service, tiny_flux):
    from fashionm3.assistant import recommend

    with_model = dataclasses.replace(service, generator=tiny_flux)
    first = recommend(with_model, "a navy shirt for a man", user_id="gen-user")
    picture = recommend(with_model, "show me what that looks like", user_id="gen-user", session_id=first.session_id)
    assert picture.task == "generate" and picture.images[0].size == (64, 64)
    assert tiny_flux.model_id in picture.text
    assert [hit.item.id for hit in picture.hits] == [hit.item.id for hit in first.hits]


def test_settings_choose_the_generator():
    assert Settings.from_env({"FASHIONM3_GENERATOR": "sketch"}).generator == "sketch"
    with pytest.raises(ValueError, match="FASHIONM3_GENERATOR"):
        Settings.from_env({"FASHIONM3_GENERATOR": "dalle"})


def test_clip_scores_with_a_cross_modal_encoder(tiny_clip_name, vocabulary):
    from fashionm3.evaluation.generation_eval import image_image_scores, text_image_scores
    from fashionm3.retrieval.clip import OpenClipEncoder

    encoder = OpenClipEncoder(tiny_clip_name, device="cpu")
    images = SketchGenerator(vocabulary).render(product_prompt("a red striped shirt", vocabulary), count=2)
    text_scores = text_image_scores(encoder, ["a red shirt", "blue jeans"], images)
    same = image_image_scores(encoder, images[:1], images[:1])
    assert text_scores.shape == (2,) and np.all(np.abs(text_scores) <= 100.001)
    assert same[0] == pytest.approx(100.0, abs=1e-3)


def test_text_image_scores_need_a_cross_modal_encoder(service):
    from fashionm3.evaluation.generation_eval import text_image_scores

    with pytest.raises(Unavailable, match="CLIP-family encoder"):
        text_image_scores(service.engine.encoder, ["a red shirt"], [])


def test_generation_eval_reports_scores_for_the_offline_sketches(service):
    from fashionm3.evaluation.generation_eval import evaluate_generation

    report = evaluate_generation(service, count=8, seed=0)
    assert report["images"] + report["refused"] == 8 and report["images"] >= 6
    assert report["clip_t"] is None  # the offline encoder has no shared text-image space: not faked
    assert 0 < report["clip_i"] <= 100 and 0 <= report["category_at_5"] <= 1


def test_image_feedback_is_stored_with_its_description(service):
    path = service.save_generated(service.generate_product_image("a green checked skirt")[0])
    ack = service.record_image_feedback("image-fan", "a green checked skirt", True, str(path))
    assert ack["ok"] and ack["image"] == path.name
    event = service.user_profile("image-fan")["history"][0]
    assert event["kind"] == "image_feedback" and event["description"] == "a green checked skirt" and event["liked"]
    with pytest.raises(InvalidInput):
        service.record_image_feedback("image-fan", "", False)
