"""A user's wardrobe: photos of clothes they own, recognised by their nearest catalog products, so the stylist can
point out pieces they already have."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import shutil
from pathlib import Path

from PIL import Image

from fashionm3.backends import UserStore
from fashionm3.errors import InvalidInput
from fashionm3.retrieval.engine import SearchEngine
from fashionm3.stylist.context import identify_pieces

MAX_PIECES = 200


@dataclasses.dataclass(frozen=True)
class WardrobePiece:
    path: str
    article_type: str
    colour: str
    usage: str

    def label(self) -> str:
        return f"{self.colour} {self.article_type}".strip().lower()


def wardrobe_folder(data_dir: Path, user_id: str) -> Path:
    """Where a user's wardrobe photos are kept (a hash of the id: no user ids in file names)."""
    return Path(data_dir) / "wardrobe" / hashlib.sha256(user_id.encode()).hexdigest()[:24]


def add_piece(store: UserStore, engine: SearchEngine, data_dir: Path, user_id: str, photo: Image.Image) -> WardrobePiece:
    """Recognise and keep one wardrobe photo; refuses photos that do not look like clothing."""
    if len(pieces(store, user_id)) >= MAX_PIECES:
        raise InvalidInput(f"Your wardrobe holds at most {MAX_PIECES} pieces; delete your data to start again.")
    recognised, _, _ = identify_pieces(engine, [photo])
    if not recognised:
        raise InvalidInput("That photo does not look like a clothing item or accessory I know; try a photo of one garment.")
    folder = wardrobe_folder(data_dir, user_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(8)}.png"
    photo.save(path)
    piece = WardrobePiece(str(path), recognised[0].article_type, recognised[0].colour, recognised[0].usage)
    store.add_event(user_id, "wardrobe", dataclasses.asdict(piece))
    return piece


def pieces(store: UserStore, user_id: str) -> list[WardrobePiece]:
    """The user's wardrobe, newest first."""
    events = store.history(user_id, limit=100_000, kinds=["wardrobe"])
    return [WardrobePiece(e["path"], e["article_type"], e["colour"], e["usage"]) for e in events if Path(e["path"]).exists()]


def remove_photos(data_dir: Path, user_id: str) -> None:
    shutil.rmtree(wardrobe_folder(data_dir, user_id), ignore_errors=True)
