"""Task routing: which of FashionM3's tasks a message asks for (or the one the user picked)."""

from __future__ import annotations

import re

TASKS = ("auto", "basic", "personalized", "alternative", "search", "generate", "try_on")
RECOMMEND_TASKS = ("basic", "personalized", "alternative", "search")
GREETING = re.compile(r"(?:hi+|hello|hey+|hiya|yo|good (?:morning|afternoon|evening))(?: there)?[\s!.,:)]*")
THANKS = re.compile(r"(?:(?:ok(?:ay)?|great),? )?(?:thanks?(?: you)?(?: so much| a lot)?|thx|ty|cheers|bye)[\s!.,:)]*")

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


def small_talk(text: str, answered: bool) -> str:
    """The reply to a message that asks for nothing ("hi", "thanks", "?"), or "" for a request."""
    lower = text.lower().strip()
    if THANKS.fullmatch(lower):
        return "You are welcome." + (" Ask for another piece, or change the last answer (“darker”, “cheaper”)." * answered)
    greeting = bool(GREETING.fullmatch(lower))
    if greeting or not any(character.isalnum() for character in lower):
        return ("Hello! " * greeting + "Tell me what you are looking for (for example “black "
                "sneakers under 80” or “a dress for a summer wedding”), or send a photo of your outfit.")
    return ""


def asks_for_alternative(message: str) -> bool:
    """Whether the message itself asks for another item ("another one", "something else"), not only a change."""
    return bool(re.search(_PATTERNS["alternative"], " ".join(message.lower().split())))
