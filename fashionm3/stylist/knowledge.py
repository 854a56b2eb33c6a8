"""Fashion knowledge the offline stylist encodes: outfit slots, what completes an outfit, colour harmony,
formality, and the refinement words users say between rounds.

Everything here works on catalog vocabulary (article types, sub-categories, colour names, usages) so it applies
to the demo catalog, the public product catalog and any C5 catalog alike.
"""

from __future__ import annotations

import re

import numpy as np

from fashionm3.catalog.draw import COLOURS
from fashionm3.retrieval.pixels import srgb_to_lab

# Outfit slots: sub-category (or article type) -> slot. Slots not listed are "other" and never asked for.
SLOT_BY_SUB_CATEGORY = {
    "Topwear": "top", "Bottomwear": "bottom", "Dress": "one-piece", "Saree": "one-piece", "Apparel Set": "one-piece",
    "Shoes": "footwear", "Sandal": "footwear", "Flip Flops": "footwear", "Bags": "bag", "Wallets": "bag",
    "Watches": "accessory", "Belts": "accessory", "Eyewear": "accessory", "Headwear": "accessory",
    "Jewellery": "accessory", "Scarves": "accessory", "Ties": "accessory", "Stoles": "accessory",
}  # fmt: skip
OUTERWEAR = {"Jackets", "Blazers", "Coats", "Sweaters", "Sweatshirts", "Rain Jacket", "Nehru Jackets", "Waistcoat"}
# Types whose sub-category does not tell their slot: braces are filed under Topwear, swimwear under Bottomwear
TYPE_SLOTS = {**dict.fromkeys(OUTERWEAR, "outerwear"), "Suspenders": "accessory", "Swimwear": "one-piece"}
# What to suggest next, given the slots the outfit already has (first rule whose slots are all present wins).
COMPLETION_ORDER = ("top", "bottom", "footwear", "bag", "accessory")
# Preferred article type for a slot by usage (the first one the catalog has, for the outfit's gender, is used).
SLOT_TYPES = {
    "top": {"Formal": ("Shirts", "Tops"), "Sports": ("Tshirts",), "Party": ("Tops", "Shirts"),
            "Ethnic": ("Kurtas", "Kurtis"), "": ("Tshirts", "Shirts", "Tops")},
    "bottom": {"Formal": ("Trousers", "Skirts"), "Sports": ("Track Pants", "Shorts"), "Party": ("Skirts", "Jeans"),
               "Travel": ("Track Pants", "Lounge Pants"),
               "Ethnic": ("Patiala", "Salwar", "Churidar", "Leggings"), "": ("Jeans", "Trousers", "Shorts")},
    "footwear": {"Formal": ("Formal Shoes", "Heels"), "Sports": ("Sports Shoes", "Casual Shoes"),
                 "Party": ("Heels", "Casual Shoes"), "Ethnic": ("Sandals", "Flats", "Heels"),
                 "Summer": ("Flip Flops", "Sandals"),
                 "": ("Casual Shoes", "Flats", "Sandals")},
    "bag": {"Sports": ("Backpacks",), "Party": ("Clutches", "Handbags", "Wallets"),
            "Travel": ("Duffel Bag", "Trolley Bag", "Backpacks"),
            "Formal": ("Laptop Bag", "Messenger Bag", "Handbags", "Backpacks"), "": ("Handbags", "Backpacks", "Wallets")},
    "accessory": {"Formal": ("Watches", "Belts", "Ties"), "": ("Watches", "Sunglasses", "Belts", "Caps")},
    "outerwear": {"Formal": ("Blazers", "Jackets"), "Ethnic": ("Nehru Jackets", "Shrug"),
                  "": ("Jackets", "Sweaters", "Sweatshirts")},
    "one-piece": {"Ethnic": ("Sarees", "Kurta Sets"), "Party": ("Dresses",), "": ("Dresses", "Sarees")},
}  # fmt: skip
SLOT_NAMES = {
    "top": "tops", "bottom": "bottoms", "one-piece": "one-piece outfits", "outerwear": "layers", "footwear": "footwear",
    "bag": "bags", "accessory": "accessories",
}  # fmt: skip
# The pieces an occasion is mostly shopped for, most usual first (by gender where it differs), when a request names
# the occasion and no kind of item: sportswear more than sports shoes, a dress for her party, a shirt for his.
OCCASION_SLOTS = {
    "Sports": ("top", "bottom", "footwear"), "Formal": ("top", "outerwear", "footwear"), "Ethnic": ("top", "one-piece"),
    "Party": ("top", "one-piece", "footwear"), "Casual": ("top", "bottom", "footwear"), "Travel": ("bag", "bottom"),
    ("Party", "Women"): ("one-piece", "top", "footwear"),
}  # fmt: skip
# Garment words by slot, for naming what a catalog does not stock ("a kurta" in a catalog without kurtas is a top).
GARMENT_WORDS = {
    "top": ("kurta", "kurti", "tunic", "blouse", "shirt", "t-shirt", "tshirt", "tee", "polo", "camisole", "tank top"),
    "bottom": ("jeans", "trousers", "pants", "chinos", "shorts", "skirt", "leggings", "legging", "jeggings", "capris",
               "joggers", "sweatpants", "tracksuit bottoms", "trackies",
               "track pants", "salwar", "patiala", "palazzo"),
    "one-piece": ("saree", "sari", "dress", "gown", "frock", "jumpsuit", "lehenga", "kurta set", "romper", "swimsuit",
                  "swimwear", "bikini", "bathing suit", "pyjamas", "pajamas", "nightdress", "nightie"),
    "outerwear": ("jacket", "coat", "blazer", "sweater", "sweatshirt", "hoodie", "cardigan", "jumper", "pullover",
                  "waistcoat", "parka", "shrug"),
    "footwear": ("shoes", "sneakers", "trainers", "boots", "heels", "flats", "sandals", "flip flops", "flip-flops",
                 "slippers", "sliders", "loafers", "pumps", "stilettos", "wedges", "moccasins"),
    "bag": ("bag", "handbag", "backpack", "rucksack", "wallet", "purse", "clutch", "tote", "satchel", "duffel"),
    "accessory": ("belt", "tie", "bow tie", "scarf", "scarves", "stole", "dupatta", "cap", "hat", "beanie",
                  "sunglasses", "necklace", "earrings", "bracelet", "bangle", "pendant", "cufflinks", "socks", "gloves",
                  "muffler", "jewellery", "jewelry", "chain"),
}  # fmt: skip
GARMENT_PATTERN = re.compile(
    r"\b(" + "|".join(sorted((re.escape(w) for ws in GARMENT_WORDS.values() for w in ws), key=len, reverse=True))
    + r")(?:s|(?<=[sxz])es|(?<=[cs]h)es)?\b", re.IGNORECASE  # "dresses", "watches"; "hates" is no hat
)
NOT_A_GARMENT = re.compile(r"\bdress(?:ed|ing)?(?: codes?| up)\b|\bdressed\b", re.IGNORECASE)  # "office dress codes"
NEUTRALS = {"Black", "White", "Grey", "Navy Blue", "Beige", "Cream", "Off White", "Charcoal", "Khaki", "Brown",
            "Grey Melange", "Tan", "Taupe", "Silver", "Steel", "Nude", "Skin"}  # fmt: skip
