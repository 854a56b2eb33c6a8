"""The Try-on tab: a person photo plus a catalog garment or a garment picture (generated or uploaded)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import gradio as gr

from fashionm3.errors import FashionM3Error
from fashionm3.service import FashionM3
from fashionm3.tryon.examples import tryon_examples
from fashionm3.ui.tools import GPU_CONCURRENCY
from fashionm3.tryon.garments import REGIONS, is_wearable
from fashionm3.tryon.preview import CutoutPreview, Placement
from fashionm3.ui.cards import item_caption

REGION_LABELS = {"upper": "Top", "lower": "Trousers, shorts or skirt", "dress": "Dress", "outerwear": "Jacket or sweater"}


@dataclasses.dataclass
class TryOnParts:
    """What other tabs set when they send a garment here."""

    garment: gr.Dropdown
    garment_image: gr.Image


def build_tryon_tab(service: FashionM3) -> TryOnParts:
    """Person photo, garment (catalog item or picture), placement sliders for the preview (live), result, examples."""
    preview = isinstance(service.tryon, CutoutPreview)
    how = "a labelled preview: the garment laid over your photo, placed by its type" if preview else "AI try-on"
    gr.Markdown(f"Upload a photo of yourself and choose a garment to see it on you. Here this is {how}.", elem_id="fm3-tryon-backend")
    with gr.Row():
        person = gr.Image(label="Your photo", type="filepath", sources=["upload", "webcam"], elem_id="fm3-tryon-person")
        with gr.Column():
            wearable = [(item_caption(item, service.settings.currency), item.id) for item in service.catalog.items
                        if item.image_path and is_wearable(item.article_type, item.sub_category)]  # fmt: skip
            garment = gr.Dropdown(wearable, label="Catalog garment (clothing with a photo)", elem_id="fm3-tryon-garment", elem_classes="fm3-dropdown")
            garment_image = gr.Image(label="…or a garment picture (used when set)", type="filepath", height=200, elem_id="fm3-tryon-garment-image")
            region = gr.Dropdown([(REGION_LABELS[r], r) for r in REGIONS], value="upper", label="What the picture shows", elem_classes="fm3-dropdown")
    with gr.Row(visible=preview):
        dx = gr.Slider(-0.3, 0.3, 0, step=0.01, label="Move left / right", elem_id="fm3-tryon-dx")
        dy = gr.Slider(-0.3, 0.3, 0, step=0.01, label="Move up / down", elem_id="fm3-tryon-dy")
        size = gr.Slider(0.5, 1.6, 1, step=0.01, label="Size", elem_id="fm3-tryon-size")
    run = gr.Button("Try it on", variant="primary", elem_id="fm3-tryon-run")
    result = gr.Image(label="Result", interactive=False, format="png", elem_id="fm3-tryon-result")
    message = gr.Markdown(elem_id="fm3-tryon-message")

    def on_try(person_path: str | None, item_id: str | None, picture: str | None, kind: str, *nudge: float) -> tuple[Any, str]:
        if not item_id and not picture:
            return None, "⚠️ Choose a garment first."
        if not person_path:
            return None, "⚠️ Upload a photo of yourself first."
        placement = Placement(dx=float(nudge[0]), dy=float(nudge[1]), size=float(nudge[2]))
        try:
            if picture:
                image = service.virtual_try_on(Path(person_path), garment_image=Path(picture), garment_type=kind, placement=placement)
            else:
                image = service.virtual_try_on(Path(person_path), garment_item_id=item_id, placement=placement)
        except FashionM3Error as error:
            return None, f"⚠️ **{error.title}.** {error}"
        note = "This is a labelled preview (the garment laid over your photo), not AI try-on. Move the sliders to adjust it." if preview else ""
        return image, note

    def on_example(person_path: str, picture: str, kind: str) -> tuple[Any, str]:
        return on_try(person_path, None, picture, kind, 0.0, 0.0, 1.0)

    inputs = [person, garment, garment_image, region, dx, dy, size]
    gr.Examples(tryon_examples(), [person, garment_image, region], [result, message], on_example, cache_examples=True, cache_mode="lazy",
                label="No photo at hand? Drawn figures and garments", api_visibility="private", elem_id="fm3-tryon-examples")  # fmt: skip
    run.click(on_try, inputs, [result, message], api_visibility="private", concurrency_id="gpu", concurrency_limit=GPU_CONCURRENCY)
    if service.tryon.label.startswith("offline"):  # the preview follows the sliders at once (a model run would not)
        for slider in (dx, dy, size):
            slider.change(on_try, inputs, [result, message], api_visibility="private", trigger_mode="always_last")
    return TryOnParts(garment, garment_image)
