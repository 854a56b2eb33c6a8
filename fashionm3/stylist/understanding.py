"""Reading a request through the text model: which catalog categories, outfit slot and occasion the user's words
mean, when they use none of the catalog's own names ("something for my feet", "a layer", "for cold evenings").

Each phrase of the message (1 to 3 words) is embedded with all-MiniLM-L6-v2 and compared with short descriptions
of every catalog article type, of the outfit slots and of the occasions (catalog usages). A phrase is read as the
description it is closest to when the cosine similarity clears that kind's threshold.
"""

from __future__ import annotations

import functools
import re

import numpy as np

from fashionm3.catalog.schema import Catalog
from fashionm3.retrieval.encoders import Encoder, OfflineEncoder
from fashionm3.retrieval.query import parse_query
from fashionm3.stylist.knowledge import slot_of
from fashionm3.stylist.refinements import find_refinements

# Extra words for a few article types (the type's own name, singular, is always a description).
TYPE_GLOSSES = {
    "Tshirts": ("t-shirt", "tee"), "Casual Shoes": ("sneakers", "everyday shoes"), "Sports Shoes": ("running shoes", "trainers"),
    "Formal Shoes": ("dress shoes", "office shoes"), "Heels": ("high heels", "pumps", "adds height", "taller"),
    "Flats": ("ballet flats",),
    "Track Pants": ("joggers", "sweatpants"), "Sweatshirts": ("hoodie",), "Sweaters": ("jumper", "knitwear"),
    "Handbags": ("purse", "tote"), "Backpacks": ("rucksack",), "Trousers": ("pants", "chinos"),
    "Dresses": ("frock", "gown"), "Kurtas": ("kurta",),
    # what a body part or a job asks for
    "Sunglasses": ("shades", "eyes", "protect my eyes"), "Caps": ("hat", "baseball cap", "head", "sun hat"),
    "Watches": ("wrist", "wristwatch"), "Ties": ("collar", "necktie"),
    "Belts": ("waist", "at the waist", "hold them up", "keep them up", "slipping"),
    "Flip Flops": ("sand", "walking on sand", "beach shoes"), "Sandals": ("open shoes",),
    "Night suits": ("pyjamas", "sleepwear", "to sleep in"), "Nightdress": ("nightie", "nightgown"),
    "Rain Jacket": ("raincoat", "waterproof"), "Mobile Pouch": ("phone pouch", "for my phone"),
    "Scarves": ("neck", "around my neck"), "Stoles": ("shoulders", "cover my shoulders"),
    "Dupatta": ("cover the shoulders",), "Earrings": ("ears",), "Socks": ("inside my shoes",),
}  # fmt: skip
PLURAL_ONLY = ("jeans", "trousers", "shorts", "sunglasses", "pants", "leggings", "capris", "briefs")
PROMOTIONAL_TYPES = {"Free Gifts"}  # "a gift" asks for a present, not for the catalog's giveaways
SLOT_DESCRIPTIONS = {
    "top": ("top", "upper body", "upper garment"),
    "bottom": ("bottoms", "legs", "lower garment", "legwear", "lower half"),
    "footwear": ("footwear", "feet", "pair of shoes", "shoes"),
    "outerwear": ("a layer", "outer layer", "wear over", "warm layer to put over", "something warm", "outerwear"),
    "bag": ("bag", "something to carry my things"),
    "accessory": ("accessories", "accessory", "finishing touch", "finish off the look", "bling"),
    "one-piece": ("one-piece", "one piece garment", "all-in-one"),
}
# Whole-message descriptions of each slot, for requests that name it only by what it is for ("something to put
# over when it is cold", "a thing for my wrist"); used when no phrase names a type or a slot.
SLOT_SENTENCES = {
    "top": ("a top to wear on my upper body", "a shirt or t-shirt"),
    "bottom": ("something for my legs, trousers or a skirt", "bottoms"),
    "footwear": ("something to wear on my feet", "a pair of shoes"),
    "outerwear": ("a warm layer to put on over my clothes when it is cold", "a jacket or sweater"),
    "bag": ("a bag to carry my things", "a handbag or backpack"),
    "accessory": ("an accessory to finish the look, a watch, belt or jewellery",
                  "something for my wrist, neck, ears or head"),
    "one-piece": ("a dress", "a dress or saree, one piece for the whole outfit"),
}
OCCASIONS = {
    "Formal": ("office", "work", "business meeting", "job interview", "formal dinner", "conference", "workplace",
               "graduation", "wedding", "funeral", "memorial service", "client dinner", "business dinner", "gala",
               "black tie", "opera", "theatre"),
    "Sports": ("gym", "workout", "running", "sport", "yoga", "football", "jogging", "training session", "hiking",
               "trekking", "marathon", "badminton", "tennis", "cricket", "cycling", "swimming"),
    "Party": ("party", "night out", "clubbing", "festival", "celebration", "cocktail evening", "dancing", "farewell",
              "date night", "dinner date", "first date", "fancy restaurant", "baby shower", "bridal shower", "housewarming"),
    "Casual": ("everyday", "casual day", "errands", "brunch", "college", "hanging out with friends", "school run",
               "barbecue", "picnic", "night shift", "long shifts on my feet", "standing all day", "sightseeing"),
    "Ethnic": ("traditional wear", "ethnic wear", "diwali", "religious festival", "religious ceremony", "mehendi",
               "mehndi", "sangeet", "garba", "navratri", "eid", "puja", "pooja", "temple", "karva chauth", "haldi",
               "onam", "pongal", "holi", "nikah", "walima", "lohri", "baisakhi", "durga puja", "ganesh chaturthi"),
    "Travel": ("travel", "travelling", "weekend away", "flight", "airport"),
}
EVERYDAY_MARGIN = 0.05  # an occasion this much less like the words than an everyday one is not what they name
ACTIVITY_SLOTS = {
    "hiking": "footwear", "trekking": "footwear", "running": "footwear", "jogging": "footwear",
    "marathon": "footwear", "yoga": "bottom", "badminton": "footwear", "tennis": "footwear", "football": "footwear",
    "sightseeing": "footwear",
}  # fmt: skip
SEASONS = {
    "Winter": ("cold evenings", "cold weather", "winter", "snow", "chilly days", "skiing", "ski trip"),
    "Summer": ("beach", "hot weather", "summer", "sunny holiday", "pool", "humid", "heatwave", "scorching",
               "sweltering"),
}
# When something happens is no occasion: "holi this weekend" is no trip
WHEN = re.compile(r"\b(?:this|next|coming|last|every|on the|at the|over the) (?:weekend|week|month|year"
                  r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day)s?\b")
