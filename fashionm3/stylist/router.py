"""Task routing: which of FashionM3's tasks a message asks for (or the one the user picked)."""

from __future__ import annotations

import re

TASKS = ("auto", "basic", "personalized", "alternative", "search", "generate", "try_on")
RECOMMEND_TASKS = ("basic", "personalized", "alternative", "search")

_PATTERNS = {
    "try_on": r"\btry (?:it|this|that|them|one)? ?on\b|\bon me\b|\bvirtual(?:ly)? try",
    "generate": r"\bwhat (?:it|that|this|they|the \w+) (?:would )?looks? like\b|\bvisuali[sz]e\b|\bgenerate\b|"
    r"\brender\b|\bdraw (?:it|that|this|me)\b|\bpicture of (?:it|that|this)\b|\bimage of (?:it|that|this)\b",
    "alternative": r"\balternatives?\b|\binstead\b|\breplace\b|\bswap\b|\bsomething else\b|\banother (?:one|option)\b|"
    r"\bdifferent (?:one|option)\b|\bother options?\b|\bnot (?:this|that) one\b",
    "personalized": r"\bfor me\b|\bmy (?:style|taste|preferences?|history|likes)\b|\bpersonali[sz]ed?\b|"
    r"\bbased on (?:my|what i)\b|\bsuits? me\b|\bi(?:'d| would) like\b|\bwhat i like\b",
    "basic": r"\bgoes? with\b|\bgo with\b|\bcomplete\b|\bmatch(?:es|ing)?\b|\bpair(?:s|ed)? with\b|\bwear with\b|"
    r"\bmy outfit\b|\bthis outfit\b|\bto wear\b|\bmissing\b|\bfinish\b",
}


def route(message: str, requested: str = "auto", has_outfit: bool = False, previous: str = "", refining: bool = False) -> str:
    """The task for this turn.

    An explicit ``requested`` task wins. Otherwise: try-on and image hand-offs, then alternatives, then
    personalised requests; a refinement ("darker", "cheaper") repeats the previous recommendation task; a
    message about an outfit (or any message once photos were given) is a basic recommendation; the rest is a
    plain catalog search.
    """
    requested = (requested or "auto").strip().lower().replace("-", "_")
    if requested not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}")
    if requested != "auto":
        return requested
    lower = " ".join(message.lower().split())
    for task in ("try_on", "generate", "alternative", "personalized"):
        if re.search(_PATTERNS[task], lower):
            return task
    if refining and previous in RECOMMEND_TASKS:
        return previous
    if has_outfit or re.search(_PATTERNS["basic"], lower):
        return "basic"
    return "search"
