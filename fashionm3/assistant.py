"""The chat orchestrator: one function per turn, used by the Chat tab, the ``recommend_outfit`` tool and the eval.

A turn validates the input, recognises the outfit in the photos, updates the session's constraints, routes the
task (basic / personalized / alternative recommendation, catalog search, image or try-on hand-off), asks the
stylist for one structured item description (streamed when a model writes it), grounds it in real catalog
items and explains each of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

from PIL import Image

from fashionm3.catalog.schema import Item
from fashionm3.errors import InvalidInput, Unavailable
from fashionm3.images import ImageSource
from fashionm3.retrieval.engine import Hit
from fashionm3.retrieval.lexicon import ENGLISH
from fashionm3.retrieval.prices import currency_of, parse_budget
from fashionm3.security import inputs
from fashionm3.service import MAX_IMAGES_PER_MESSAGE, FashionM3, check_user_id
from fashionm3.stylist.collage import make_collage
from fashionm3.stylist.context import TurnReading, identify_pieces, update_constraints
from fashionm3.stylist.description import ItemDescription
from fashionm3.stylist.grounding import WORDS, Grounded, caption, describe_stated, ground, money, noun_phrase
from fashionm3.stylist.knowledge import SLOT_NAMES, translate
from fashionm3.stylist.offline import OfflineStylist, plan_item
from fashionm3.stylist.outfit_words import split_outfit
from fashionm3.stylist.personalize import Preference, user_preference
from fashionm3.stylist.prompts import StylistRequest
from fashionm3.stylist.router import asks_for_alternative, route, small_talk
from fashionm3.stylist.state import Conversation, OutfitPiece
from fashionm3.stylist.targets import turn_targets
from fashionm3.stylist.understanding import plural, singular

CHAT_RESULTS = 6
TASK_TITLES = {
    "basic": "Outfit completion", "personalized": "Personalised pick", "alternative": "Alternative",
    "search": "Catalog search", "generate": "Product image", "try_on": "Try-on",
}  # fmt: skip


@dataclasses.dataclass
class Recommendation:
    """One answer: the task, markdown text, real catalog items with a reason each, and the session it belongs to."""

    task: str
    text: str
    hits: list[Hit]
    explanations: dict[str, str]
    session_id: str
    backend: str
    description: ItemDescription | None = None
    preference: str = ""
    notes: list[str] = dataclasses.field(default_factory=list)
    images: list[Image.Image] = dataclasses.field(default_factory=list)  # generated product images
    handoff_item: str = ""  # the catalog item to open in Try-on

    def to_json(self) -> dict[str, object]:
        """The ``recommend_outfit`` answer (contracts C3)."""
        return {
            "task": self.task,
            "text": self.text,
            "items": [hit.item.id for hit in self.hits],
            "explanation": {hit.item.id: self.explanations.get(hit.item.id, "") for hit in self.hits},
            "description": self.description.to_json() if self.description else None,
            "preference": self.preference,
            "notes": self.notes,
            "session_id": self.session_id,
            "backend": self.backend,
        }


def converse(
    service: FashionM3,
    message: str,
    images: Sequence[ImageSource] = (),
    user_id: str = "",
    session_id: str = "",
    task: str = "auto",
) -> Iterator[str | Recommendation]:
    """Answer one chat turn: yield the stylist's streamed text (if a model writes any), then a Recommendation.

    ``user_id`` is an identity the caller's adapter verified; empty means a caller without one, whose
    conversation continues only through its unguessable ``session_id`` and leaves no history.
    """
    text = service.check_text(message, allow_empty=bool(images))
    user_id, session_id = check_user_id(user_id) if user_id else "", inputs.session_id(session_id)
    coverage = service.engine.coverage()  # the catalog is still being indexed: say what search covers
    notes = [f"The catalog is still being indexed ({coverage}), so results may miss items."] if coverage else []
    photos = _load_photos(service, images, notes)
    conversation = service.sessions.open(session_id, user_id)
    if not photos and (reply := small_talk(text, bool(conversation.last_items))):  # "hi", "thx": no search
        yield Recommendation("search", reply, [], {}, conversation.session_id, _backend(service), notes=notes)
        return
    query_text, foreign = translate(text)
    if foreign:
        notes.append("I work best in English; I matched the fashion words I recognised" + (f" (read as “{query_text}”)." if query_text != text else "."))
    request_text, described, slot_hint = split_outfit(query_text, service.catalog, service.categories)
    if photos:
        pieces, kept, photo_notes = identify_pieces(service.engine, photos)
        notes += photo_notes
        if not pieces and not text:
            raise InvalidInput("None of the photos looks like clothing I know. Describe what you are looking for, or send a photo of an outfit item.")
        conversation.outfit, conversation.photos = pieces, kept
    if described:
        conversation.outfit = [*(p for p in conversation.outfit if p.source == "photo"), *described]
    reading = update_constraints(conversation, request_text, service.categories, query_text, slot_hint)
    notes += reading.notes
    said, shown = currency_of(text), currency_of(service.settings.currency) or service.settings.currency
    if said and said != shown and {"price_max", "price_min"} & set(parse_budget(text)):
        notes.append(f"Prices in this catalog are in {shown}; I read your budget in {said} as the same amount in {shown}.")
    try:
        task = route(query_text, task, bool(conversation.outfit), conversation.last_task, reading.follow_up)
    except ValueError as error:
        raise InvalidInput(str(error)) from error
    conversation.remember("user", text or "(photos)")
    if task == "generate":
        yield _generate(service, conversation, query_text, notes)
    elif task == "try_on":
        yield _try_on_handoff(service, conversation, notes)
    elif task == "search":
        yield _search(service, conversation, query_text, reading, photos, notes)
    else:
        yield from _recommend(service, conversation, task, query_text, reading, notes)


def recommend(service: FashionM3, *args: object, **kwargs: object) -> Recommendation:
    """:func:`converse` without streaming: the final Recommendation."""
    final = None
    for event in converse(service, *args, **kwargs):  # type: ignore[arg-type]
        final = event
    assert isinstance(final, Recommendation)
    return final


def _load_photos(service: FashionM3, images: Sequence[ImageSource], notes: list[str]) -> list[Image.Image]:
    if len(images) > MAX_IMAGES_PER_MESSAGE:
        notes.append(f"You sent {len(images)} photos; an outfit collage holds {MAX_IMAGES_PER_MESSAGE}, so I used the first {MAX_IMAGES_PER_MESSAGE}.")
        images = images[:MAX_IMAGES_PER_MESSAGE]
    loaded = []
    for position, source in enumerate(images, start=1):
        try:
            photo = service.load_user_image(source)
        except InvalidInput as error:
            raise InvalidInput(f"Photo {position}: {error}") from error
        notes.extend(photo.notes)
        loaded.append(photo.image)
    return loaded


def _recommend(
    service: FashionM3, conversation: Conversation, task: str, text: str, reading: TurnReading, notes: list[str]
) -> Iterator[str | Recommendation]:
    catalog = service.catalog
    replace = _piece_to_replace(service, conversation, reading.types) if task == "alternative" else None
    if task == "alternative" and replace is None:
        notes.append("There is nothing to find an alternative to yet (no outfit and no earlier answer), "
                     "so I searched for your words.")
        yield _search(service, conversation, text, reading, [], notes)
        return
    target, reading = turn_targets(service.catalog, conversation, task, reading, replace, notes)
    preference = None
    if task == "personalized":
        liked = [item_id for item_id, liked in service.store.feedback(conversation.user_id).items() if liked]
        outfit_text = ", ".join(piece.label() for piece in conversation.outfit)
        summarize = None if isinstance(service.stylist, OfflineStylist) else service.stylist.summarize
        preference = user_preference(service.engine, liked, target, outfit_text, summarize)
        if preference is None:
            meanwhile = "that goes with your outfit" if conversation.outfit else "for what you asked"
            notes.append("You have not liked any items yet, so I cannot personalise: like a few items (👍) and ask "
                         f"again. Meanwhile, here is a pick {meanwhile}.")
        if not target and preference:
            target = [preference.items[0].article_type]
    request = StylistRequest(
        task=task,
        message=text,
        outfit=conversation.outfit,
        collage=make_collage(conversation.photos) if conversation.photos else None,
        target_types=target,
        replace=replace.label() if replace else "",
        constraints=dict(conversation.constraints),
        preference=preference.sentence if preference else "",
        refinements=reading.refinements,
        previous=conversation.last_description.sentence() if reading.follow_up and conversation.last_description else "",
        history=conversation.turns[:-1],
        categories=catalog.values("article_type"),
    )
    fallback = plan_item(request, catalog.values("colour"), preference.colours if preference else [])
    description = fallback
    try:
        for event in service.stylist.describe(request, fallback):
            if isinstance(event, ItemDescription):
                description = event
            else:
                yield event
    except Unavailable as error:
        notes.append(f"{error} I used the offline fashion rules for this answer.")
    if description.source == "fallback":
        notes.append("The model's answer was not a usable item description, so I used the fashion rules and your words.")
    types = target or [t for t in service.categories.match(description.category)  # the model's, when none was stated
                       if t not in conversation.constraints.get("avoid_types", [])]
    if conversation.constraints.get("colour") and description.colour not in conversation.constraints["colour"]:
        description = dataclasses.replace(description, colour=conversation.constraints["colour"][0])  # stated colour wins
    exclude = set(conversation.rejected) | ({replace.item_id} if replace and replace.item_id else set())
    if task == "alternative" and asks_for_alternative(text):  # not "in navy" after one: the navy ones shown qualify
        exclude |= set(conversation.shown)
    query, wanted = description.query_text() or text, conversation.constraints
    worn_by = [] if wanted.get("gender") else [p.gender for p in conversation.outfit if p.gender not in ("", "Unisex")]
    if worn_by:  # the outfit's wearer: searched for, never claimed, and not said to be dropped
        query += f" {worn_by[0]}"
        unisex = ["Unisex"] if "Unisex" in service.catalog.values("gender") else []
        wanted = {**wanted, "gender": [worn_by[0], *unisex]}
    grounded = ground(service.engine, query, wanted, types, exclude, CHAT_RESULTS,
                      service.preference_for(conversation.user_id), _refined_fields(reading.refinements))  # fmt: skip
    if worn_by and "gender" in grounded.relaxed:
        grounded = dataclasses.replace(grounded, relaxed=[name for name in grounded.relaxed if name != "gender"])
    if task == "alternative" and grounded.relaxed:  # is it only the items shown already that meet everything?
        again = ground(service.engine, query, wanted, types, set(), CHAT_RESULTS)
        if not again.relaxed and again.hits:  # a constraint just added ("no leather"): those items, shown again
            grounded = dataclasses.replace(again if reading.refinements else grounded, seen=True)
    replaced = _replaced_words(replace) if replace else ""
    explanations = {hit.item.id: caption(hit.item, conversation.constraints, types, conversation.outfit, service.settings.currency,
                                         replaced, reading.claimable) for hit in grounded.hits}  # fmt: skip
    owned = [piece for piece in service.wardrobe(conversation.user_id) if piece.article_type in types][:2]
    if owned:
        notes.append("From your wardrobe: your " + " and your ".join(piece.label() for piece in owned) + " would also do here.")
    _remember(service, conversation, task, text, description, grounded.hits, types)
    answer = _compose(service, task, conversation, types, grounded, preference, notes, reading)
    yield Recommendation(task, answer, grounded.hits, explanations, conversation.session_id, _backend(service), description,
                         preference.sentence if preference else "", notes)  # fmt: skip


def _refined_fields(refinements: list[str]) -> tuple[str, ...]:
    """The constraints a refinement changed: relaxed last when nothing in stock meets everything."""
    fields = {"darker": "colour", "lighter": "colour", "colour": "colour", "cheaper": "cheaper_than", "pricier": "price_min",
              "more formal": "usage", "more casual": "usage", "occasion": "usage"}  # fmt: skip
    return tuple(dict.fromkeys(fields[r] for r in refinements if r in fields))


def _piece_to_replace(service: FashionM3, conversation: Conversation, named: list[str]) -> OutfitPiece | None:
    """The piece an alternative is asked for: a named outfit piece, else the latest recommended item (of the named
    category when one is named), else the only outfit piece."""
    for piece in conversation.outfit:
        if piece.article_type in named:
            return piece
    shown = [service.catalog.get(i) for i in [*conversation.last_items, *conversation.shown[::-1]] if i in service.catalog]
    if named:
        shown = [item for item in shown if item.article_type in named]
    if shown:
        item = shown[0]
        conversation.rejected.append(item.id)
        return OutfitPiece(item.article_type, item.colour, item.gender, item.usage, "catalog", item.id)
    return conversation.outfit[0] if len(conversation.outfit) == 1 else None


def _replaced_words(piece: OutfitPiece) -> str:
    """"the black casual shoe I showed" or "your navy blue shirts"."""
    if piece.source == "catalog" and piece.item_id:
        return f"the {noun_phrase(Item(piece.item_id, '', article_type=piece.article_type, colour=piece.colour), False)} I showed"
    return f"your {piece.label()}"


def _search(
    service: FashionM3, conversation: Conversation, text: str, reading: TurnReading, photos: list[Image.Image], notes: list[str]
) -> Recommendation:
    """A catalog search: every stated constraint is a filter (relaxed, and said so, only when nothing meets it)."""
    types, reading = turn_targets(service.catalog, conversation, "search", reading, None, notes)
    exclude = set(conversation.rejected)
    grounded = ground(service.engine, text, conversation.constraints, types, exclude, CHAT_RESULTS,
                      service.preference_for(conversation.user_id), _refined_fields(reading.refinements),
                      photos[0] if photos else None)  # fmt: skip
    currency = service.settings.currency
    explanations = {hit.item.id: caption(hit.item, conversation.constraints, types, [], currency, "", reading.claimable)
                    for hit in grounded.hits}  # fmt: skip
    top = grounded.hits[0].item if grounded.hits else None
    described = ItemDescription(category=top.article_type if top else "", colour=top.colour if top else "", source="search")
    _remember(service, conversation, "search", text, described, grounded.hits, types)
    answer = _compose(service, "search", conversation, types, grounded, None, notes, reading)
    return Recommendation("search", answer, grounded.hits, explanations, conversation.session_id, _backend(service), notes=notes)


def _generate(service: FashionM3, conversation: Conversation, text: str, notes: list[str]) -> Recommendation:
    """Hand-off to image generation: render the last recommended item (or the described one) next to real items."""
    picture = service.visualize(conversation.last_description or text, seed=0, count=1)
    recommended = [Hit(service.catalog.get(i), 1.0) for i in conversation.last_items[:1] if i in service.catalog]
    hits = recommended or picture.matches
    why = ("My last suggestion; the picture is generated from its description, so details differ." if recommended
           else "Closest real catalog item to the description.")  # fmt: skip
    answer = f"Here is what **{picture.prompt.subject}** could look like ({picture.backend})."
    if hits:
        answer += " The catalog item it stands for is below." if recommended else " The closest real catalog items are below."
    return Recommendation("generate", answer, hits, {h.item.id: why for h in hits}, conversation.session_id,
                          _backend(service), conversation.last_description, notes=notes, images=picture.images)  # fmt: skip


def _try_on_handoff(service: FashionM3, conversation: Conversation, notes: list[str]) -> Recommendation:
    """Hand-off to try-on: the last recommended garment is selected in the Try-on tab."""
    garments = [service.catalog.get(i) for i in [*conversation.last_items, *conversation.shown[::-1]] if i in service.catalog]
    if not garments:
        answer = "Ask me for an item first; then say “try it on” and I will open it in the Try-on tab."
        return Recommendation("try_on", answer, [], {}, conversation.session_id, _backend(service), notes=notes)
    wearable = [item for item in garments if item.master_category == "Apparel"]
    if not wearable:
        answer = f"Try-on works for clothes (tops, bottoms, dresses, outerwear); **{garments[0].name}** is not one. Ask me for a garment first."
        return Recommendation("try_on", answer, [], {}, conversation.session_id, _backend(service), notes=notes)
    item = wearable[0]
    answer = f"Open the **Try-on** tab: **{item.name}** is selected there. Add a photo of yourself and press “Try it on”."
    return Recommendation("try_on", answer, [Hit(item, 1.0)], {item.id: "The garment to try on."}, conversation.session_id,
                          _backend(service), notes=notes, handoff_item=item.id)  # fmt: skip


def _remember(service: FashionM3, conversation: Conversation, task: str, text: str, description: ItemDescription | None, hits: list[Hit], types: list[str]) -> None:
    ids = [hit.item.id for hit in hits]
    conversation.last_task, conversation.last_items, conversation.target_types = task, ids, types
    conversation.last_description = description
    conversation.shown += [i for i in ids if i not in conversation.shown]
    conversation.remember("assistant", description.sentence() if description else f"catalog search results for {text}")
    payload = {"task": task, "message": text, "items": ids, "description": description.to_json() if description else None}
    service.log_event(conversation.user_id, "recommend", payload, conversation.session_id)


def _compose(service: FashionM3, task: str, conversation: Conversation, types: list[str], grounded: Grounded,
             preference: Preference | None, notes: list[str], reading: TurnReading) -> str:  # fmt: skip
    """The answer: whether what was asked is in stock, or was not understood (first), the constraints applied, the
    outfit, the pick."""
    currency = service.settings.currency
    stated = describe_stated(conversation.constraints, types, currency)
    lines = []
    if reading.no_children and grounded.hits:
        lines.append("**Nothing in stock matches: this catalog has no children's wear.** Shown instead: the closest "
                     "adults' items; each card says what it is.")
    elif reading.absent and grounded.hits:
        who = f" for {reading.absent_for}" if reading.absent_for else ""
        lines.append(f"**Nothing in stock matches: this catalog has no {plural(reading.absent)}{who}.** Shown instead: "
                     f"the closest {SLOT_NAMES.get(reading.slot, 'items')}; each card says what it is.")  # fmt: skip
    elif not grounded.hits:
        asked = ", ".join(stated) or "your words"
        lines.append(f"**Nothing in stock matches what you asked for** ({asked}). Try relaxing a constraint.")
    elif grounded.seen and not grounded.relaxed:
        lines.append("**Nothing new in stock matches everything you asked for**: these were shown already and are the "
                     "only ones that do.")
    elif grounded.relaxed and grounded.seen:
        lines.append(f"**Nothing new in stock matches everything you asked for: the items that do were shown already.** Shown "
                     f"instead: the closest others, ignoring {_dropped(grounded.relaxed)}; each card says how it differs.")
    elif grounded.relaxed:
        lines.append(f"**Nothing in stock matches everything you asked for.** Shown instead: the closest items, "
                     f"ignoring {_dropped(grounded.relaxed)}; each card says how it differs.")  # fmt: skip
    if reading.orphans:  # after what is in stock: "Nothing in stock matches" stays the first line when it is said
        lines.append("**There is no earlier answer to change yet**, so I read your message as a new request. Say "
                     "what you are looking for (for example “black sneakers under 80”).")  # fmt: skip
    if grounded.hits and not reading.fully_read:  # also when constraints were dropped: "a gold sequin ballgown"
        unknown = [word for word in reading.unread if word not in ENGLISH and not word.endswith("'s")][:3]
        said = f" (I do not know {', '.join(f'“{word}”' for word in unknown)})" if unknown else ""
        lines.append(f"**I could not tell which kind of item you want**{said}, so these are the catalog items "
                     "closest to the words used. Name it (for example “a jacket” or “shoes”) for a better match.")
    if grounded.hits and reading.narrower and types and not reading.absent:  # "a ballgown" is read as a dress
        kinds = " or ".join(plural(word) for word in reading.narrower[:2])
        lines.append(f"**This catalog does not say which items are {kinds}**, so these are the closest "
                     f"{' and '.join(plural(singular(t)) for t in types[:2])}; each card says what it is.")
    lines.append(f"**{TASK_TITLES[task]}**")
    dropped = {*grounded.relaxed, *(["shade"] if "colour" in grounded.relaxed else [])} if grounded.hits else set()
    applied = describe_stated({k: v for k, v in conversation.constraints.items() if k not in dropped}, types, currency)
    if applied:  # what the items shown meet: a constraint the first line says was ignored is listed apart
        lines.append("Applied: " + " · ".join(applied) + ".")
    if ignored := [part for part in stated if part not in applied]:
        lines.append("Not applied (no item in stock meets everything): " + " · ".join(ignored) + ".")
    if conversation.outfit and task in ("basic", "personalized", "alternative"):
        lines.append("I see: " + ", ".join(piece.label() for piece in conversation.outfit) + ".")
    if preference:
        lines.append(f"Using your preference: _{preference.sentence}_")
    if grounded.hits:
        top = grounded.hits[0].item
        price = f", {money(top.price, currency)}" if top.price is not None else ""
        lines.append(f"I suggest **{noun_phrase(top)}**: {top.name}{price}.")
    lines += [f"_{note}_" for note in notes]
    return "\n\n".join(lines)


def _dropped(filter_names: list[str]) -> str:
    """Relaxed constraints in words, e.g. "the occasion and the colour"."""
    return " and ".join(f"the {WORDS.get(name, name.replace('_', ' '))}" for name in filter_names)


def _backend(service: FashionM3) -> str:
    return f"{service.stylist.label}; {service.engine.encoder.label}"

