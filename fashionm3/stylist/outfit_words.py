"""Reading the outfit out of a message's words: "black shoes to go with my navy shirt", "I've got these brown
oxfords", "trousers are sorted", a body region ("from the waist down") or a bag's contents ("big enough for shoes"):
what the user has is the outfit, what they ask for is the request."""

from __future__ import annotations

import re
from fashionm3.catalog.schema import Catalog
from fashionm3.retrieval.query import parse_query
from fashionm3.stylist.grounding import worn_by
from fashionm3.stylist.knowledge import NOT_A_GARMENT, garment_word, slot_of
from fashionm3.stylist.refinements import without_refinements
from fashionm3.stylist.state import OutfitPiece
from fashionm3.stylist.understanding import RequestReader

PEOPLE = (
    r"(?:mom|mum|mother|dad|father|parents?|wife|husband|partner|boyfriend|girlfriends?|friends?|sister|brother|"
    r"son|daughter|kids?|family|colleagues?|boss|grandma|grandpa|aunt|uncle|cousin|niece|nephew|bf|gf|lads|guys|"
    r"girls|boys|mates|gang|team|crew|in-laws|fianc[eé]e?)\b"
)
BODY = r"(?:waist|wrist|neck|feet|head|ears?|hands?|legs|eyes)\b"  # "for my waist" asks for a belt
WHOSE = r"(?:my|this|these|his|her|their|your)"
OUTFIT_CUE = re.compile(  # what follows names the outfit ("for a" does not: "looking for a shirt")
    rf"\b(?:(?:(?:that |to |which |would )?(?:goes?|go|pairs?|matche?s?) (?:well )?|wear )with"
    rf"(?: (?:{WHOSE}|a|an|the))?(?! {PEOPLE})|with (?:{WHOSE}|a|an|the)(?! {PEOPLE})"
    rf"|(?:for|(?P<under>under)|match|matches|suits?) (?:my|this|these)(?! {PEOPLE}| {BODY})"
    rf"|(?P<over>over|on top of) (?:{WHOSE}|a|an|the)"
    rf"|(?:complete|finish)(?:e?s)? (?:{WHOSE}|the)|(?:jazz|dress|spice|liven|brighten) up (?:{WHOSE}|a|an|the))\b",
    re.I,
)
WORN_OUT = re.compile(
    r"\b(?:falling apart|fell apart|torn|ripped|worn (?:out|through)|wore out|broke|broken|died|dead"
    r"|killing me|(?:don'?t|doesn'?t|no longer) fit|too (?:small|tight|big))\b",
    re.I,
)
# an owned garment's words do not cross a person or a verb: "my wife want top" owns no top
STOP = r"(?!(?:and|or|my|his|her|our|i|he|she|we|they|wants?|needs?|buys?|is|are|was|likes?|loves?|would|will)\b)"
OWNED = re.compile(  # what one owns is not asked for: "my favourite pair of jeans", "my shirt and his jeans"
    rf"\b(?:my|his|our|(?<!gift )(?<!buy )(?<!get )(?<!got )(?<!give )(?<!find )her)"  # "gift her a handbag"
    rf" ((?:{STOP}[a-z][a-z-]* ){{0,3}}{STOP}[a-z][a-z-]*)", re.I
)
GARMENT = r"((?:[a-z-]+ ){0,2}[a-z-]+)"  # up to three words that may name a garment
HELD = re.compile(  # "I've got these brown oxfords", "I'm having these flats"
    rf"\b(?:(?:i|he|she|we)(?:'ve| have| has)? (?:got|bought|own|owns|have|has)|i'?m having|i am having"
    rf"|(?:just )?(?:got|bought)(?= (?:these|this|those|a new)))"
    rf" (?:(?:these|this|those|that|a|an|some|my|his|her|just|new|decent|nice) )*{GARMENT}",
    re.I,
)
ONLY_HAS = re.compile(  # "all I have is jeans", "he only owns t-shirts": something else is wanted
    rf"\b(?:all (?:i|he|she|we) (?:have|has|own|owns|wear|wears)(?: [a-z]+){{0,3}} (?:is|are)"
    rf"|(?:i|he|she|we) (?:only|currently) (?:have|has|own|owns|wear|wears)|(?:have|has|own|owns) only"
    rf"|(?:i|he|she|we) (?:have|has|own|owns) nothing but) (?:(?:a|an|some|my|his|her|old|only) )*{GARMENT}",
    re.I,
)
READY = re.compile(rf"\b{GARMENT} (?:is|are|'s|'re) (?:already )?(?:sorted|ready|done|covered|taken care of)\b", re.I)
GARMENT_NAME = re.compile(rf"\b{GARMENT}\b", re.I)
QUESTION = re.compile(r"\b(?:which|what)(?: kind of| sort of| type of)? ((?:[a-z-]+ )?[a-z-]+)", re.I)
ANAPHOR = re.compile(r"\b(?:go|goes|pair|pairs|wear|match) with (?:it|them|that)\b", re.I)
SHOWN = re.compile(rf"\b(?:this|these|those) {GARMENT}", re.I)  # the photographed piece, when another is asked for
CONTENTS = re.compile(  # what a bag is to hold is no item to show: "big enough for shoes", "to carry my laptop"
    r"\b(?:(?:big|large|roomy) enough (?:for|to (?:fit|hold|carry))|room for"
    r"|keep (?:my |all my )?(?:phone|keys|lipstick|essentials|stuff|things)\b"
    r"|(?:to )?(?:carry|carries|haul|lug|pack|hold|holds|fit|fits|store) (?:all |around )?"
    r"(?:my|his|her|our|a|the|everything|stuff|things)\b)[^.?!;,]*(?:,[^.?!;,]*\band\b[^.?!;,]*)?",
    re.I,
)
REGIONS = {  # a body region names the outfit slot ("from the waist down"); said before garment words are read
    "bottom": r"from the waist down|below the (?:belt|waist)|(?:bottom|lower) half|lower (?:body|part of (?:my |the )?body)"
    r"|(?:on|for) (?:my|his|her|the) legs"
    r"|(?:my|his|her) legs|(?:wear )?(?:below|under) it",
    "top": r"up top|(?:on|for) top(?! of)|(?:upper|top) half|upper (?:body|part of (?:my |the )?body)",
    "footwear": r"(?:on|for) (?:my|his|her|your|the) feet|(?:my|his|her) feet|(?:from|below) the ankles?(?: down)?",
    "one-piece": r"one[- ]piece|one (?:easy |simple )?outfit|in one go|top and bottom together|matching set"
    r"|one thing (?:i can )?(?:just )?(?:to )?(?:throw|pull|slip) on",
}
WORN_FOR = re.compile(  # "a belt for jeans", "socks with sneakers": the garment after the kind asked for is worn
    r"\b(?:for|with) (?:a |an |the |some )?(?!(?:my|his|her|our|their|this|these|it|them)\b)"
    r"(?P<worn>(?:[a-z-]+ )?[a-z-]+)\b", re.I)