# Warm weather is no request for something warm: "sunny and warm", "it's warm", "warm days"
WARM_WEATHER = re.compile(r"\b(?:sunny|hot|humid|bright|dry) and warm\b|\bwarm and (?:sunny|humid|dry)\b"
                          r"|\bwarm (?:weather|days?|evenings?|nights?|climate|country|place|spring)\b"
                          r"|\b(?:it'?s|it is|be|getting|gets) (?:really |very |quite )?warm\b")
THRESHOLDS = {"type": 0.78, "slot": 0.72, "occasion": 0.68, "season": 0.7}
SENTENCE_SLOT = (0.4, 0.12)  # whole-message similarity needed, and its lead over the best other slot
STOPWORDS = {
    "a", "an", "the", "for", "with", "and", "or", "to", "my", "me", "i", "what", "which", "this", "that", "some",
    "something", "please", "in", "of", "on", "it", "is", "are", "can", "you", "show", "find", "need", "want",
    "looking", "give", "get", "would", "like", "good", "nice", "new", "one", "under", "over", "at", "go", "going",
    "wear", "wearing", "buy", "have", "got", "any", "am", "be", "do", "should", "could", "im", "i'm", "man", "woman",
    "men", "women", "him", "her", "his", "also", "still", "now", "just", "really", "very", "so", "too", "but",
}  # fmt: skip
GENERIC_WORDS = {
    "search", "searching", "recommend", "suggest", "help", "anything", "stuff", "item", "items", "clothes", "outfit",
    "thing", "things", "idea", "ideas", "options", "maybe", "hi", "hello", "hey", "thanks", "thank", "gift", "present",
    "ok", "okay", "hmm", "well", "let", "see", "look", "colour", "color", "price", "less", "more", "than", "then",
    "max", "budget", "cheap", "start", "again", "forget", "dollars", "bucks", "euros", "pounds",
    "lady", "guy", "mans", "womens", "mens", "kind", "sort", "type", "best", "great", "another", "else",
    "different", "instead", "option",
}  # fmt: skip
COMPANION = re.compile(
    r"\b(?:(?:tak|meet|see|impress|dat|visit)\w* (?:him|her)|with (?:him|her)\b"
    r"|(?:look|dress)\w*(?: \w+)? for (?:him|her))\b"
)
PRONOUN_GENDER = {"Men": r"\b(?:him|his|he|boyfriend|husband|dad|father|brother|grand(?:d?ad|pa|father))\b",
                  "Women": r"\b(?:her|she|girlfriend|wife|mum|mom|mother|sister|nan|nana|gran|granny|grandma|"
                           r"grandmother)\b"}  # fmt: skip