# Colours that pair well beyond neutrals (both directions are used).
PAIRINGS = {
    "Blue": ("White", "Beige", "Brown", "Grey"), "Red": ("Navy Blue", "Black", "White", "Beige"),
    "Green": ("Beige", "Brown", "White", "Navy Blue"), "Olive": ("White", "Beige", "Brown", "Navy Blue"),
    "Pink": ("Grey", "Navy Blue", "White"), "Purple": ("Grey", "Black", "White"), "Yellow": ("Navy Blue", "Grey", "White"),
    "Orange": ("Navy Blue", "White", "Beige"), "Maroon": ("Beige", "Grey", "Navy Blue"), "Teal": ("Beige", "White", "Grey"),
    "Navy Blue": ("White", "Beige", "Grey", "Brown"), "Black": ("White", "Grey", "Red"), "White": ("Navy Blue", "Black", "Blue"),
}  # fmt: skip
EXTRA_COLOURS = {
    "Charcoal": (54, 57, 62), "Off White": (240, 238, 228), "Steel": (120, 128, 140), "Peach": (250, 190, 150),
    "Skin": (230, 190, 160), "Lavender": (190, 170, 225), "Grey Melange": (160, 160, 165), "Magenta": (200, 30, 140),
    "Tan": (200, 160, 110), "Mustard": (215, 170, 40), "Bronze": (160, 110, 50), "Copper": (184, 115, 51),
    "Turquoise Blue": (40, 180, 190), "Rust": (170, 70, 30), "Burgundy": (110, 20, 40), "Coffee Brown": (90, 60, 40),
    "Rose": (220, 120, 140), "Mauve": (180, 130, 160), "Nude": (225, 190, 165), "Sea Green": (46, 139, 87),
    "Mushroom Brown": (150, 130, 110), "Taupe": (140, 125, 110), "Lime Green": (150, 210, 50),
    "Fluorescent Green": (120, 250, 60), "Metallic": (170, 170, 175),
}  # fmt: skip
COLOUR_LAB = {name: srgb_to_lab(np.array(rgb, np.float32)) for name, rgb in {**COLOURS, **EXTRA_COLOURS}.items()}
COLOUR_LIGHTNESS = {name: float(lab[0]) for name, lab in COLOUR_LAB.items()}
SAME_HUE = 30.0  # CIELAB a*b* distance within which a lighter or darker colour counts as a shade of the same one
# or, for two vivid colours (chroma at least SAME_ANGLE_CHROMA), hue angles this close: maroon is a darker red
SAME_ANGLE, SAME_ANGLE_CHROMA = 15.0, 30.0
LIGHT_ABOVE, SOFT_BELOW = 60.0, 50.0  # "pastel": CIELAB lightness above, chroma (a*b* length) below: no mustard
SHADE_STEP = 5.0  # CIELAB lightness difference that counts as "darker" / "lighter" (black is 6 below navy blue)
FORMALITY = {"Formal": 3, "Party": 2, "Smart Casual": 2, "Ethnic": 2, "Casual": 1, "Travel": 1, "Sports": 0}