WEARING_CUE = re.compile(
    r"\b(?:i'?m|i am|i'll be|i will be) wearing\b|^\s*wearing (?:this|these|my|a)\b|\bthis is (?:my|the)\b"
    r"|\b(?:i|he|she|they|we) (?:wears?|owns?|bought) (?:this|these|my|his|her|a|an|the)\b",
    re.I,
)

CLAUSE_BREAK = re.compile(  # sentences, and a question after a comma: "I'm wearing a navy shirt, what goes with it?"
    r"(?<=[.!?;])\s+|,\s+(?=(?:what|which|how|any|anything|can|could|would|should|suggest|recommend|need|help|show"
    r"|complete|finish|style|pls|please)\b)",
    re.I,
)
GENERIC_ASK = re.compile(  # a last clause asking for whatever completes the garments said before it
    r"^\W*(?:(?:pls|please|can you|could you|help me) )?(?:complete|finish|style|match)(?: off)? (?:the|my|this|a) "
    r"(?:look|outfit|fit)\b|^\W*what (?:goes|would go|can i wear|should i wear|to wear|matches) with (?:it|this|that)\b",
    re.I,
)


def split_outfit(
    text: str, catalog: Catalog, reader: RequestReader | None = None
) -> tuple[str, list[OutfitPiece], str]:
    """Split "black shoes to go with my navy shirt and grey jeans" into the request ("black shoes") and the
    outfit described in words (navy blue shirts, grey jeans), at the last outfit cue followed by garments; a
    sentence saying what one wears ("This is the shirt I'm wearing.") before the question is outfit too, and so
    are garments one has ("I've got these oxfords", "trousers are sorted") or shows ("what dress with these
    heels?", when the rest names a kind). The third value is the slot the words ask for: "outerwear" for
    "something to wear over my dress", "bag" for "something to carry my laptop", "bottom" for "from the waist
    down", else ""."""
    text, hint = _slot_words(NOT_A_GARMENT.sub(" ", text))  # "office dress codes" ask for no dress
    text = ONLY_HAS.sub(lambda m: f"not {m.group(1)}" if _pieces(m.group(1), catalog) else m.group(0), text)
    request, pieces, slot = _split(text, catalog)
    asked = QUESTION.search(request)  # "kurta pajama set for Eid, which footwear?"
    hint = hint or (_asked_slot(asked.group(1), catalog, reader) if reader and asked else "")
    held = [m for cue in (HELD, READY) for m in cue.finditer(request) if _pieces(m.group(1), catalog)]
    rest = _cut(request, held)
    shown = [m for m in SHOWN.finditer(rest) if _pieces(m.group(1), catalog)]
    if shown and _names_kind(_cut(rest, shown), catalog, reader):
        rest = _cut(rest, shown)
    else:
        shown = []
    found = [piece for m in (*held, *shown) for piece in _pieces(m.group(1), catalog)]
    request = rest if found else request
    if reader and not (pieces or found) and (first := _referred_to(request, catalog, reader)):
        request, found = first  # "floral sundress for the beach, sunnies or a hat to go with it?"
    if (hint := slot or hint) and reader:  # garments of other slots are the outfit ("black skirt, what on top?")
        others = [m for m in GARMENT_NAME.finditer(request) if _other_slot(m.group(0), hint, catalog, reader)]
        found += [piece for m in others for piece in _pieces(m.group(0), catalog)]
        request = _cut(request, others) if others else request
    return " ".join(request.split()).strip(" ,;-"), [*pieces, *found], hint


