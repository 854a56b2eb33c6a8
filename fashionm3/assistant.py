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

from fashionm3.errors import InvalidInput, Unavailable
from fashionm3.images import ImageSource
from fashionm3.retrieval.engine import Hit
from fashionm3.security import inputs
from fashionm3.service import MAX_IMAGES_PER_MESSAGE, FashionM3, check_user_id
from fashionm3.stylist.collage import make_collage
from fashionm3.stylist.context import identify_pieces, split_outfit, update_constraints
from fashionm3.stylist.description import ItemDescription
from fashionm3.stylist.grounding import build_query, explain
from fashionm3.stylist.knowledge import missing_slot, slot_article_types, slot_of, translate
from fashionm3.stylist.offline import OfflineStylist, first_value, plan_item
from fashionm3.stylist.personalize import Preference, user_preference
from fashionm3.stylist.prompts import StylistRequest
from fashionm3.stylist.router import route
from fashionm3.stylist.state import Conversation, OutfitPiece

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
    notes: list[str] = []
    photos = _load_photos(service, images, notes)
    conversation = service.sessions.open(session_id, user_id)
    query_text, foreign = translate(text)
    if foreign:
        notes.append("I work best in English; I matched the fashion words I recognised" + (f" (read as “{query_text}”)." if query_text != text else "."))
    request_text, described = split_outfit(query_text, service.catalog)
    if photos:
        pieces, kept, photo_notes = identify_pieces(service.engine, photos)
        notes += photo_notes
        if not pieces and not text:
            raise InvalidInput("None of the photos looks like clothing I know. Describe what you are looking for, or send a photo of an outfit item.")
        conversation.outfit, conversation.photos = pieces, kept
    if described:
        conversation.outfit = [*(p for p in conversation.outfit if p.source == "photo"), *described]
    named_types, refinements, constraint_notes = update_constraints(conversation, request_text, service.catalog, query_text)
    notes += constraint_notes
    try:
        task = route(query_text, task, bool(conversation.outfit), conversation.last_task, bool(refinements))
    except ValueError as error:
        raise InvalidInput(str(error)) from error
    conversation.remember("user", text or "(photos)")
    if task == "generate":
        yield _generate(service, conversation, query_text, notes)
    elif task == "try_on":
        yield _try_on_handoff(service, conversation, notes)
    elif task == "search":
        yield _search(service, conversation, query_text, named_types, photos, notes)
    else:
        yield from _recommend(service, conversation, task, query_text, named_types, refinements, notes)


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
    service: FashionM3, conversation: Conversation, task: str, text: str, named: list[str], refinements: list[str], notes: list[str]
) -> Iterator[str | Recommendation]:
    catalog = service.catalog
    replace = _piece_to_replace(service, conversation, named) if task == "alternative" else None
    target = _target_types(service, conversation, task, named, refinements, replace)
    preference = None
    if task == "personalized":
        liked = [item_id for item_id, liked in service.store.feedback(conversation.user_id).items() if liked]
        outfit_text = ", ".join(piece.label() for piece in conversation.outfit)
        summarize = None if isinstance(service.stylist, OfflineStylist) else service.stylist.summarize
        preference = user_preference(service.engine, liked, target, outfit_text, summarize)
        if preference is None:
            notes.append("You have not liked any items yet, so I cannot personalise: like a few items (👍) and ask again. Meanwhile, here is a pick that goes with your outfit.")
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
        refinements=refinements,
        previous=conversation.last_description.sentence() if refinements and conversation.last_description else "",
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
    keep_target = bool(named) or task == "alternative" or bool(refinements)
    types = target if keep_target else (service.categories.match(description.category) or target)
    exclude = set(conversation.rejected) | ({replace.item_id} if replace and replace.item_id else set())
    if task == "alternative" or refinements:
        exclude |= set(conversation.shown)
    query = build_query(description, request, types, catalog, exclude)
    taste = service.preference_for(conversation.user_id)
    result = service.engine.search(query.text, None, query.filters, CHAT_RESULTS, exclude=query.exclude, preference=taste)
    if result.strict:  # a recommendation shows only items that meet everything when there are any
        result.hits = result.hits[: result.strict]
    elif result.relaxed:
        notes.append(f"No item matched everything, so these ignore: {_dropped(result.relaxed)}.")
    explanations = {hit.item.id: explain(hit.item, description, request) for hit in result.hits}
    owned = [piece for piece in service.wardrobe(conversation.user_id) if piece.article_type in types][:2]
    if owned:
        notes.append("From your wardrobe: your " + " and your ".join(piece.label() for piece in owned) + " would also do here.")
    _remember(service, conversation, task, text, description, result.hits, types)
    answer = _compose(task, conversation.outfit, description, preference, result.hits, notes, query.filters)
    yield Recommendation(task, answer, result.hits, explanations, conversation.session_id, _backend(service), description,
                         preference.sentence if preference else "", notes)  # fmt: skip


