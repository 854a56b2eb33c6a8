"""The VLM stylist: a Qwen-VL-family model through transformers, 4-bit NF4 with bitsandbytes, streamed.

Default ``Qwen/Qwen3-VL-4B-Instruct`` (Apache-2.0); any ``AutoModelForImageTextToText`` checkpoint with a chat
template works (``FASHIONM3_VLM_MODEL``). The model is loaded once at startup, as ZeroGPU expects; generation
runs in :func:`gpu_generate` under ``@spaces.GPU`` with a duration computed from the request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import spaces

from fashionm3.deploy.quota import GPUUnavailable, gpu_errors
from fashionm3.errors import Unavailable
from fashionm3.stylist.description import ItemDescription, parse_description
from fashionm3.stylist.prompts import StylistRequest, chat_messages

DEFAULT_VLM = "Qwen/Qwen3-VL-4B-Instruct"
MAX_NEW_TOKENS = 200
SUMMARY_TOKENS = 60
KEEP_UNQUANTIZED = [r".*visual", "lm_head"]  # the vision tower and the output head stay in bf16
_LOADED: dict[str, "VLMStylist"] = {}  # model id -> stylist, so GPU workers find the model loaded at startup


def quantization_config() -> Any:
    """4-bit NF4 with double quantisation and bf16 compute; the vision tower is left unquantised."""
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
        llm_int8_skip_modules=KEEP_UNQUANTIZED,
    )


class VLMStylist:
    """A vision-language model that answers each request with one JSON item description, streamed."""

    def __init__(self, model_id: str = DEFAULT_VLM, device: str = "auto", quantize: bool = True):
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        try:
            self.processor = AutoProcessor.from_pretrained(model_id)
            self.model = AutoModelForImageTextToText.from_pretrained(
                model_id,
                quantization_config=quantization_config() if quantize else None,
                dtype=torch.bfloat16,
                device_map=device,
            ).eval()
        except (OSError, ValueError, ImportError, RuntimeError) as error:
            raise Unavailable(f"Could not load the vision-language model {model_id!r} ({str(error)[:300]}).") from error
        self.model_id = model_id
        self.device = device
        self.label = f"{model_id} ({'4-bit NF4' if quantize else 'bf16'}, transformers) on {device}"
        _LOADED[model_id] = self

    def describe(self, request: StylistRequest, fallback: ItemDescription) -> Iterator[str | ItemDescription]:
        """Stream the model's text, then yield the parsed description (``fallback`` fields fill any gaps)."""
        chunks: list[str] = []
        with gpu_errors():
            for chunk in gpu_generate(self.model_id, chat_messages(request), MAX_NEW_TOKENS):
                chunks.append(chunk)
                yield chunk
        yield parse_description("".join(chunks), fallback)

    def summarize(self, messages: list[dict]) -> str:
        """A short free-text answer (used for the "I prefer ..." sentence); "" when ZeroGPU refuses the call."""
        try:
            with gpu_errors():
                return "".join(gpu_generate(self.model_id, messages, SUMMARY_TOKENS)).strip()
        except GPUUnavailable:
            return ""

    def stream_now(self, messages: list[dict[str, Any]], max_new_tokens: int) -> Iterator[str]:
        """Generate on the current device, yielding decoded text as it is produced."""
        from transformers import TextIteratorStreamer

        inputs = self.processor.apply_chat_template(
            _for_template(messages), add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt"
        ).to(self.model.device)
        streamer = TextIteratorStreamer(self.processor.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=300)
        worker = threading.Thread(
            target=self.model.generate,
            kwargs={**inputs, "streamer": streamer, "max_new_tokens": max_new_tokens, "do_sample": False},
            daemon=True,
        )
        worker.start()
        yield from streamer
        worker.join()


def _for_template(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat templates take ``{"type": "image", "image": <PIL>}`` parts as they are; copy to keep callers' lists."""
    return [{"role": m["role"], "content": list(m["content"])} for m in messages]


def _generate_duration(model_id: str, messages: list[dict[str, Any]], max_new_tokens: int) -> int:
    """ZeroGPU seconds: a base for the prompt and images plus ~40 ms per new token."""
    images = sum(part.get("type") == "image" for m in messages for part in m["content"])
    return int(10 + 3 * images + 0.04 * max_new_tokens)


@spaces.GPU(duration=_generate_duration)
def gpu_generate(model_id: str, messages: list[dict[str, Any]], max_new_tokens: int) -> Iterator[str]:
    """Stream a reply from a model loaded at startup (picklable arguments: ids, text, PIL images)."""
    yield from _LOADED[model_id].stream_now(messages, max_new_tokens)
