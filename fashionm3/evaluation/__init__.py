"""Evaluations: ``python -m fashionm3 eval stylist|generation``."""

from pathlib import Path

# The stylist's written request sets: the templates and two sets written by hand by people who never saw the code
# (all three tuned on), then the held-out set, written last by another person who saw neither the code nor the other
# sets (never tuned on).
REQUEST_SETS = tuple(
    Path(__file__).with_name(f"{name}_requests.jsonl") for name in ("stylist", "stranger", "second", "fresh")
)