# "I'm his mum, they're for me": the speaker wears it, whoever else the message names
SPEAKER = re.compile(r"\b(?:i'?m|i am) (?:his |her |their |the |a |an )?(?:(?:bride|groom|birthday \w+)'s )?"
                     r"(?P<who>mum|mom|mother|wife|sister|aunt|aunty|auntie|bride|bridesmaid|woman|lady|girl|dad|father"
                     r"|husband|brother|uncle|groom|best man|man|guy|dude)\b")
SPEAKER_WOMEN = r"aunt|aunty|auntie|bride|bridesmaid|woman|lady|girl"
# dressing alongside someone: "my wife is dressing up, so I have to as well" (the speaker wears it, not the wife)
ALONGSIDE = (r"(?:so |and )?i (?:have|need|want|ought) to(?: dress up)?,? (?:as well|too)"
             r"|(?:to |i need to )look the part")
# the item is for the speaker: "they're for me", "what should I wear", "I want to look nice"
FOR_ME = re.compile(r"\b(?:(?:it'?s|they'?re|it is|they are|is|are) for me|for myself"
                    r"|(?:should|do|can|could|shall) i wear|(?:i )?(?:want|need|have|'d like) to (?:look|dress)"
                    rf"|{ALONGSIDE})\b")
# someone else who may wear it; not the owner of an event ("my son's school", "my cousin's sangeet")
SOMEONE_ELSE = re.compile(r"\b(?:son|daughter|nephew|niece|kids?|child|boy|girl|wife|husband|mum|mom|mother|dad"
                          r"|father|sister|brother|friend|boyfriend|girlfriend|him|her|he|she)\b(?!'s)")


def speaker_gender(text: str, genders: list[str]) -> list[str]:
    """The speaker's gender when the item is for them ("I'm his mum, they're for me"; "I'm the dad" naming nobody else
    who would wear it), else []."""
    lower = text.lower()
    who = SPEAKER.search(lower)
    if not who:
        return []
    someone_else = SOMEONE_ELSE.search(lower[: who.start()] + lower[who.end() :]) or re.search(
        r"\b(?:his|her|their)\b", who.group(0))  # "I'm his dad": he may be the one to wear it
    if someone_else and not FOR_ME.search(lower):
        return []
    gender = "Women" if re.fullmatch(PRONOUN_GENDER["Women"] + "|" + SPEAKER_WOMEN, who.group("who")) else "Men"
    return [gender] + (["Unisex"] if "Unisex" in genders else []) if gender in genders else []


