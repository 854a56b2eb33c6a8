"""Evaluations: ``python -m fashionm3 eval stylist|generation``."""

from pathlib import Path

# The stylist's written request sets: the tuned-on templates, then the held-out set written by hand.
REQUEST_SETS = (Path(__file__).with_name("stylist_requests.jsonl"), Path(__file__).with_name("stranger_requests.jsonl"))