MATERIALS = ("leather", "suede", "wool", "silk", "denim", "cotton", "linen", "polyester", "fur", "canvas", "nylon")
AVOID_MATERIAL = re.compile(rf"\b(?:no|not|without|avoid|hate|allergic to|vegan,? no)\s+({'|'.join(MATERIALS)})\b")
VEGAN = re.compile(r"\bvegan\b")

# A few words in other languages, so a short request in Spanish, French, German or Italian still finds items.
TRANSLATIONS = {
    "camisa": "shirt", "chemise": "shirt", "hemd": "shirt", "camicia": "shirt", "camiseta": "t-shirt",
    "pantalones": "trousers", "pantalon": "trousers", "pantaloni": "trousers",
    "vestido": "dress", "robe": "dress", "kleid": "dress", "vestito": "dress", "falda": "skirt", "jupe": "skirt",
    "gonna": "skirt", "zapatos": "shoes", "chaussures": "shoes", "schuhe": "shoes", "scarpe": "shoes",
    "bolso": "handbag", "sac": "handbag", "tasche": "handbag", "borsa": "handbag", "chaqueta": "jacket",
    "veste": "jacket", "jacke": "jacket", "giacca": "jacket", "reloj": "watch", "montre": "watch", "uhr": "watch",
    "rojo": "red", "roja": "red", "rouge": "red", "rot": "red", "rosso": "red", "negro": "black", "negra": "black",
    "noir": "black", "noire": "black", "schwarz": "black", "nero": "black", "blanco": "white", "blanca": "white",
    "blanc": "white", "blanche": "white", "weiss": "white", "weiß": "white", "bianco": "white", "azul": "blue",
    "bleu": "blue", "blau": "blue", "blu": "blue", "verde": "green", "vert": "green", "grün": "green",
    "hombre": "men", "homme": "men", "herren": "men", "uomo": "men", "mujer": "women", "femme": "women",
    "damen": "women", "donna": "women", "fiesta": "party", "fête": "party", "soirée": "party", "verano": "summer",
    "été": "summer", "sommer": "summer", "estate": "summer", "invierno": "winter", "hiver": "winter",
    "zapatillas": "sneakers", "baskets": "sneakers", "turnschuhe": "sneakers", "vaqueros": "jeans", "sudadera": "hoodie",
    "cinturón": "belt", "ceinture": "belt", "gürtel": "belt", "bufanda": "scarf", "écharpe": "scarf", "sciarpa": "scarf",
    "sombrero": "hat", "chapeau": "hat", "gorra": "cap", "mochila": "backpack", "correr": "running", "courir": "running",
    "para": "for", "pour": "for", "für": "for", "fürs": "for", "per": "for", "büro": "office", "bureau": "office",
    "oficina": "office", "ufficio": "office", "boda": "wedding", "mariage": "wedding", "hochzeit": "wedding",
    "trabajo": "work", "travail": "work", "arbeit": "work", "playa": "beach", "plage": "beach", "gimnasio": "gym",
    "mann": "men", "frau": "women", "dolares": "dollars", "dólares": "dollars", "couleur": "colour", "farbe": "colour",
    "argent": "silver", "plata": "silver", "braun": "brown", "marron": "brown", "gris": "grey", "grau": "grey",
    "rosa": "pink", "amarillo": "yellow", "jaune": "yellow", "gelb": "yellow", "barato": "cheap",
}  # fmt: skip
SHORTHAND = [(re.compile(pattern, re.IGNORECASE), replacement) for pattern, replacement in (
    (r"\bwat\b", "what"), (r"\bwit\b", "with"), (r"\bw/?(?= (?:my|this|these|a|an|the|dis)\b)", "with"),
    (r"\bdis\b", "this"), (r"\bdat\b", "that"), (r"\bu\b", "you"), (r"\bur\b", "your"), (r"\bpls\b|\bplz\b", "please"),
    (r"\b2(?= (?:wear|go|match|buy|get|put)\b)", "to"), (r"\b4(?= (?:me|men|women|him|her|my|a|the|work|party)\b)", "for"),
    (r"\b(\w+)-ish\b", r"\1"), (r"\bmn\b", "man"), (r"\bw(?:o)?mn\b", "woman"), (r"\bsmth(?:g|ing)?\b|\bsth\b", "something"),
)]  # fmt: skip
ENGLISH_HINTS = {
    "a", "an", "the", "for", "with", "and", "or", "to", "my", "me", "i", "what", "which", "goes", "go", "this",
    "that", "show", "find", "need", "want", "looking", "something", "some", "please", "in", "of", "on", "it",
}  # fmt: skip


