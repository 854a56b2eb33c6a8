"""Understand a free-text shopping query: filters (gender, category, colour, usage, season, price), brands and
patterns found in product names, and negations ("not black", "without stripes") that keep items out.

The text is first rewritten into the catalog's words (``lexicon.normalise``: non-English words, misspellings).
Only values that exist in the catalog become filters, so a query can never filter on something the catalog
does not have.
"""

from __future__ import annotations

import dataclasses
import functools
import re

import numpy as np

from fashionm3.catalog.schema import Catalog
from fashionm3.retrieval.lexicon import PATTERN_WORDS, Speller, fold, normalise
from fashionm3.retrieval.prices import parse_budget

GENDER_WORDS = {
    "Men": ("men", "man", "mens", "men's", "male", "guy", "guys", "lad", "lads", "bloke", "dude", "dudes", "gent",
            "gents", "gentleman", "gentlemen", "boyfriend", "husband", "grandad", "granddad", "grandpa", "grandfather",
            "nephew"),
    "Women": ("women", "woman", "womens", "women's", "female", "lady", "ladies", "girlfriend", "wife", "girl", "girls",
              "girl's", "gal", "gals", "niece"),
    "Boys": ("boy", "boys", "boy's", "son"),
    "Girls": ("daughter", "little girl", "baby girl", "schoolgirl"),
    "Unisex": ("unisex", "gender neutral", "gender-neutral"),
}
ADULT = {"Boys": "Men", "Girls": "Women"}
UNISEX_ALLOWED = re.compile(r"\b(?:(?:do ?n'?t|do not) mind (?:if )?(?:it'?s |they'?re )?|or |even |incl\w* )unisex\b"
                            r"|\bunisex (?:is |are |would be |also |too )?(?:\w+ )?(?:fine|ok|okay|good|works?)\b")
# "a girl" (a niece, a nephew) is most often a young adult; with a child's age or a child word a child ("for a 6 year
# old girl"); "little" is no child word ("a little black dress")
BAGS = ("Handbags", "Backpacks", "Laptop Bag", "Messenger Bag", "Duffel Bag", "Clutches")  # "a bag": the usual kinds
AMOUNT_TOPS = re.compile(r"(?<=\d)(?:\s*(?:[$€£₹]|bucks|quid|pounds?|dollars?|euros?))?\s*tops\b(?=\s*(?:$|[,.!?;]))")
CHILD = re.compile(r"\b(?:kids?|child(?:ren)?|toddler|baby(?! (?:blue|pink|shower|bump))|little (?:girl|boy|one)s?"
                   r"|aged? (?:[2-9]|1[0-2])|(?:[2-9]|1[0-2])[- ]?(?:years?|yrs?|yo)"
                   r"|(?:he|she)(?:'s| is) (?:[1-9]|1[0-2])(?![\d.:'\"%]| ?(?:cm|kg|ft|feet|foot|inch|in\b|lbs?\b|st\b|"
                   r"months?|weeks?|days?|hours?|hrs?|mins?|minutes?|times?|[ap]\.?m\b|o'?clock|pm|am\b)))\b")
GROWN_UP = re.compile(r"\b(?:(?:she|he)(?:'s| is) (?:1[3-9]|[2-9]\d)\b|(?:1[3-9]|[2-9]\d)[- ]?(?:years?|yrs?|yo)\b"
                      r"|(?:boy|girl|son|daughter)\W+(?:(?!size|waist)[a-z]+\W+){0,2}?(?:1[3-9]|[2-9]\d)\b(?! ?(?:cm|kg|inch|in\b))"
                      r"|in (?:her|his) (?:teens|[2-9]0s)|grown[- ]up|adult|college|university|uni\b|graduat)")
# Words for a narrower kind than the catalog type they are read as ("boots" are casual shoes here, but a casual shoe
# is not a boot): an item found through them is never claimed to match
NARROWER = re.compile(r"\b(?:boots?|loafers?|brogues?|oxfords?|pumps|stilettos?|cardigans?|coats?|polos?|slippers?"
                      r"|beanies?|hats?|blouses?|chinos|joggers|fleeces?|aviators|hoodies?|sundress(?:es)?"
                      r"|raincoats?)\b", re.I)