def _target_types(
    service: FashionM3, conversation: Conversation, task: str, named: list[str], refinements: list[str], replace: OutfitPiece | None
) -> list[str]:
    """The catalog article types to recommend from: named by the user, the piece being replaced, the previous
    target when refining, or the slot that completes the outfit."""
    if named:
        return named
    if replace is not None:
        return [replace.article_type]
    if refinements and conversation.target_types:
        return conversation.target_types
    if conversation.outfit and task in ("basic", "personalized"):
        types = service.catalog.sub_category_of
        slot = missing_slot({slot_of(piece.article_type, types.get(piece.article_type, "")) for piece in conversation.outfit})
        genders = [piece.gender for piece in conversation.outfit if piece.gender]
        gender = conversation.constraints.get("gender") or ([genders[0], "Unisex"] if genders else [])
        usage = next((piece.usage for piece in conversation.outfit if piece.usage), "")
        mask = service.catalog.mask({"gender": [g for g in gender if g in service.catalog.values("gender")]})
        available = {item.article_type for item, keep in zip(service.catalog.items, mask) if keep}
        return slot_article_types(slot, usage, available)[:2] if slot else []
    return []


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


def _search(service: FashionM3, conversation: Conversation, text: str, named: list[str], photos: list[Image.Image], notes: list[str]) -> Recommendation:
    """A plain catalog search: a named category, gender and budget are kept; other words rank and filter softly."""
    filters = {k: v for k, v in conversation.constraints.items() if k in ("gender", "price_max", "price_min")}
    if named:
        filters["article_type"] = named
    result = service.engine.search(text, photos[0] if photos else None, filters, CHAT_RESULTS, exclude=conversation.rejected,
                                   preference=service.preference_for(conversation.user_id))  # fmt: skip
    if result.relaxed:
        notes.append(f"Few items matched everything, so some results ignore: {_dropped(result.relaxed)}.")
    parsed = result.parsed.filters
    described = ItemDescription(category=first_value(parsed.get("article_type")), colour=first_value(parsed.get("colour")), source="search")
    _remember(service, conversation, "search", text, described, result.hits, list(parsed.get("article_type", [])))  # type: ignore[arg-type]
    understood = result.parsed.describe()
    lines = [f"Here are {len(result.hits)} catalog items for “{text}”." if text else f"Here are {len(result.hits)} catalog items that look like your photo."]
    if understood:
        lines.append(f"Understood: {understood}.")
    if not result.hits:
        lines = ["I found no catalog items for that. Try fewer constraints or other words."]
    explanations = {hit.item.id: "Matches your search." for hit in result.hits}
    answer = "\n\n".join([*lines, *(f"_{note}_" for note in notes)])
    return Recommendation("search", answer, result.hits, explanations, conversation.session_id, _backend(service), notes=notes)


def _generate(service: FashionM3, conversation: Conversation, text: str, notes: list[str]) -> Recommendation:
    """Hand-off to image generation: render the last recommended item (or the described one) next to real items."""
    picture = service.visualize(conversation.last_description or text, seed=0, count=1)
    recommended = [Hit(service.catalog.get(i), 1.0) for i in conversation.last_items if i in service.catalog]
    hits = recommended or picture.matches
    why = "The item this picture shows." if recommended else "Closest real catalog item to the description."
    answer = f"Here is what **{picture.prompt.subject}** could look like ({picture.backend})."
    if hits:
        answer += " The real catalog items it stands for are below." if recommended else " The closest real catalog items are below."
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


def _compose(task: str, outfit: list[OutfitPiece], description: ItemDescription, preference: Preference | None,
             hits: list[Hit], notes: list[str], filters: dict) -> str:  # fmt: skip
    lines = [f"**{TASK_TITLES[task]}**"]
    if outfit:
        lines.append("I see: " + ", ".join(piece.label() for piece in outfit) + ".")
    if preference:
        lines.append(f"Using your preference: _{preference.sentence}_")
    if hits:
        lines.append(f"I suggest **{description.sentence()}**. {description.reason}".strip())
    else:
        wanted = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in filters.items())
        lines.append(f"No catalog item matches all of your constraints ({wanted}). Try relaxing one of them.")
    lines += [f"_{note}_" for note in notes]
    return "\n\n".join(lines)


def _dropped(filter_names: list[str]) -> str:
    """Relaxed filter names in words, e.g. "usage, price min"."""
    return ", ".join(name.replace("_", " ") for name in filter_names)


def _backend(service: FashionM3) -> str:
    return f"{service.stylist.label}; {service.engine.encoder.label}"

