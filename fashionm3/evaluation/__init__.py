"""Evaluations: ``python -m fashionm3 eval stylist|generation``."""

from pathlib import Path

# The stylist's written request sets: the templates and the first hand-written set (both tuned on), then the
# held-out set, written by hand by someone who saw neither the code nor the other sets (never tuned on).
REQUEST_SETS = tuple(Path(__file__).with_name(f"{name}_requests.jsonl") for name in ("stylist", "stranger", "heldout"))