# A dress code names no tie: "a black tie dinner", "it's white tie" (but "a black tie for my suit" is a tie)
DRESS_CODE = re.compile(
    r"\b(?:black|white)[- ]tie(?= (?:dinner|event|gala|wedding|party|affair|do|ball|reception|dress code|optional)\b)"
    r"|\b(?<=is |'s )(?:black|white)[- ]tie\b", re.I
)
JEWELLERY = ("Earrings", "Necklace and Chains", "Pendant", "Bracelet", "Ring", "Bangle", "Jewellery Set")
# synonym -> catalog article types it may mean (kept only if present in the catalog)
ARTICLE_SYNONYMS = {
    "tee": ("Tshirts",), "tees": ("Tshirts",), "t-shirt": ("Tshirts",), "t-shirts": ("Tshirts",),
    "tshirt": ("Tshirts",), "t shirt": ("Tshirts",), "polo": ("Tshirts",),
    "sneaker": ("Casual Shoes", "Sports Shoes"), "sneakers": ("Casual Shoes", "Sports Shoes"),
    "trainers": ("Sports Shoes", "Casual Shoes"), "running shoes": ("Sports Shoes",),
    "shoes": ("Casual Shoes", "Formal Shoes", "Sports Shoes", "Heels", "Flats"),
    "trousers": ("Trousers",), "pants": ("Trousers", "Track Pants"), "pant": ("Trousers", "Track Pants"), "chinos": ("Trousers",),
    "slacks": ("Trousers",), "joggers": ("Track Pants",), "denim": ("Jeans",),
    "purse": ("Handbags", "Clutches", "Wallets"), "handbag": ("Handbags",), "bag": BAGS,
    "tote": ("Handbags",), "clutch": ("Clutches",), "rucksack": ("Backpacks",),
    "pumps": ("Heels",), "stilettos": ("Heels",), "high heels": ("Heels",),
    "jumper": ("Sweaters",), "pullover": ("Sweaters",), "cardigan": ("Sweaters",), "hoodie": ("Sweatshirts",),
    "coat": ("Jackets",), "blazer": ("Jackets", "Blazers"), "shades": ("Sunglasses",), "hat": ("Caps",),
    "frock": ("Dresses",), "gown": ("Dresses",), "blouse": ("Tops", "Shirts"),
    "boots": ("Casual Shoes",), "loafers": ("Casual Shoes", "Formal Shoes"), "brogues": ("Formal Shoes",),
    "oxfords": ("Formal Shoes",), "sandals": ("Sandals", "Sports Sandals"), "beanie": ("Caps",),
    "tie": ("Ties",), "ties": ("Ties",), "scarf": ("Scarves", "Stoles"), "skirt": ("Skirts",), "vest": ("Innerwear Vests",),
    "slippers": ("Flip Flops",), "flipflops": ("Flip Flops",), "spectacles": ("Sunglasses",),
    # a garment word used as a modifier names no item of its own ("a denim jacket" is a jacket)
    "denim jacket": ("Jackets",), "jean jacket": ("Jackets",), "denim shirt": ("Shirts",), "denim skirt": ("Skirts",),
    "denim shorts": ("Shorts",), "denim dress": ("Dresses",), "shirt dress": ("Dresses",), "sweater dress": ("Dresses",),
    "eyewear": ("Sunglasses",), "aviators": ("Sunglasses",), "sunnies": ("Sunglasses",), "headwear": ("Caps",),
    "dress code": (), "dress codes": (), "dressed": (), "dress up": (),  # no dress is asked for
    "fleece": ("Sweatshirts", "Jackets"), "neckwear": ("Necklace and Chains", "Pendant", "Scarves", "Ties"),
    "ear jewellery": ("Earrings",), "handwear": ("Bracelet", "Bangle", "Ring"), "six yards": ("Sarees",),
    "kurta pajama": ("Kurta Sets",), "kurta pyjama": ("Kurta Sets",), "to tie": (), "money holder": ("Wallets",),
    "warm top": ("Sweaters", "Sweatshirts"),
    "card holder": ("Wallets",), "jewellery": JEWELLERY, "jewelry": JEWELLERY, "lowers": ("Track Pants",),
    "flat shoes": ("Flats",), "flat ones": ("Flats",), "flat pair": ("Flats",), "ballet flats": ("Flats",),
    "for my waist": ("Belts",), "round my waist": ("Belts",), "around my waist": ("Belts",), "for the waist": ("Belts",),
    "kicks": ("Casual Shoes", "Sports Shoes"), "chappals": ("Sandals", "Flip Flops"),
    "laptop bag": ("Laptop Bag", "Backpacks", "Messenger Bag"), "bag for my laptop": ("Laptop Bag", "Backpacks", "Messenger Bag"),
    "bag for a laptop": ("Laptop Bag", "Backpacks", "Messenger Bag"), "laptop backpack": ("Backpacks", "Laptop Bag"),
    # British and everyday names
    "trackies": ("Track Pants",), "tracksuit bottoms": ("Track Pants",), "sliders": ("Flip Flops", "Sports Sandals"),
    "braces": ("Suspenders",), "pyjamas": ("Night suits", "Nightdress"), "pajamas": ("Night suits", "Nightdress"),
    "nightgown": ("Nightdress",), "nightie": ("Nightdress",), "timepiece": ("Watches",),
    "raincoat": ("Rain Jacket", "Jackets"),
    "stole": ("Stoles", "Scarves"), "stoles": ("Stoles", "Scarves"), "heeled": ("Heels",),
    "sweatpants": ("Track Pants",),
    "cards and cash": ("Wallets",), "cash and cards": ("Wallets",), "my cards": ("Wallets",),
    "pjs": ("Night suits", "Nightdress"), "vest top": ("Tops", "Camisoles"), "tank top": ("Tops", "Camisoles"),
}  # fmt: skip
COLOUR_SYNONYMS = {
    "navy": "Navy Blue", "gray": "Grey", "burgundy": "Maroon", "wine": "Maroon", "crimson": "Red",
    "scarlet": "Red", "ivory": "Cream", "tan": "Brown", "camel": "Beige", "golden": "Gold", "violet": "Purple",
    "lilac": "Lavender", "mint": "Green", "charcoal": "Grey",
}  # fmt: skip
USAGE_WORDS = {
    "Party": ("party", "parties", "clubbing", "night out", "cocktail", "wedding guest"),
    "Formal": ("formal", "office", "work", "business", "interview", "meeting", "professional"),
    "Sports": ("sport", "sports", "sporty", "sportier", "gym", "running", "workout", "training", "athletic"),
    "Casual": ("casual", "everyday", "relaxed"),
    "Ethnic": ("ethnic", "traditional", "festive"),
}
SEASON_WORDS = {
    "Summer": ("summer", "hot weather", "beach"), "Winter": ("winter", "cold weather", "snow"),
    "Fall": ("fall", "autumn"), "Spring": ("spring",),
}  # fmt: skip

