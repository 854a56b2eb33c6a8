"""Tiny, randomly initialised models of the real architectures, built offline for tests."""

from __future__ import annotations

import json
from pathlib import Path

TINY_CLIP = "fm3-tiny-clip"


def register_tiny_open_clip(folder: Path) -> str:
    """Register a 2-layer ViT / 2-layer text transformer CLIP config (64 px, 32-d) with open_clip."""
    import open_clip

    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "embed_dim": 32,
        "vision_cfg": {"image_size": 64, "layers": 2, "width": 64, "patch_size": 16, "head_width": 32},
        "text_cfg": {"context_length": 32, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 2},
    }
    (folder / f"{TINY_CLIP}.json").write_text(json.dumps(config))
    open_clip.add_model_config(folder)
    return TINY_CLIP
