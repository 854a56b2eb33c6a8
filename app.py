"""FashionM3 Space entry point: build the service and the UI, then launch (``python app.py``)."""

import spaces  # noqa: F401  (ZeroGPU: must be imported before anything initialises CUDA)

import logging
import sys

from fashionm3.errors import FashionM3Error
from fashionm3.service import FashionM3
from fashionm3.ui.app import build_demo, launch_options

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

try:  # a large catalog's background indexing is held until the page answers
    service = FashionM3.start(hold_indexing=True)
except FashionM3Error as error:  # a startup fault: one line naming the file and the fix, exit status 1
    sys.exit(f"FashionM3 cannot start: {error}")
demo = build_demo(service)

if __name__ == "__main__":
    demo.launch(**launch_options(service), prevent_thread_lock=True)
    service.release_indexing()
    demo.block_thread()
else:  # imported by another runner (gradio reload, a test): nothing releases after a launch, so begin now
    service.release_indexing()