# "(F)", "(M, 40)", "F, 26", "26M": the shorthand people sign a request with
GENDER_SHORTHAND = re.compile(r"\(\s*([fm])\b|\b([fm])\s*,?\s*\d{2}\b|\b\d{2}\s*([fm])\b", re.I)

# When the filters leave too few items, drop them in this order (explicit filters are never dropped).
# ``brand`` and ``pattern`` are matched against product names, not catalog columns.
RELAX_ORDER = ("season", "usage", "price_min", "pattern", "colour", "brand", "gender", "article_type", "price_max")
NAME_FILTERS = ("brand", "pattern")
GENDER_NAME_WORDS = {"men", "women", "boys", "girls", "unisex", "kids", "boy", "girl", "man", "woman"}
FUNCTION_WORDS = {
    "for", "the", "and", "of", "with", "by", "in", "to", "from", "new", "my", "your", "a", "an", "any", "just",
    "her", "him", "his", "she", "he", "me", "you", "our", "their", "it", "its", "we", "us", "them",
}
PATTERN_SHOWN = {"strip": "striped", "check": "checked", "print": "printed", "solid": "solid"}


@dataclasses.dataclass
class ParsedQuery:
    """Filters understood from the text, the words left for semantic matching, and what the text rules out.

    ``filters`` hold catalog columns only; ``names`` hold ``brand`` / ``pattern`` words matched against product
    names; ``excluded`` (columns) and ``excluded_words`` (name words) come from negations.
    """

    text: str
    filters: dict[str, list[str] | float] = dataclasses.field(default_factory=dict)
    semantic: str = ""
    names: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    excluded: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    excluded_words: list[str] = dataclasses.field(default_factory=list)

    def describe(self) -> str:
        """Human-readable understanding, e.g. ``gender: Men · colour: Navy Blue · brand: puma · not colour: Black``."""
        parts = []
        for name, value in self.filters.items():
            shown = " or ".join(value) if isinstance(value, list) else f"{value:g}"
            parts.append(f"{name.replace('_', ' ')}: {shown}")
        for name, words in self.names.items():
            parts.append(f"{name}: " + " or ".join(PATTERN_SHOWN.get(word, word) for word in words))
        for name, values in self.excluded.items():
            parts.append(f"not {name.replace('_', ' ')}: " + " or ".join(values))
        if self.excluded_words:
            parts.append("not: " + " or ".join(PATTERN_SHOWN.get(word, word) for word in self.excluded_words))
        return " · ".join(parts)


