"""The Try-on tab: a person photo plus a catalog garment or a garment picture (generated or uploaded)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import gradio as gr

from fashionm3.errors import FashionM3Error
from fashionm3.service import FashionM3
from fashionm3.tryon.examples import example_people
from fashionm3.tryon.garments import REGIONS
from fashionm3.tryon.preview import CutoutPreview, Placement
from fashionm3.ui.cards import item_caption


@dataclasses.dataclass
class TryOnParts:
    """What other tabs set when they send a garment here."""

    garment: gr.Dropdown
    garment_image: gr.Image


def build_tryon_tab(service: FashionM3) -> TryOnParts:
    """Person photo, garment (catalog item or picture), placement for the preview, result, and the backend's name."""
    gr.Markdown("Upload a photo of yourself and choose a catalog garment, or a garment picture, to see it on you.")
    gr.Markdown(f"Try-on backend: **{service.tryon.label}**", elem_id="fm3-tryon-backend")
    with gr.Row():
        person = gr.Image(label="Your photo", type="filepath", sources=["upload", "webcam"], elem_id="fm3-tryon-person")
        with gr.Column():
            apparel = [(item_caption(item), item.id) for item in service.catalog.items if item.master_category == "Apparel"]
            garment = gr.Dropdown(apparel, label="Catalog garment", elem_id="fm3-tryon-garment")
            garment_image = gr.Image(label="…or a garment picture (used when set)", type="filepath", height=200, elem_id="fm3-tryon-garment-image")
            region = gr.Dropdown(list(REGIONS), value="upper", label="Garment type (for pictures)")
    preview = isinstance(service.tryon, CutoutPreview)
    with gr.Row(visible=preview):
        x = gr.Slider(0, 1, 0.5, step=0.01, label="Horizontal position")
        y = gr.Slider(0, 1, 0.45, step=0.01, label="Vertical position")
        scale = gr.Slider(0.1, 1.5, 0.5, step=0.01, label="Size (share of the photo's width)")
    gr.Examples(example_people(service.settings.data_dir / "examples"), inputs=person, label="No photo at hand? Drawn example figures")
    run = gr.Button("Try it on", variant="primary", elem_id="fm3-tryon-run")
    result = gr.Image(label="Result", interactive=False, format="png", elem_id="fm3-tryon-result")
    message = gr.Markdown(elem_id="fm3-tryon-message")

    def on_try(person_path: str | None, item_id: str | None, picture: str | None, kind: str, *where: float) -> tuple[Any, str]:
        if not item_id and not picture:
            return None, "⚠️ Choose a garment first."
        if not person_path:
            return None, "⚠️ Upload a photo of yourself first."
        placement = Placement(*where)
        try:
            if picture:
                image = service.virtual_try_on(Path(person_path), garment_image=Path(picture), garment_type=kind, placement=placement)
            else:
                image = service.virtual_try_on(Path(person_path), garment_item_id=item_id, placement=placement)
        except FashionM3Error as error:
            return None, f"⚠️ {error}"
        note = "This is a labelled preview (the garment laid over your photo), not AI try-on." if preview else ""
        return image, note

    run.click(on_try, [person, garment, garment_image, region, x, y, scale], [result, message], api_visibility="private")
    return TryOnParts(garment, garment_image)
