"""FashionM3 Space entry point: build the service and the UI, then launch (``python app.py``)."""

import spaces  # noqa: F401  (ZeroGPU: must be imported before anything initialises CUDA)

import logging
import sys

from fashionm3.errors import FashionM3Error
from fashionm3.service import FashionM3
from fashionm3.ui.app import build_demo, launch_options

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

try:
    service = FashionM3.start()
except FashionM3Error as error:  # a startup fault: one line naming the file and the fix, exit status 1
    sys.exit(f"FashionM3 cannot start: {error}")
demo = build_demo(service)

if __name__ == "__main__":
    demo.launch(**launch_options(service))