class Vocabulary:
    """What one catalog lets a query name: brands (name words before the gender word), name words, a speller."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.name_tokens = [set(_tokens(item.name)) for item in catalog.items]
        self.rows_by_token: dict[str, list[int]] = {}
        for row, tokens in enumerate(self.name_tokens):
            for token in tokens:
                self.rows_by_token.setdefault(token, []).append(row)
        in_brand: dict[str, int] = {}
        in_product: dict[str, int] = {}
        for item in catalog.items:
            words = _tokens(item.name)
            cut = next((i for i, word in enumerate(words) if word in GENDER_NAME_WORDS), 0)
            for position, word in enumerate(words if cut else ()):
                counts = in_brand if position < cut else in_product
                counts[word] = counts.get(word, 0) + 1
        self.values = {name: catalog.values(name) for name in ("gender", "article_type", "colour", "usage", "season")}
        attribute_words = self._attribute_words()
        common = attribute_words | FUNCTION_WORDS
        self.brands = {
            word for word, count in in_brand.items()
            if count >= 3 and count >= 2 * in_product.get(word, 0) and len(word) > 2 and word not in common
        }  # fmt: skip
        self.speller = Speller(attribute_words | self.brands, self.rows_by_token)
        self.phrases = {word for word in attribute_words if " " in word}

    def _attribute_words(self) -> set[str]:
        words = set(ARTICLE_SYNONYMS) | set(PATTERN_WORDS) | set(COLOUR_SYNONYMS)
        for vocabulary in (GENDER_WORDS, USAGE_WORDS, SEASON_WORDS):
            words.update(word for forms in vocabulary.values() for word in forms)
        for article_type in self.values["article_type"]:
            words.update(_article_forms(article_type))
        words.update(colour.lower() for colour in self.values["colour"])
        return words

    def name_mask(self, words: list[str]) -> np.ndarray:
        """Items whose name has a word starting with one of ``words``."""
        mask = np.zeros(len(self.catalog), bool)
        for word in words:
            mask |= self._prefix_mask(word)
        return mask

    @functools.lru_cache(maxsize=256)
    def _prefix_mask(self, prefix: str) -> np.ndarray:
        mask = np.zeros(len(self.catalog), bool)
        for token, rows in self.rows_by_token.items():
            if token.startswith(prefix):
                mask[rows] = True
        mask.flags.writeable = False
        return mask


@functools.lru_cache(maxsize=8)
def vocabulary(catalog: Catalog) -> Vocabulary:
    """The (cached) query vocabulary of a catalog."""
    return Vocabulary(catalog)


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9&]+", re.sub(r"'s\b", "", text.lower()).replace("'", ""))


def _find(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


def _match_vocabulary(text: str, mapping: dict[str, tuple[str, ...]], known: set[str]) -> list[str]:
    found = []
    for value, words in mapping.items():
        if value in known and any(_find(text, word) for word in words):
            found.append(value)
    return found


def _article_forms(article_type: str) -> set[str]:
    lower = article_type.lower()
    forms = {lower, lower.rstrip("s")}
    if lower.endswith("es"):
        forms.add(lower[:-2])
    return {form for form in forms if len(form) > 2}


def narrower_kinds(text: str, catalog: Catalog) -> list[str]:
    """The words in ``text`` naming a narrower kind than the catalog type they are read as: "boots", or a word
    split into a catalog word ("a raincoat" is read as a jacket, but not every jacket is a raincoat)."""
    speller = vocabulary(catalog).speller
    split = [word for word in re.findall(r"[a-z]+", fold(text)) if " " in speller.correct(word)]
    return list(dict.fromkeys([match.group(0).lower() for match in NARROWER.finditer(text)] + split))


def parse_query(text: str, catalog: Catalog) -> ParsedQuery:
    """Understand ``text`` with the catalog's own vocabulary plus common synonyms, other languages and spellings."""
    words = vocabulary(catalog)
    text = DRESS_CODE.sub("formal", text)
    normalised = normalise(text, words.speller, words.phrases)
    positive = " ".join(AMOUNT_TOPS.sub(" ", normalised.positive).split())  # "£50 tops" is a budget, not tops
    filters, names, _ = _extract(positive, words)
    filters.update(parse_budget(text))
    shorthand, genders = GENDER_SHORTHAND.search(text), words.values["gender"]
    gender = ("Women" if "f" in shorthand.group(0).lower() else "Men") if shorthand else ""
    if gender in genders and "gender" not in filters:
        filters["gender"] = [gender] + (["Unisex"] if "Unisex" in genders else [])
    parsed = ParsedQuery(text=text.strip(), filters=filters, semantic=positive, names=names)
    for phrase in normalised.negated:
        _exclude(parsed, *_extract(phrase, words), narrower=phrase if NARROWER.fullmatch(phrase) else "")
    if ruled_out := parsed.excluded.get("colour"):  # "not blue" rules out navy blue too (unless navy is asked)
        shades = [c for c in words.values["colour"] if set(c.split()) & set(ruled_out) and " " in c]
        parsed.excluded["colour"] += [c for c in shades if c not in ruled_out and c not in filters.get("colour", [])]
    return parsed


