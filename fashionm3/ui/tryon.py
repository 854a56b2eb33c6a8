"""The Try-on tab: a person photo plus a catalog garment or a garment picture (generated or uploaded)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import gradio as gr

from fashionm3.errors import FashionM3Error
from fashionm3.service import FashionM3
from fashionm3.ui.cards import item_caption


@dataclasses.dataclass
class TryOnParts:
    """What other tabs set when they send a garment here."""

    garment: gr.Dropdown
    garment_image: gr.Image


def build_tryon_tab(service: FashionM3) -> TryOnParts:
    """Person photo, garment (catalog item or picture), result, and the backend's name."""
    gr.Markdown("Upload a photo of yourself and choose a catalog garment, or a garment picture, to see it on you.")
    gr.Markdown(f"Try-on backend: **{service.tryon.label}**", elem_id="fm3-tryon-backend")
    with gr.Row():
        person = gr.Image(label="Your photo", type="filepath", sources=["upload", "webcam"], elem_id="fm3-tryon-person")
        with gr.Column():
            apparel = [(item_caption(item), item.id) for item in service.catalog.items if item.master_category == "Apparel"]
            garment = gr.Dropdown(apparel, label="Catalog garment", elem_id="fm3-tryon-garment")
            garment_image = gr.Image(label="…or a garment picture (used when set)", type="filepath", height=200, elem_id="fm3-tryon-garment-image")
    run = gr.Button("Try it on", variant="primary")
    result = gr.Image(label="Result", interactive=False)
    message = gr.Markdown(elem_id="fm3-tryon-message")

    def on_try(person_path: str | None, item_id: str | None, picture: str | None) -> tuple[Any, str]:
        if not item_id and not picture:
            return None, "⚠️ Choose a garment first."
        if not person_path:
            return None, "⚠️ Upload a photo of yourself first."
        try:
            if picture:
                return service.virtual_try_on(Path(person_path), garment_image=Path(picture)), ""
            return service.virtual_try_on(Path(person_path), garment_item_id=item_id), ""
        except FashionM3Error as error:
            return None, f"⚠️ {error}"

    run.click(on_try, [person, garment, garment_image], [result, message], api_visibility="private")
    return TryOnParts(garment, garment_image)
