"""Budgets in free wording: "under 50", "max 40", "50 bucks", "no more than sixty", "between $30 and $60",
"around 150" (within a fifth of it).

Read from the lower-cased message before negations are cut out, so "no more than 60" and "not over 60" are
budgets, not a negated "more". An amount with a currency and no comparison ("shoes, 50 dollars") is a budget.
"""

from __future__ import annotations

import re

UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
NAMES = "|".join(sorted(UNITS, key=len, reverse=True))  # "sixty" before "six"
DIGIT_NAMES = "|".join(name for name, value in UNITS.items() if value < 10)
WORD_NUMBER = rf"(?:(?:a|{NAMES})[\s-]+)?hundred(?:[\s-]+(?:and[\s-]+)?(?:{NAMES}))?|(?:{NAMES})(?:[\s-]+(?:{DIGIT_NAMES}))?"
CURRENCY = r"(?:[$€£¥₹]|usd|eur|euros?|dollars?|bucks|quid|pounds?|gbp|rs\.?|rupees?|inr)"
DIGITS = r"\d+(?:[.,]\d)?k(?![a-z])|\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:[.,]\d{1,2}(?!\d))?"  # 2k, 1,000, 12.50 / 12,50
AMOUNT = rf"(?:{CURRENCY}\s*)?({DIGITS}|{WORD_NUMBER})(?:\s*{CURRENCY})?"
AT_MOST = (r"under|undr|unde|bellow|below|beneath|less than|less then|less of|lower than|cheaper than|max(?:imum)?(?: of)?|up ?to|"
           r"at most|no more than|not more than|no more then|not more then|not more|no more|not over|not above|"
           r"within|budget(?: is| of)?:?|spend(?:ing)?(?: up to)?|till|until|<=?|≤|nothing (?:over|above|more than)|"
           r"no (?:higher|more) than|not exceeding|"
           r"(?:can'?t|cannot|won'?t) (?:go |spend )?(?:beyond|over|above|more than)|"
           r"(?:go|goes|going|come|bring it) (?:a bit |much )?(?:lower|down|cheaper),? (?:like|say|to|maybe)?")  # fmt: skip
AT_LEAST = r"over|above|more than|more then|at least|min(?:imum)?(?: of)?|starting at|>=?|≥"
PRICE_MAX = re.compile(rf"(?<![a-z])(?:{AT_MOST})\s*{AMOUNT}|{AMOUNT}\s*(?:or less|or under|or below|or cheaper|max(?:imum)?|"
                       rf"tops|at most|at the most|at the very most|is (?:the|my) (?:most|max(?:imum)?|limit))\b")  # fmt: skip
PRICE_MIN = re.compile(rf"(?<![a-z])(?:{AT_LEAST})\s*{AMOUNT}|{AMOUNT}\s*(?:or more|or above|at least|minimum|min)\b")
PRICE_RANGE = re.compile(rf"(?<![a-z])between\s*{AMOUNT}\s*(?:and|-|to)\s*{AMOUNT}|"
                         rf"{CURRENCY}\s*(\d+)\s*(?:-|to)\s*{CURRENCY}?\s*(\d+)")  # fmt: skip
AROUND = re.compile(rf"(?<![a-z])(?:around|about|approximately|approx\.?|roughly|circa|~)\s*{AMOUNT}"
                    r"(?![\d.,]|\s*(?:days?|weeks?|months?|years?|hours?|minutes?|times|people|guests|km|miles|kg|cm"
                    r"|tops|max(?:imum)?|at (?:the )?most|or less|or under)\b)")  # "about £50 tops" is at most 50
BARE_AMOUNT = re.compile(rf"{CURRENCY}\s*({DIGITS})|(?<![\w.])({DIGITS})\s*{CURRENCY}(?![a-z])")


def number(words: str) -> float:
    """"60" -> 60, "12,50" -> 12.5, "1,000" -> 1000, "fifty" -> 50, "a hundred and twenty" -> 120, "forty five" -> 45."""
    words = words.strip()
    if words.endswith("k") and words[:1].isdigit():  # "2k" = 2000
        return 1000 * float(words[:-1].replace(",", "."))
    if words[:1].isdigit():
        return float(words.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", words) else words.replace(",", "."))
    value, parts = 0, re.split(r"[\s-]+", words)
    if "hundred" in parts:
        at = parts.index("hundred")
        value = 100 * (UNITS.get(parts[at - 1], 1) if at else 1)
        parts = parts[at + 1 :]
    return float(value + sum(UNITS.get(part, 0) for part in parts))


def _amount(match: re.Match) -> float:
    return number(next(group for group in match.groups() if group))


def parse_budget(text: str) -> dict[str, float]:
    """``{"price_max": ..., "price_min": ...}`` for the budget said in ``text`` (either may be absent)."""
    lower = " " + text.lower() + " "
    found: dict[str, float] = {}
    if match := PRICE_RANGE.search(lower):
        low, high = sorted(number(group) for group in match.groups() if group)
        found, lower = {"price_min": low, "price_max": high}, lower.replace(match.group(0), " ")
    if (match := AROUND.search(lower)) and not found:  # "around fifty": within a fifth of it
        amount = _amount(match)
        found = {"price_min": round(amount * 0.8, 2), "price_max": round(amount * 1.2, 2)}
        lower = lower.replace(match.group(0), " ")
    if (match := PRICE_MAX.search(lower)) and "price_max" not in found:
        found["price_max"], lower = _amount(match), lower.replace(match.group(0), " ")
    if (match := PRICE_MIN.search(lower)) and "price_min" not in found:
        found["price_min"], lower = _amount(match), lower.replace(match.group(0), " ")
    if not found and (match := BARE_AMOUNT.search(lower)):
        found["price_max"] = _amount(match)
    return found


CURRENCIES = {
    "$": r"\$|usd|dollars?|bucks", "€": r"€|eur|euros?", "£": r"£|gbp|pounds?|quid", "₹": r"₹|inr|rs\.?|rupees?",
}  # fmt: skip


def currency_of(text: str) -> str:
    """The currency a text names ("40 euros" -> "€", "USD" -> "$"), or "" when it names none."""
    lower = text.lower()
    named = (symbol for symbol, words in CURRENCIES.items() if re.search(rf"(?<![a-z])(?:{words})(?![a-z])", lower))
    return next(named, "")
