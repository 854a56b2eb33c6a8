"""``python -m fashionm3``: the command line."""

import sys

from fashionm3.cli import main

sys.exit(main())
