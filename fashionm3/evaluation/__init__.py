"""Evaluations: ``python -m fashionm3 eval stylist|generation``."""

from pathlib import Path

# The stylist's written request sets: the templates and eleven sets written by hand by people who never saw the code
# (all twelve tuned on; "blind" was held out until its texts were seen by mistake), then four held-out sets, each
# written by another person who saw neither the code nor the other sets (never tuned on, their failures never read).
REQUEST_SETS = tuple(
    Path(__file__).with_name(f"{name}_requests.jsonl")
    for name in ("stylist", "stranger", "second", "third", "fourth", "blind", "fifth", "sixth", "seventh",
                 "eighth", "ninth", "tenth", "fresh", "sealed", "final", "unseen")
)
