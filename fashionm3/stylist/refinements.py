"""Refinements said after a recommendation: darker, lighter, cheaper, pricier, more formal, more casual.

Each axis (shade, price, formality) gets at most one refinement, from the first of its rules that matches, so
"not so dark" is lighter and "too casual" is more formal. Comparatives ("darker", "cheaper", "dressier") count in
any message; plain words ("dark", "cheap", "expensive", "formal", "smart", "casual") only in a follow-up, a message
that names no category right after an answer ("hmm, too pricey", "something dark please", "formal please").
"""

from __future__ import annotations

import re

# (refinement, pattern, counts only in a follow-up), per axis in the order tried.
RULES = {
    "shade": (
        ("lighter", r"not (?:so|that|too) dark|less dark|too dark", False),
        ("darker", r"not (?:so|that|too) (?:bright|light|pale|loud)|less bright|too (?:bright|light|pale|loud|flashy)", False),
        ("darker", r"(?:darker|deeper)(?: (?:shade|tone|colou?r)s?)?|(?:a )?(?:shade|tone) (?:darker|deeper)", False),
        ("lighter", r"(?:lighter|brighter|paler)(?: (?:shade|tone|colou?r)s?)?|(?:a )?(?:shade|tone) (?:lighter|brighter)", False),
        ("darker", r"dark|more dark|deep|muted|subdued|sober", True),
        ("lighter", r"light|more light|bright|pale|pastel|softer colou?rs?", True),
    ),
    "price": (
        ("cheaper", r"not (?:so|that|too) (?:expensive|pricey)|less (?:expensive|pricey|costly)|too (?:much )?(?:expensive|pricey|costly)"
                    r"|(?:over|above|out of) my (?:budget|price range)|lower price|more affordable|on a budget", False),
        ("pricier", r"too cheap|cheap[- ]looking|more expensive|pricier|more premium|higher[- ]end|better quality", False),
        ("cheaper", r"cheaper|more cheap|cheapr|cheeper|chepaer|(?:go|come|bit|little|much) lower", False),
        ("cheaper", r"cheap|inexpensive|expensive|pric(?:e)?y|costly|affordable|budget|cost less|bargain|save money", True),
        ("pricier", r"premium|luxur(?:y|ious)|splurge|designer|high quality", True),
    ),
    "formality": (
        ("more formal", r"too casual|less casual|not (?:so|that) casual", False),
        ("more casual", r"too (?:formal|dressy|smart)|less (?:formal|dressy)|not (?:so|that) (?:formal|dressy)", False),
        ("more formal", r"more formal|dressier|smarter|more elegant|more classy|classier|fancier|more polished", False),
        ("more casual", r"more casual|more relaxed|dress(?:ed)? down", False),
        ("more formal", r"formal|dressy|smart|elegant|classy|fancy|posh|sophisticated|polished|sharp", True),
        ("more casual", r"casual|relaxed|laid[- ]back|chill|everyday", True),
    ),
}  # fmt: skip


COMPILED = {axis: [(name, re.compile(rf"\b(?:{pattern})\b"), loose) for name, pattern, loose in rules]
            for axis, rules in RULES.items()}  # fmt: skip
COMPARATIVES = re.compile(
    "|".join(rf"\b(?:{pattern})\b" for rules in RULES.values() for _, pattern, loose in rules if not loose), re.IGNORECASE
)


def find_refinements(text: str, follow_up: bool = False) -> list[str]:
    """Refinement names said in ``text`` (plain words such as "dark" or "formal" only when ``follow_up``)."""
    lower = text.lower()
    found = []
    for rules in COMPILED.values():
        name = next((name for name, pattern, loose in rules if (follow_up or not loose) and pattern.search(lower)), None)
        found += [name] if name else []
    return found


def without_refinements(text: str) -> str:
    """``text`` with its comparatives cut out, so "something dressier" names no dress and "smarter" no item."""
    return COMPARATIVES.sub(" ", text)
