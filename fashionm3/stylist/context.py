"""Gathering a turn's context: recognise the outfit in the photos, and update the session's constraints from the
message (new filters, refinements such as "darker" or "cheaper", avoided materials, contradictions)."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

from PIL import Image

from fashionm3.catalog.schema import Catalog
from fashionm3.retrieval.engine import SearchEngine
from fashionm3.retrieval.photo_rank import DUPLICATE_SIMILARITY
from fashionm3.retrieval.pixels import dominant_colour
from fashionm3.retrieval.query import AMOUNT_TOPS, CHILD, GROWN_UP, narrower_kinds, parse_query
from fashionm3.stylist.knowledge import (
    COLOUR_LIGHTNESS, SLOT_NAMES, SLOT_TYPES, avoided_materials, garment_word, soft_and_light,
)
from fashionm3.stylist.grounding import known_values, worn_by
from fashionm3.stylist.occasion_slots import fitting_types, not_the_tops_asked, occasion_slot
from fashionm3.stylist.refinements import find_refinements, without_refinements
from fashionm3.stylist.refining import apply_refinements, resolve_conflicts
from fashionm3.stylist.state import Conversation, OutfitPiece
from fashionm3.stylist.understanding import (
    ALONGSIDE, SOMEONE_ELSE, RequestReader, pronoun_gender, speaker_gender,
)

# Below this image similarity to its nearest catalog product a photo is not treated as clothing (per encoder;
# measured for the v3 features: 98% of 300 real product photos reach >= 0.69 against 1,200 other catalog photos,
# while 78% of 40 landscapes, blank, face-like, gradient and noise pictures stay below; blank and landscapes all do).
NOT_CLOTHING_BELOW = {"offline-minilm-pixels-v3": 0.69}
# Against the drawn demo catalog real photos score lower (12 random public product photos: 0.585-0.755; a landscape
# 0.44, blank images 0.52, noise 0.62-0.75 overlap them): only what is clearly no garment is left out.
NOT_CLOTHING_BELOW_DRAWN = 0.55
PER_REQUEST = ("colour", "shade", "usage", "season", "gender", "child", "cheaper_than")  # reset by a new request
KEEP_CUE = re.compile(r"\b(?:also|still|as well)\b")  # everything carries over, the colour too
# "and shoes?", "now a bag", "what about a watch", "jeans too": another piece of the same outfit (not the colour)
CONTINUES = re.compile(r"^\s*(?:ok(?:ay)?,?\s+)?(?:and|now|then|next|what about|how about)\b|\btoo\b")
# Another piece of the same outfit ("ok and now trousers to go with it"): who it is for and the occasion carry over
SAME_OUTFIT = re.compile(r"\b(?:to go with|goes with|go well with|to match|to pair with|pairs? with|(?:to )?wear with)\b")
OUTFIT_WIDE = ("usage", "season", "gender", "child")  # kept for another piece of the same outfit
ANOTHER_KIND_WORDS = 3  # "belt", "shoes plz": this short, a kind named continues the outfit ("show me some jeans" not)
ANOTHER_PERSON = re.compile(r"\b(?:for (?:me|myself|him|her|them|my \w+|a friend|someone else)|gift|present)\b")
WHO = ("gender", "child")  # who it is for: kept by a new request unless another person is named
VERB_WORK = re.compile(r"\bworks?\s+(?:well\s+)?with\b", re.I)  # "would work with" names no occasion
STARTS_OVER = re.compile(
    r"\b(?:new search|start (?:over|again)|forget (?:it|that|about)|something (?:completely |totally )?different)\b"
)
LIGHT = re.compile(r"\b(?:pastels?|light[- ]colou?r(?:s|ed)?|pale colou?rs?|light shades?)\b")
DARK, DARK_BELOW = re.compile(r"\b(?:dark|darkish|dark-coloured|dark colou?red)\b(?! (?:blue|green|red|grey|brown))"), 40.0
POINTS_BACK = re.compile(
    r"\b(?:what about|how about|instead|another|same|these|those|them|one|it(?!')|like that|too|less|more|rather|"
    r"similar|other|else|actually|though|hmm|anything|isn't|aren't|sportier|comfier|warmer|cooler|longer|shorter|"
    r"bigger|smaller|simpler|plainer|bolder|looser|tighter|softer|thicker|thinner|sturdier|trendier|cuter|nicer|"
    r"better)\b"
)
SIZE = re.compile(r"\b(?:size|sz)[\s:]+(?:[2-5]?x{0,3}[sl]|m|small|medium|large|\d{1,2}(?:\.5)?)\b"
                  r"|\b(?:xx?s|x{1,3}l|[2-5]xl)\b|\bplus[- ]size\b|\b(?:uk|eu) ?\d{1,2}\b")
SAME_KIND = re.compile(r"\b(?:one|ones|it|them|these|those)\b")
KID = re.compile(rf"{CHILD.pattern}|\b(?:son|daughter|nephew|niece|boy|boys)\b")  # for a child
CHILDREN = re.compile(  # clearly a child: "for boys", a child's age, "schoolgirl" (not "my son": he may be grown up)
    rf"{CHILD.pattern}|\b(?:for|of) (?:my |our |two |some )?(?:boys|girls)\b(?!'? (?:night|trip|weekend|day|holiday|out))"
    r"|\bschool ?(?:boy|girl)")
WEDDING = re.compile(r"\b(?:wedding(?! anniversary)|reception|engagement|shaadi|baraat)s?\b")
WEDDING_GUEST = {"Women": ["Party", "Ethnic"], "": ["Formal", "Party", "Ethnic"]}
AVOID_WORDS = r"(?:no|not|without|avoid|hate|except|anything but)"
def identify_pieces(engine: SearchEngine, photos: list[Image.Image]) -> tuple[list[OutfitPiece], list[Image.Image], list[str]]:
    """Recognise each photo by its nearest catalog products (they vote for type, colour, gender and usage).

    On the drawn demo catalog a real photo looks like no drawing, so only its dominant colour is read (the type
    stays unknown) unless the photo is one of the drawings itself. Returns the pieces, the photos kept for the collage, and notes for the user.
    """
    pieces, kept, notes = [], [], []
    drawn = engine.catalog.source == "demo"
    threshold = NOT_CLOTHING_BELOW_DRAWN if drawn else NOT_CLOTHING_BELOW.get(engine.encoder.name)
    for position, photo in enumerate(photos, start=1):
        neighbours = engine.photo_neighbours(photo)
        if not neighbours or (threshold is not None and neighbours[0].score < threshold):
            notes.append(f"Photo {position} does not look like a clothing item or accessory I know, so I left it out.")
            continue
        if drawn and neighbours[0].score < DUPLICATE_SIMILARITY:  # a real photo, not one of the drawings
            colour = dominant_colour(photo)
            notes.append(f"Photo {position}: matching photos against this catalog's drawings is rough, so I only read its "
                         f"main colour ({colour.lower()}), not what garment it is. Say what it is for a better match.")  # fmt: skip
            pieces.append(OutfitPiece("", colour, source="photo"))
            kept.append(photo)
            continue
        if neighbours[0].score >= DUPLICATE_SIMILARITY:  # the photo is this product's own picture
            item = neighbours[0].item
            pieces.append(OutfitPiece(item.article_type, item.colour, item.gender, item.usage, "photo", item.id))
            kept.append(photo)
            continue
        items = [hit.item for hit in neighbours]
        vote = {field: _majority([getattr(item, field) for item in items], 0.0) for field in ("article_type", "colour", "usage")}
        gender = _majority([item.gender for item in items])  # only when most neighbours agree
        pieces.append(OutfitPiece(vote["article_type"], vote["colour"], gender, vote["usage"], "photo", items[0].id))
        kept.append(photo)
    return pieces, kept, notes


def _majority(values: list[str], share: float = 0.5) -> str:
    """The most common value when more than ``share`` of the voters agree, else "" (unknown)."""
    value, count = Counter(values).most_common(1)[0]
    return value if count > share * len(values) else ""


@dataclasses.dataclass
class TurnReading:
    """What one message asked for, after the conversation rules were applied."""

    types: list[str]  # article types named (by name, synonym or the text model)
    slot: str  # an outfit slot named loosely ("footwear", "a layer"), when no type was named
    refinements: list[str]  # darker, lighter, cheaper, pricier, more formal, more casual, colour, occasion, material
    follow_up: bool  # the message refines the previous request instead of starting a new one
    notes: list[str]
    claimable: bool = False  # every word was read, and any kind of item by its name: captions may say "Matches"
    absent: str = ""  # a garment named that this catalog does not stock ("kurta"): the closest of its slot are shown
    guessed: bool = False  # no kind named: ``slot`` is the one the occasion, weather or event is mostly shopped for
    unread: list[str] = dataclasses.field(default_factory=list)  # the words not understood when no kind was read
    orphans: list[str] = dataclasses.field(default_factory=list)  # refinements asked with no earlier answer to refine
    narrower: list[str] = dataclasses.field(default_factory=list)  # kinds named that the catalog cannot tell apart
    absent_for: str = ""  # whom ``absent`` is lacking for, when the catalog has it for others only (women)
    no_children: bool = False  # asked for a child where the catalog has no children's wear
    same_kind: bool = False  # a follow-up pointing at the kind shown ("a sporty one"): it stays that kind

    @property
    def fully_read(self) -> bool:
        """A kind of item was read, or every content word was understood ("something red")."""
        return not self.unread


def update_constraints(
    conversation: Conversation, text: str, reader: RequestReader, whole: str = "", slot_hint: str = ""
) -> TurnReading:
    """Merge what ``text`` asks for into the conversation's constraints (gender, occasion, season and budget are
    also read from the ``whole`` message, which may describe the outfit; ``slot_hint`` is the slot its outfit
    cue asks for when the request names none).

    Rules: a follow-up (a refinement, or a short message naming no category, after an answer) keeps the target
    and every constraint and changes only what it names. A new request resets the per-request constraints
    (colour, occasion, season, gender, "cheaper than"), unless it says "also" / "still" / starts with "and";
    the outfit, the budget and avoided materials and colours carry over until "New conversation".
    """
    catalog = reader.catalog
    whole = VERB_WORK.sub("with", whole or text)
    lower = text.lower()
    parsed = parse_query(text, catalog)
    filters, ruled_out = parsed.filters, parsed.excluded  # "not a dress", "no red or pink"
    named = without_refinements(text)  # "something dressier" names no dress
    named_parse = parsed if named == text else parse_query(named, catalog)
    types = list(named_parse.filters.get("article_type", []))  # type: ignore[arg-type]
    if not types and not slot_hint:  # a type the text model reads, unless another slot is named ("what footwear")
        types = reader.article_types(named_parse.semantic)
        named_slot = reader.slot(named_parse.semantic, described=False)
        types = [t for t in types if not named_slot or reader.slot_of_type.get(t) == named_slot]
    excluded_types = [t for t in types if t in ruled_out.get("article_type", [])]  # "on my wrist, not a watch"
    types = [t for t in types if t not in excluded_types]
    filters.pop("article_type", None)
    filters.pop("usage", None)
    without_types = AMOUNT_TOPS.sub(" max", whole.lower())  # "about £50 tops" is at most 50, not about 50
    for name in sorted(catalog.values("article_type"), key=len, reverse=True):  # "formal shoes" names no occasion
        without_types = re.sub(rf"\b{re.escape(name.lower())}\b", " ", without_types)
    for name, value in parse_query(without_types, catalog).filters.items():
        if name not in ("article_type", "colour"):
            filters.setdefault(name, value)
    short_reply = bool(conversation.last_items) and len(lower.split()) <= 6  # "something darker", "in black?"
    slot = "" if types else slot_hint or reader.slot(named_parse.semantic, described=not short_reply)
    slot = slot or next((reader.slot_of_type.get(t, "") for t in excluded_types), "")  # another of that slot
    absent, absent_slot = ("", "") if types else garment_word(named_parse.semantic)  # named; no such type here
    slot = absent_slot or slot
    occasion = reader.usage(without_types)  # one the catalog lacks is said to be lacking
    office_party = occasion == "Party" and "Formal" in filters.get("usage", [])  # "the office xmas party"
    at_work = "Formal" in filters.get("usage", []) and not re.search(r"\bformal\b", without_types)
    activity = occasion == "Sports" and at_work  # "5-a-side with the office team": sportswear
    if occasion and ("usage" not in filters or occasion == "Ethnic" or office_party or activity):  # a "Diwali party"
        filters["usage"] = [occasion]
    if "season" not in filters and (season := reader.season(whole)):
        filters["season"] = [season]
    if speaker := speaker_gender(whole, catalog.values("gender")):  # "my son's graduation; I'm his mum, for me"
        filters["gender"] = speaker
    elif re.search(ALONGSIDE, whole.lower()):  # "my wife is dressing up, so I have to as well": not her clothes
        filters.pop("gender", None)
        if own := parse_query(SOMEONE_ELSE.sub(" ", whole.lower()), catalog).filters.get("gender"):  # "male here"
            filters["gender"] = own
    elif "gender" not in filters and (gender := pronoun_gender(whole, catalog.values("gender"))):
        filters["gender"] = gender
    if filters.get("usage") == ["Formal"] and WEDDING.search(without_types) and "formal" not in without_types:
        women = "Women" in filters.get("gender", conversation.constraints.get("gender", []))  # a guest dresses up
        filters["usage"] = WEDDING_GUEST["Women" if women else ""]  # (for her: not as for work)
    if len(types) > 1 and filters.get("usage"):  # "shoes for hiking": the kind of shoe the occasion calls for
        types = fitting_types(types, filters, reader)
    if types == ["Tops"] and not_the_tops_asked(reader, filters):  # "a top, men's", "a gym top"
        types, slot = [], "top"  # the slot, not the catalog's "Tops"
    notes: list[str] = []
    guessed = False
    anew = not conversation.last_items or _starts_anew(text)  # "ok, and a music festival next week": a new request
    dressed_for = "usage" in filters or "season" in filters  # "something red": any kind of red; "red for a party": not
    if not (types or slot or conversation.outfit) and anew and ("colour" not in filters or dressed_for):
        slot = occasion_slot(reader, filters, lower)  # "what do I wear to the gym": the occasion's usual piece
        guessed = True
        who = "" if "gender" in filters else ", and say who it is for (a man, a woman)"
        notes = [f"You named no kind of item, so I started with {SLOT_NAMES[slot]}: name one (shoes, a bag…) for "
                 f"something else{who}."] if slot else []  # fmt: skip
    may_follow = bool(conversation.last_items) and not types and not slot
    refinements = find_refinements(text, may_follow)
    follow_up = may_follow and not absent and not STARTS_OVER.search(lower)  # no kind named: refines the answer
    if follow_up and not refinements and SAME_OUTFIT.search(lower):  # "something to go with it": a new request
        _wear_shown(conversation, catalog)  # the piece shown joins the outfit, and the next slot is asked for
        follow_up = False
    constraints = conversation.constraints
    if not follow_up:
        constraints.pop("cheaper_than", None)  # cheaper than the items shown, not than the next kind asked for
    carried = _carried(conversation, lower) if not follow_up and not KEEP_CUE.search(lower) else ()
    if not follow_up and not KEEP_CUE.search(lower):
        for name in PER_REQUEST:
            if name not in carried:
                constraints.pop(name, None)
    if "gender" in carried and not constraints.get("gender"):  # "a lehenga", then "and shoes?": hers
        worn = {worn_by(catalog, kind) for kind in conversation.target_types}
        if len(worn) == 1 and (gender := worn.pop()):
            constraints["gender"] = [gender] + (["Unisex"] if "Unisex" in catalog.values("gender") else [])
    if "usage" in carried and not constraints.get("usage"):  # "black formal shoes", then "belt": a formal belt
        named = {word for kind in conversation.target_types for word in kind.split()} & set(catalog.values("usage"))
        if len(named) == 1:
            constraints["usage"] = sorted(named)
    colours = list(filters.get("colour", []))  # type: ignore[arg-type]
    avoided = [c for c in colours if re.search(rf"\b{AVOID_WORDS}\s+(?:\w+\s+)?{re.escape(c.lower())}\b", lower)]
    avoided += [c for c in ruled_out.get("colour", []) if c not in avoided]
    wanted = [c for c in colours if c not in avoided]
    if follow_up and wanted:  # the colour just shown is what is being moved away from: "brown instead of black"
        shown = {catalog.get(i).colour for i in conversation.last_items if i in catalog}
        fresh = [c for c in wanted if c not in shown]
        shade = r"\b(?:light|dark|deep|pale)(?:r|er)? "  # "a paler pink", "dark green"
        shaded = [c for c in wanted if re.search(rf"{shade}{re.escape(c.lower())}\b", lower)]
        moving = {"darker", "lighter"} & set(refinements) and not shaded  # "black washes me out, lighter?"
        wanted = fresh or ([] if moving else wanted)  # but "a lighter blue" still asks for blue
        if moving and not shaded:  # "darker, white gets dirty": a colour the other way is the one moved from
            wanted = [c for c in wanted if _towards(c, shown, "darker" in refinements)]
    if avoided:
        constraints["avoid_colours"] = list(dict.fromkeys([*constraints.get("avoid_colours", []), *avoided]))
        if not wanted and constraints.get("colour") and set(constraints["colour"]) <= set(avoided):  # "not black"
            constraints.pop("colour"), constraints.pop("shade", None)
    for name, words in (("avoid_types", ruled_out.get("article_type", [])), ("avoid_words", parsed.excluded_words)):
        if words:
            constraints[name] = list(dict.fromkeys([*constraints.get(name, []), *words]))
    conversation.target_types = [t for t in conversation.target_types if t not in constraints.get("avoid_types", [])]
    if wanted:
        refinements = [r for r in refinements if r not in ("darker", "lighter")]  # "in dark green": the colour said
        constraints["colour"] = wanted
        constraints.pop("shade", None)
        refinements += ["colour"] if follow_up else []
    elif not follow_up and DARK.search(lower):  # "jeans, dark please": the catalog's dark colours
        constraints["colour"] = [c for c in catalog.values("colour") if COLOUR_LIGHTNESS.get(c, 100) < DARK_BELOW]
        constraints["shade"] = "dark"
    elif not follow_up and LIGHT.search(lower):  # "pastel", "a light colour": the catalog's light colours
        constraints["colour"] = [c for c in catalog.values("colour") if soft_and_light(c)]
        constraints["shade"] = "light"
    kids = [g for g in ("Boys", "Girls") if g in catalog.values("gender")]
    whole_lower = whole.lower()
    if CHILDREN.search(whole_lower) and not kids and not GROWN_UP.search(whole_lower):
        constraints["child"] = True  # said first: nothing in stock is children's wear
    elif KID.search(whole_lower) and not kids and not constraints.get("child") and not speaker:  # "I'm the dad"
        notes.append("This catalog has no children's wear, so these are adults' items.")
    elif kids and "gender" not in filters and CHILD.search(whole_lower):  # "for a 6 year old": children's wear
        filters["gender"] = kids
    if size := SIZE.search(lower):  # the catalog has no sizes: said, not silently ignored
        notes.append(f"This catalog does not list sizes, so I could not check “{text[slice(*size.span())]}”.")
    if not reader.priced and {"price_max", "price_min"} & set(filters):
        notes.append("This catalog lists no prices, so I could not apply the budget.")
        filters.pop("price_max", None), filters.pop("price_min", None)
    for name in ("gender", "usage", "season", "price_max", "price_min"):
        if name in filters:
            constraints[name] = filters[name]
    if "gender" in carried and "gender" not in filters:  # "a dress" after men's jeans: not for men
        _drop_unfitting_gender(constraints, types or list(SLOT_TYPES.get(slot, {}).get("", ())), catalog)
    if constraints.get("usage") == WEDDING_GUEST[""] and "Women" in constraints.get("gender", []):  # hers after all
        constraints["usage"] = WEDDING_GUEST["Women"]
    if follow_up and "usage" in filters and not {"more formal", "more casual"} & set(refinements):
        refinements.append("occasion")
    materials = avoided_materials(whole)
    if materials:
        constraints["avoid_materials"] = list(dict.fromkeys([*constraints.get("avoid_materials", []), *materials]))
        refinements += ["material"] if follow_up else []
    earlier = any(item in catalog for item in conversation.last_items)
    bare = refinements and not (earlier or types or slot or absent)  # a bare "cheaper" with nothing shown to change
    orphans = refinements if bare and not conversation.last_task else []  # said first: no earlier answer at all
    if bare and not orphans:
        notes.append("The last answer showed nothing to change, so I read this as a new request.")
    notes += apply_refinements(conversation, refinements, catalog) if (follow_up or refinements) and earlier else []
    notes += resolve_conflicts(constraints)
    refined = follow_up and bool(refinements or filters or size)  # "darker", "im a guy btw", "size M" of the answer
    kind_known = bool(types or slot or refined or conversation.outfit)  # named, or the outfit gives it, or the
    # answer's kind was refined ("a snorkel mask then" is no refinement)
    unread = [] if kind_known else reader.unexplained_words(named_parse.semantic)
    narrower = [word for word in narrower_kinds(whole, catalog)  # "boots" are read as shoes; "no stilettos" is no kind
                if re.sub(r"e?s$", "", word) not in named_parse.excluded_words]
    explained = not reader.unexplained_words(whole, types=True) and not narrower
    # a type by name, or no kind and no outfit ("something red"); kinds picked to complete an outfit were not asked
    named_kind = bool(types) or not (slot or absent or conversation.outfit)
    claimable = conversation.claimable if follow_up else named_kind
    conversation.claimable = explained and claimable and not constraints.get("child")
    return TurnReading(types, slot, refinements if follow_up else [], follow_up, notes, conversation.claimable,
                       absent, bool(slot and guessed), unread, orphans, narrower,
                       no_children=bool(constraints.get("child")), same_kind=bool(SAME_KIND.search(lower)))  # fmt: skip


def _wear_shown(conversation: Conversation, catalog: Catalog) -> None:
    """Add the top item of the last answer to the outfit (a piece to go with it is asked for next)."""
    shown = catalog.get(conversation.last_items[0])
    if all(piece.item_id != shown.id for piece in conversation.outfit):
        conversation.outfit = [*conversation.outfit,
                               OutfitPiece(shown.article_type, shown.colour, shown.gender, shown.usage, "catalog", shown.id)]


def _carried(conversation: Conversation, lower: str) -> tuple[str, ...]:
    """The per-request constraints a new request after an answer keeps: who it is for, unless another person is
    named or the search starts over; also the occasion and season for another piece of the same outfit ("to go
    with it", "and shoes?", "now a bag", "what about a watch", or just "belt")."""
    if not conversation.last_items or STARTS_OVER.search(lower) or ANOTHER_PERSON.search(lower):
        return ()
    if SAME_OUTFIT.search(lower) or CONTINUES.search(lower) or len(lower.split()) <= ANOTHER_KIND_WORDS:
        return OUTFIT_WIDE
    return WHO


def _drop_unfitting_gender(constraints: dict, types: list[str], catalog: Catalog) -> None:
    """Leave out the person carried over when no item of ``types`` is for them: someone else is meant (an occasion
    carried over stays, and is said to be ignored when nothing meets it)."""
    wanted = known_values({"article_type": types, "gender": constraints.get("gender", [])}, catalog)
    if all(wanted.values()) and not catalog.mask(wanted).any():
        constraints.pop("gender")


def _towards(colour: str, shown: set[str], darker: bool) -> bool:
    """Whether ``colour`` lies the way asked ("darker" / "lighter") from every colour shown."""
    lightness = COLOUR_LIGHTNESS.get(colour, 50.0)
    return all(lightness < COLOUR_LIGHTNESS.get(c, 50.0) if darker else lightness > COLOUR_LIGHTNESS.get(c, 50.0)
               for c in shown)


def _starts_anew(text: str) -> bool:
    """Whether a message after an answer that names no kind of item is a new request, not a refinement of the
    answer: a sentence (more than five words) with no comparative, no material to avoid and no word pointing back
    at what was shown ("one", "it", "instead", "actually")."""
    lower = text.lower()
    points_back = find_refinements(lower) or POINTS_BACK.search(lower) or avoided_materials(lower)
    return len(lower.split()) > 5 and not points_back