def slot_of(article_type: str, sub_category: str) -> str:
    """The outfit slot an article type fills: top, bottom, one-piece, outerwear, footwear, bag, accessory or other."""
    return TYPE_SLOTS.get(article_type) or SLOT_BY_SUB_CATEGORY.get(sub_category, "other")


def garment_word(text: str) -> tuple[str, str]:
    """(garment word, its slot) for the first garment ``text`` names, e.g. ("kurta", "top"); ("", "") if none."""
    found = GARMENT_PATTERN.search(NOT_A_GARMENT.sub(" ", text))
    if not found:
        return "", ""
    word = found.group(1).lower()
    return word, next(slot for slot, words in GARMENT_WORDS.items() if word in words)


def missing_slot(present: set[str]) -> str | None:
    """The next slot that completes an outfit having ``present`` slots (``None`` when it is complete)."""
    if "one-piece" in present:
        present = present | {"top", "bottom"}
    for slot in COMPLETION_ORDER:
        if slot not in present:
            return slot
    return None if "outerwear" in present else "outerwear"


def slot_article_types(slot: str, usage: str, available: set[str]) -> list[str]:
    """Catalog article types for a slot, the best for this usage first."""
    by_usage = SLOT_TYPES.get(slot, {})
    preferred = list(by_usage.get(usage) or by_usage.get("", ())) + [t for ts in by_usage.values() for t in ts]
    return list(dict.fromkeys(t for t in preferred if t in available))


def harmonious_colours(outfit_colours: list[str], available: list[str]) -> list[str]:
    """Colours that go with the outfit: pairings of its accent colours first, then neutrals not already worn."""
    accents = [colour for colour in outfit_colours if colour not in NEUTRALS]
    suggestions: list[str] = []
    for colour in accents or outfit_colours:
        suggestions += PAIRINGS.get(colour, ())
        suggestions += [other for other, partners in PAIRINGS.items() if colour in partners]
    if not accents:  # an all-neutral outfit takes one accent or another neutral
        suggestions += ["Navy Blue", "White", "Black", "Beige", "Blue", "Maroon", "Olive"]
    suggestions += ["White", "Black", "Navy Blue", "Grey", "Beige"]
    return [c for c in dict.fromkeys(suggestions) if c in available and c not in outfit_colours] or [
        c for c in dict.fromkeys(suggestions) if c in available
    ]