def _referred_to(request: str, catalog: Catalog, reader: RequestReader) -> tuple[str, list[OutfitPiece]] | None:
    """(the request, the outfit) when the garment named first is the "it" of a later "to go with it" and the
    garments named after it are of other slots; else None."""
    anaphor = ANAPHOR.search(request)
    before = request[: anaphor.start()] if anaphor else ""
    for word in re.finditer(r"[\w'-]+", before):
        types = parse_query(before[: word.end()], catalog).filters.get("article_type", [])
        if types:
            rest = request[word.end() :]
            worn = {reader.slot_of_type.get(t) for t in types}  # type: ignore[union-attr]
            asked = parse_query(before[word.end() :], catalog).filters.get("article_type", [])
            if asked and not worn & {reader.slot_of_type.get(t) for t in asked}:  # type: ignore[union-attr]
                return rest, _pieces(before[: word.end()], catalog)
            return None
    return None


def _asked_slot(words: str, catalog: Catalog, reader: RequestReader) -> str:
    """The slot the words after "which" / "what" name: by a type ("which handbag") or loosely ("what footwear")."""
    types = parse_query(words, catalog).filters.get("article_type", [])
    return reader.slot_of_type.get(types[0], "") if types else reader.slot(words, described=False)


def _other_slot(words: str, slot: str, catalog: Catalog, reader: RequestReader) -> bool:
    """Whether ``words`` name garments only of slots other than ``slot`` ("on top" also takes a jacket)."""
    types = parse_query(words, catalog).filters.get("article_type", [])
    wanted = {slot, "outerwear"} if slot == "top" else {slot}
    return bool(types) and not any(reader.slot_of_type.get(t) in wanted for t in types)


def _slot_words(text: str) -> tuple[str, str]:
    """The text without a body region or a bag's contents, and the slot they ask for ("" when none)."""
    for slot, pattern in REGIONS.items():
        if re.search(rf"\b(?:{pattern})\b", text, re.I):
            return re.sub(rf"\b(?:{pattern})\b", " ", text, flags=re.I), slot
    if CONTENTS.search(text):
        return CONTENTS.sub(" ", text), "bag"
    return text, ""


def _cut(text: str, matches: list[re.Match[str]]) -> str:
    """``text`` without the garments the matches name (their cue words stay)."""
    for match in sorted(matches, key=lambda m: -m.start(1)):
        text = text[: match.start(1)] + " " + text[match.end(1) :]
    return text


def _names_kind(text: str, catalog: Catalog, reader: RequestReader | None) -> bool:
    """Whether ``text`` names a kind of item: an article type, or (with ``reader``) a slot named loosely."""
    return bool(parse_query(text, catalog).filters.get("article_type")) or bool(
        reader and reader.slot(text, described=False)
    )