def _exclude(parsed: ParsedQuery, filters: dict, names: dict[str, list[str]], leftover: str, narrower: str) -> None:
    """Turn what a negated phrase names into exclusions: the article type when the phrase is nothing but its name
    ("not sports shoes": "sports" is part of the name, not the usage) and not a narrower kind ("heels, no
    stilettos" still wants heels), else its colour, usage, season, brand or pattern ("not sporty", "without
    stripes")."""
    if narrower:  # items named with it are left out: "aviator sunglasses"
        parsed.excluded_words.append(re.sub(r"e?s$", "", narrower))
    elif "article_type" in filters and not leftover.strip():
        parsed.excluded.setdefault("article_type", []).extend(filters["article_type"])
    else:
        for name in ("colour", "usage", "season"):
            values = [value for value in filters.get(name, []) if value not in parsed.filters.get(name, [])]
            parsed.excluded.setdefault(name, []).extend(values)
        parsed.excluded_words += [word for values in names.values() for word in values]
    parsed.excluded = {name: values for name, values in parsed.excluded.items() if values}


def _extract(lower: str, words: Vocabulary) -> tuple[dict, dict[str, list[str]], str]:
    """Filters, name words (brand, pattern) and the text left after article types are taken out."""
    filters: dict[str, list[str] | float] = {}
    names: dict[str, list[str]] = {}
    genders = set(words.values["gender"])
    companions = re.sub(r"\b(?:with|and) the boys\b", " with the lads", lower)  # "a trip with the boys": men
    companions = UNISEX_ALLOWED.sub(" ", companions)  # "unisex is fine": allowed, not asked for
    found_genders = _match_vocabulary(companions, GENDER_WORDS, genders | {"Boys", "Girls"})
    grown = bool(GROWN_UP.search(lower))  # "my daughter, she is 20": women's wear
    adults = (g if g in genders and not grown else ADULT.get(g, g) for g in found_genders)  # no kids' wear: "my son"
    found_genders = [g for g in dict.fromkeys(adults) if g in genders]
    if CHILD.search(lower):  # "a 6 year old girl", "my 10 year old nephew": children's wear when stocked
        child = {adult: kid for kid, adult in ADULT.items() if kid in genders}
        found_genders = list(dict.fromkeys(child.get(g, g) for g in found_genders))
    if found_genders:
        filters["gender"] = list(dict.fromkeys([*found_genders, *(["Unisex"] if "Unisex" in genders else [])]))

    article_types = set(words.values["article_type"])
    remaining = lower
    named: list[list[str]] = []  # the types each phrase names
    ones = False  # a phrase such as "flat ones" narrows the kind named before it ("shoes for work, flat ones")
    for article_type in sorted(article_types, key=len, reverse=True):  # exact names first ("sports shoes")
        if " " in article_type and _find(remaining, article_type.lower()):
            named.append([article_type])
            remaining = remaining.replace(article_type.lower(), " ")
    for phrase in sorted(ARTICLE_SYNONYMS, key=len, reverse=True):
        if _find(remaining, phrase):
            named.append([t for t in ARTICLE_SYNONYMS[phrase] if t in article_types])
            ones = ones or phrase.endswith(" ones")
            remaining = remaining.replace(phrase, " ")
    for article_type in sorted(article_types, key=len, reverse=True):
        forms = _article_forms(article_type)
        if any(_find(remaining, form) for form in forms):
            named.append([article_type])
            for form in sorted(forms, key=len, reverse=True):
                remaining = re.sub(rf"(?<![\w-]){re.escape(form)}(?![\w-])", " ", remaining)
    if ones:
        named = [kinds for kinds in named if not any(set(other) < set(kinds) for other in named if other)]
    if found_types := list(dict.fromkeys(t for kinds in named for t in kinds)):
        filters["article_type"] = found_types

    colours = {colour.lower(): colour for colour in words.values["colour"]}
    found_colours: list[str] = []
    for phrase in sorted(colours, key=len, reverse=True):
        if _find(lower, phrase) and not any(phrase in chosen.lower() for chosen in found_colours):
            found_colours.append(colours[phrase])
    for word, colour in COLOUR_SYNONYMS.items():
        if colour.lower() in colours and _find(lower, word) and colour not in found_colours:
            found_colours.append(colour)
    if found_colours:
        filters["colour"] = found_colours

    for name, vocabulary_words in (("usage", USAGE_WORDS), ("season", SEASON_WORDS)):
        values = _match_vocabulary(lower, vocabulary_words, set(words.values[name]))
        if values:
            filters[name] = values

    tokens = _tokens(lower)
    patterns = sorted({PATTERN_WORDS[token] for token in tokens if token in PATTERN_WORDS})
    if patterns and words.name_mask(patterns).any():
        names["pattern"] = patterns
    brands = [token for token in dict.fromkeys(tokens) if token in words.brands]
    if brands:
        names["brand"] = brands
    return filters, names, " ".join(word for word in remaining.split() if word not in FUNCTION_WORDS)
