"""ZeroGPU refusals (daily quota used up, no GPU free in the queue) turned into clear messages.

``spaces`` 0.51 refuses a GPU call by raising ``gr.Error(message, title=...)`` from its scheduler before the function
runs (``spaces/zero/client.py``: titles "ZeroGPU quota exceeded", "ZeroGPU queue timeout", "ZeroGPU illegal duration",
"ZeroGPU pending credits exceeded", "ZeroGPU client error"). Backends wrap their GPU calls in :func:`gpu_errors`, which
re-raises these as :class:`GPUUnavailable`; the service then answers with the offline backend and says why.
Read by the title attribute only, so domain code never imports Gradio.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from fashionm3.errors import Unavailable

QUOTA_TITLES = ("ZeroGPU quota exceeded", "ZeroGPU pending credits exceeded")
QUEUE_TITLES = ("ZeroGPU queue timeout", "ZeroGPU client error")
QUOTA_MESSAGE = (
    "The free GPU minutes for today are used up: log in with a Hugging Face account for more (PRO accounts get the "
    "most), or come back later."
)
QUEUE_MESSAGE = "No GPU was free in time (the shared ZeroGPU queue is full): try again in a minute."
DURATION_MESSAGE = "This request needs more GPU time than ZeroGPU allows in one call: ask for fewer or smaller images."


class GPUUnavailable(Unavailable):
    """ZeroGPU refused this call (quota, queue or duration); ``detail`` is what ``spaces`` said."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail


def gpu_failure(error: BaseException) -> GPUUnavailable | None:
    """The :class:`GPUUnavailable` a ZeroGPU refusal stands for, or None for any other error."""
    title = str(getattr(error, "title", "") or "")
    if not title.startswith("ZeroGPU"):
        return None
    detail = str(getattr(error, "message", "") or error)
    if title in QUOTA_TITLES:
        return GPUUnavailable(QUOTA_MESSAGE, detail)
    if title in QUEUE_TITLES:
        return GPUUnavailable(QUEUE_MESSAGE, detail)
    return GPUUnavailable(DURATION_MESSAGE, detail)


@contextlib.contextmanager
def gpu_errors() -> Iterator[None]:
    """Re-raise ZeroGPU refusals inside the block as :class:`GPUUnavailable` (other errors pass unchanged)."""
    try:
        yield
    except Exception as error:
        failure = gpu_failure(error)
        if failure is None:
            raise
        raise failure from error