def _split(text: str, catalog: Catalog) -> tuple[str, list[OutfitPiece], str]:
    """:func:`split_outfit` by outfit cues, worn sentences and "my <garment>"."""
    sentences = [part for part in CLAUSE_BREAK.split(text.strip()) if part]
    generic_ask = bool(sentences) and bool(GENERIC_ASK.search(sentences[-1]))  # "navy shirt, complete the look"
    worn = [
        part
        for part in sentences[:-1]
        if not part.endswith("?")
        and (generic_ask or WEARING_CUE.search(part))
        and parse_query(part, catalog).filters.get("article_type")
    ]
    if worn:
        request, pieces, slot = _split(" ".join(part for part in sentences if part not in worn), catalog)
        return request, [*(_pieces(" and ".join(worn), catalog)), *pieces], slot
    for match in reversed(list(OUTFIT_CUE.finditer(text))):
        sentence, *after = re.split(
            r"(?<=[.?!;])|(?=\b(?:that|which|but|not|isn'?t|no)\b)", text[match.end() :], maxsplit=1
        )
        pieces = _pieces(sentence, catalog)
        if pieces:  # what follows the garments after a comma is still the request: "for this dress, gold or silver"
            kept = [part for part in sentence.split(",")[1:] if not _pieces(part, catalog)]
            request = " ".join(" ".join([text[: match.start()], *kept, *after]).split())
            return request, pieces, _cue_slot(match, pieces[0], catalog)
    for match in WORN_FOR.finditer(text):
        asked = parse_query(text[: match.start()], catalog).filters.get("article_type", [])
        pieces = _pieces(match.group("worn"), catalog)
        worn = {_slot(piece.article_type, catalog) for piece in pieces}
        if asked and pieces and not {_slot(kind, catalog) for kind in asked} & worn:
            return " ".join(f"{text[: match.start()]} {text[match.end() :]}".split()), pieces, ""
    owned = {  # a garment this catalog lacks is owned too: "a warm thing to throw over my kurti" asks for no kurti
        m.span(): pieces
        for m in OWNED.finditer(text)
        if ((pieces := _pieces(m.group(1), catalog)) or garment_word(m.group(1))[0]) and not _replaced(text, m)
    }
    request = OWNED.sub(lambda m: _without_garments(m.group(1), catalog) if m.span() in owned else m.group(0), text)
    if owned and len(request.split()) >= 3:  # "my jeans keep slipping down, something to hold them up"
        return " ".join(request.split()), [piece for pieces in owned.values() for piece in pieces], ""
    return text, [], ""


def _slot(article_type: str, catalog: Catalog) -> str:
    return slot_of(article_type, catalog.sub_category_of.get(article_type, ""))


def _cue_slot(match: re.Match[str], piece: OutfitPiece, catalog: Catalog) -> str:
    """The slot an outfit cue asks for: a layer "over my dress", a top "under my blazer", bottoms "under my dress"."""
    if match.group("over"):
        return "outerwear"
    worn = _slot(piece.article_type, catalog)
    return {"outerwear": "top", "one-piece": "bottom"}.get(worn, "") if match.group("under") else ""


def _without_garments(words: str, catalog: Catalog) -> str:
    """``words`` less the ones naming a garment ("trousers keep slipping" -> " keep slipping")."""
    named = ("article_type", "colour")
    return " " + " ".join(word for word in words.split()
                          if not set(named) & set(parse_query(word, catalog).filters) and not garment_word(word)[0])


def _replaced(text: str, match: re.Match[str]) -> bool:
    """Whether the garment owned is one to replace: "my old trainers are falling apart", "none of my tops fit"."""
    sentence = re.split(r"(?<=[.!?;])\s+", text[match.start() :], maxsplit=1)[0]
    return bool(WORN_OUT.search(sentence) or text[: match.start()].lower().endswith("none of "))


def _pieces(text: str, catalog: Catalog) -> list[OutfitPiece]:
    """The garments a list names ("my navy shirt and grey jeans"), one piece per part that names a type."""
    pieces = []
    for part in re.split(r",|\band\b|\bplus\b", text):
        filters = parse_query(without_refinements(part), catalog).filters  # "something dressier" names no dress
        types, colours = filters.get("article_type", []), filters.get("colour", [])
        if types:
            gender = worn_by(catalog, types[0])  # type: ignore[index]
            colour = colours[0] if colours else ""  # type: ignore[index]
            pieces.append(OutfitPiece(types[0], colour, gender, source="text"))  # type: ignore[index]
    return pieces