def singular(article_type: str) -> str:
    """"Casual Shoes" -> "casual shoe", "Dresses" -> "dress", "Tshirts" -> "t-shirt" (plural-only nouns stay)."""
    lower = re.sub(r"\btshirt", "t-shirt", article_type.lower())  # a sweatshirt stays one
    if lower.endswith("ties") and lower.split()[-1] == "ties":  # "ties" -> "tie", "bow ties" -> "bow tie"
        return lower[:-1]
    if lower.endswith(PLURAL_ONLY):
        return lower
    for ending, stem in (("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("ies", "y"), ("arves", "arf")):
        if lower.endswith(ending):
            return lower[: -len(ending)] + stem
    return lower[:-1] if lower.endswith("s") and not lower.endswith("ss") else lower


def plural(noun: str) -> str:
    """"kurta" -> "kurtas", "dress" -> "dresses", "scarf" -> "scarves"; a plural stays as it is."""
    if noun.endswith(("ss", "sh", "ch", "x")):
        return noun + "es"
    if noun.endswith("s"):
        return noun
    return noun[:-1] + "ves" if noun.endswith("arf") else noun + "s"


def phrases(text: str) -> list[str]:
    """The message's phrases of one to three content words (stopwords, numbers, times and punctuation left out)."""
    plain = WARM_WEATHER.sub(" hot weather ", WHEN.sub(" ", text.lower()))
    words = re.findall(r"[a-z][a-z'-]*", plain)
    found = []
    for size in (1, 2, 3):
        for start in range(len(words) - size + 1):
            span = words[start : start + size]
            if span[0] in STOPWORDS or span[-1] in STOPWORDS:
                continue
            found.append(" ".join(span))
    return list(dict.fromkeys(found))


class RequestReader:
    """Maps free words onto the catalog's article types, outfit slots, usages and seasons with MiniLM."""

    def __init__(self, catalog: Catalog, encoder: Encoder | None = None):
        self.catalog = catalog
        self.encoder = encoder if encoder is not None and encoder.name.startswith("offline-minilm") else OfflineEncoder()
        self.types = catalog.values("article_type")
        self.seasons = set(catalog.values("season"))
        self.priced = any(item.price is not None for item in catalog.items)
        self.slot_of_type = {t: slot_of(t, catalog.sub_category_of.get(t, "")) for t in self.types}
        self._banks: dict[str, tuple[list[str], np.ndarray]] = {}
        self._descriptions: dict[str, list[str]] = {}

    @functools.cached_property
    def _item_slots(self) -> np.ndarray:
        """Each item's outfit slot (from its own type and sub-category), computed once on first use."""
        return np.array([slot_of(item.article_type, item.sub_category) for item in self.catalog.items], dtype=object)

    def slots(self, filters: dict) -> set[str]:
        """The outfit slots the catalog has items of that meet ``filters`` (name -> values; empty values: any)."""
        mask = self.catalog.mask({name: values for name, values in filters.items() if values})
        return set(self._item_slots[mask])

    def _bank(self, kind: str) -> tuple[list[str], np.ndarray]:
        """(label per description, description vectors) for one kind: type, slot, occasion or season."""
        if kind not in self._banks:
            pairs: list[tuple[str, str]] = []
            if kind == "type":
                for name in (t for t in self.types if t not in PROMOTIONAL_TYPES):
                    pairs += [(name, singular(name)), (name, name.lower())] + [(name, g) for g in TYPE_GLOSSES.get(name, ())]
            else:
                table = {"slot": SLOT_DESCRIPTIONS, "occasion": OCCASIONS, "season": SEASONS, "intent": SLOT_SENTENCES}[kind]
                known = {"season": self.seasons}.get(kind)  # an occasion the catalog lacks is still understood
                pairs = [(label, text) for label, texts in table.items() if known is None or label in known for text in texts]
            labels = [label for label, _ in pairs]
            self._descriptions[kind] = [text for _, text in pairs]
            self._banks[kind] = (labels, self.encoder.encode_text(self._descriptions[kind]))
        return self._banks[kind]

    @functools.lru_cache(maxsize=512)
    def _vectors(self, text: str) -> tuple[tuple[str, ...], np.ndarray]:
        spans = tuple(phrases(text))
        return spans, self.encoder.encode_text(list(spans))

    def best(self, text: str, kind: str) -> tuple[str, float, str]:
        """(label, similarity, the phrase that matched) for the closest description of ``kind``; ("", 0, "") if none."""
        label, score, span, _ = self._closest(text, kind)
        return label, score, span

    def _label_scores(self, text: str, kind: str) -> dict[str, float]:
        """The best similarity of any phrase of ``text`` to each label's descriptions of ``kind``."""
        spans, vectors = self._vectors(text)
        labels, bank = self._bank(kind)
        scores: dict[str, float] = {}
        for label, score in zip(labels, (vectors @ bank.T).max(axis=0) if spans else ()):
            scores[label] = max(scores.get(label, 0.0), float(score))
        return scores

    def _closest(self, text: str, kind: str) -> tuple[str, float, str, str]:
        """(label, similarity, the phrase that matched, the description it matched); labels "" under the threshold."""
        spans, vectors = self._vectors(text)
        if not spans:
            return "", 0.0, "", ""
        labels, bank = self._bank(kind)
        similarity = vectors @ bank.T
        row, column = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
        score = float(similarity[row, column])
        if score < THRESHOLDS[kind]:
            return "", score, "", ""
        return labels[column], score, spans[row], self._descriptions[kind][column]

    def article_types(self, text: str) -> list[str]:
        """Article types the words mean (one type; empty when no phrase is close to any type)."""
        label, _, _ = self.best(text, "type")
        return [label] if label else []

    def slot(self, text: str, described: bool = True) -> str:
        """The outfit slot named loosely ("footwear", "a layer", "accessories") or described by what it is for
        ("something to put over when it is cold", only when ``described``), or ""."""
        label, score, _ = self.best(text, "slot")
        type_score = self.best(text, "type")[1]
        if label and score >= type_score - 0.05:
            return label
        return self.described_slot(text) if described else ""

    def described_slot(self, text: str) -> str:
        """The slot whose description the whole message is closest to, when it is close and clearly ahead."""
        labels, bank = self._bank("intent")
        similarity = bank @ self.encoder.encode_text([text])[0]
        best: dict[str, float] = {}
        for label, score in zip(labels, similarity):
            best[label] = max(best.get(label, -1.0), float(score))
        ranked = sorted(best.items(), key=lambda pair: -pair[1])
        (first, score), second = ranked[0], ranked[1][1]
        needed, lead = SENTENCE_SLOT
        return first if score >= needed and score - second >= lead else ""

    @functools.cached_property
    def _known_words(self) -> frozenset[str]:
        """Words that name nothing to look for, a colour, occasion, season or gender of this catalog."""
        known = set(STOPWORDS) | GENERIC_WORDS
        for field in ("colour", "usage", "season", "gender"):
            known |= {word for value in self.catalog.values(field) for word in value.lower().split()}
        known |= {word for pattern in PRONOUN_GENDER.values() for word in re.findall(r"[a-z]+", pattern)}  # "my mom"
        for table in (OCCASIONS, SEASONS):
            known |= {word for texts in table.values() for text in texts for word in text.split()}
        return frozenset(known)

    def unexplained_words(self, text: str, types: bool = False) -> list[str]:
        """Content words of ``text`` that name nothing the catalog's colours, occasions, seasons and genders or the
        occasion and season descriptions cover: when some are left, the request may name a kind of item not read.
        With ``types``, words (and two-word names) the query parser reads as a filter, e.g. an article type, a
        budget or "men's", and refinement words ("darker") count as explained too."""
        words = re.findall(r"[a-z][a-z'-]*", text.lower())
        known = self._known_words
        left = [word for word in words if word not in known and word.rstrip("s") not in known and len(word) > 2]
        if types:
            pairs = {(a, b) for a, b in zip(words, words[1:]) if not self._parses(a) and not self._parses(b)}
            read = {w for pair in pairs if self._parses(" ".join(pair)) for w in pair}  # "flip flops"
            left = [w for w in left if w not in read and not self._parses(w) and not find_refinements(w, True)]
        return left

    @functools.lru_cache(maxsize=2048)
    def _parses(self, words: str) -> bool:
        """Whether the query parser reads ``words`` as some filter (a type, colour, gender or budget)."""
        return bool(parse_query(words, self.catalog).filters)

    def usage(self, text: str) -> str:
        """The catalog usage an occasion or activity means ("a job interview" -> Formal), or ""; an occasion
        beats the everyday ("college freshers party" -> Party) and a festival both ("Diwali party" -> Ethnic)."""
        label, top, _ = self.best(text, "occasion")
        if label == "Formal" and re.search(r"\bpart(?:y|ies)\b", text.lower()):  # "the office xmas party"
            return "Party"
        if label == "Formal" and self._label_scores(text, "occasion").get("Sports", 0.0) >= top - 0.02:
            return "Sports"  # the activity, not the place: "cycling to work", "football with the office team"
        if label in ("Party", "Casual"):
            scores = self._label_scores(text, "occasion")
            if scores.get("Ethnic", 0.0) >= top - 0.02:  # as close as the party: "Diwali party", not "a festival"
                return "Ethnic"
            others = [(score, other) for other, score in scores.items() if other != "Casual"]
            score, other = max(others, default=(0.0, ""))
            named = score >= THRESHOLDS["occasion"] and score >= top - EVERYDAY_MARGIN  # not "night shift": night out
            label = other if label == "Casual" and named else label
        return label

    def activity_slot(self, text: str) -> str:
        """The slot the named activity is mostly about (hiking -> footwear, yoga -> bottom), or "" for most."""
        return ACTIVITY_SLOTS.get(self._closest(text, "occasion")[3], "")

    def season(self, text: str) -> str:
        """The season a weather or place means ("cold evenings" -> Winter), or ""."""
        return self.best(text, "season")[0]


def pronoun_gender(text: str, genders: list[str]) -> list[str]:
    """Gender from pronouns and relations ("for him", "my wife"), with Unisex when the catalog has it; not from
    the person the wearer goes out with or dresses for ("taking her to dinner", "look special for him")."""
    lower = COMPANION.sub(" ", text.lower())
    for gender, pattern in PRONOUN_GENDER.items():
        if gender in genders and re.search(pattern, lower):
            return [gender] + (["Unisex"] if "Unisex" in genders else [])
    return []