def colour_reason(colour: str, outfit_colours: list[str]) -> str:
    """Why a colour goes with the outfit, in a few words."""
    if not outfit_colours:
        return ""
    worn = " and ".join(dict.fromkeys(outfit_colours))
    if colour in NEUTRALS:
        return f"{colour.lower()} is a neutral that goes with your {worn.lower()}"
    if any(colour in PAIRINGS.get(c, ()) or c in PAIRINGS.get(colour, ()) for c in outfit_colours):
        return f"{colour.lower()} is a classic pairing with {worn.lower()}"
    return f"{colour.lower()} adds an accent to your {worn.lower()}"


def one_hue(colour: str, other: str) -> bool:
    """Whether two catalog colours are shades of one hue (CIELAB a*b* within ``SAME_HUE``, or two vivid colours
    whose hue angles are within ``SAME_ANGLE`` degrees: maroon and burgundy are darker reds, brown and pink are not)."""
    if colour not in COLOUR_LAB or other not in COLOUR_LAB:
        return False
    (a1, b1), (a2, b2) = COLOUR_LAB[colour][1:], COLOUR_LAB[other][1:]
    if float(np.hypot(a1 - a2, b1 - b2)) <= SAME_HUE:
        return True
    turn = abs(np.degrees(np.arctan2(b1, a1) - np.arctan2(b2, a2))) % 360
    vivid = min(np.hypot(a1, b1), np.hypot(a2, b2)) >= SAME_ANGLE_CHROMA
    return bool(vivid and min(turn, 360 - turn) <= SAME_ANGLE)


def soft_and_light(colour: str) -> bool:
    """Whether a catalog colour is light and not vivid (cream, peach, lavender; not yellow or lime green)."""
    lab = COLOUR_LAB.get(colour)
    return lab is not None and lab[0] > LIGHT_ABOVE and float(np.linalg.norm(lab[1:])) < SOFT_BELOW


def shift_colours(colours: list[str], direction: str, available: list[str], same_hue: bool = True) -> list[str]:
    """Catalog colours clearly darker (or lighter) than the darkest (or lightest) of ``colours``, the darkest (or
    lightest) first; with ``same_hue``, only shades of the same hue plus neutrals when there are any."""
    known = [COLOUR_LIGHTNESS[c] for c in colours if c in COLOUR_LIGHTNESS] or [50.0]
    if direction == "darker":
        darker = (c for c in available if COLOUR_LIGHTNESS.get(c, 101) <= min(known) - SHADE_STEP)
        chosen = sorted(darker, key=COLOUR_LIGHTNESS.get)
    else:
        chosen = sorted((c for c in available if COLOUR_LIGHTNESS.get(c, -1) >= max(known) + SHADE_STEP),
                        key=lambda c: -COLOUR_LIGHTNESS[c])
    shades = [c for c in chosen if any(one_hue(c, colour) for colour in colours)]  # lighter than grey: white, not pink
    return [*shades, *(c for c in chosen if c in NEUTRALS and c not in shades)] if shades and same_hue else chosen


def avoided_materials(text: str) -> list[str]:
    """Materials the user does not want ("no leather", "vegan" excludes leather, suede, wool, silk and fur)."""
    lower = text.lower()
    found = [match.group(1) for match in AVOID_MATERIAL.finditer(lower)]
    if VEGAN.search(lower):
        found += ["leather", "suede", "wool", "silk", "fur"]
    return list(dict.fromkeys(found))


def mentioned_materials(text: str) -> list[str]:
    """Materials named in ``text`` (wanted ones, after removing the avoided ones)."""
    lower = AVOID_MATERIAL.sub(" ", text.lower())
    return [m for m in MATERIALS if re.search(rf"\b{m}\b", lower)]


def translate(text: str) -> tuple[str, bool]:
    """Replace known fashion words in Spanish, French, German or Italian, and texting shorthand ("wat top goes
    wit dis", "2 wear", "jacket-ish"); also say if the text looks non-English."""
    for pattern, replacement in SHORTHAND:
        text = pattern.sub(replacement, text)
    words = re.findall(r"[^\W\d_]+", text.lower())
    foreign = sum(word in TRANSLATIONS for word in words)
    english = sum(word in ENGLISH_HINTS for word in words)
    non_latin = any(ord(ch) > 0x24F for ch in text if ch.isalpha())
    looks_foreign = non_latin or (foreign > 0 and foreign >= english)
    if not foreign:
        return text, looks_foreign
    # word by word in place: numbers, prices and punctuation stay ("60 dolares max" keeps its budget)
    return re.sub(r"[^\W\d_]+", lambda word: TRANSLATIONS.get(word[0].lower(), word[0]), text), looks_foreign
