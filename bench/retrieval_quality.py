"""Retrieval quality on the public product catalog, judged by metadata (never by hand), in one run.

Index: every catalog item with a photo except a held-out set; queries: natural text queries generated from
attribute combinations, and the held-out photos. A result is relevant when every requested attribute matches.
Systems: BM25 (bm25s), a plain MiniLM ranking, and the offline encoder as the app uses it (MiniLM + query
understanding + filters; pixel features for photos), plus two naive photo baselines.

Usage: python bench/retrieval_quality.py [--catalog ../shared/data/fashion-products] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fashionm3.catalog.loaders import load_styles_csv  # noqa: E402
from fashionm3.catalog.schema import Catalog, Item  # noqa: E402
from fashionm3.retrieval.encoders import OfflineEncoder  # noqa: E402
from fashionm3.retrieval.engine import SearchEngine  # noqa: E402

K = 10
NOUNS = {
    "Tshirts": "t-shirt", "Shirts": "shirt", "Casual Shoes": "casual shoes", "Sports Shoes": "sports shoes",
    "Watches": "watch", "Handbags": "handbag", "Tops": "top", "Heels": "heels", "Sunglasses": "sunglasses",
    "Wallets": "wallet", "Flip Flops": "flip flops", "Sandals": "sandals", "Belts": "belt", "Backpacks": "backpack",
    "Formal Shoes": "formal shoes", "Jeans": "jeans", "Shorts": "shorts", "Trousers": "trousers", "Flats": "flats",
    "Dresses": "dress", "Kurtas": "kurta", "Track Pants": "track pants", "Sweatshirts": "sweatshirt",
    "Jackets": "jacket", "Sweaters": "sweater", "Caps": "cap", "Socks": "socks", "Clutches": "clutch",
}  # fmt: skip
GENDER_WORDS = {"Men": ("for a man", "men's", "for him"), "Women": ("for a woman", "women's", "for her")}
USAGE_PHRASES = {"Casual": "for everyday wear", "Formal": "for the office", "Sports": "for the gym", "Party": "for a party"}
SEASON_PHRASES = {"Summer": "for summer", "Winter": "for winter"}


def natural_queries(index_items: list[Item], rng: random.Random, count: int) -> list[tuple[str, dict[str, str]]]:
    """Text queries in everyday words, each with the attributes a relevant item must have."""
    combos: dict[tuple, int] = {}
    for item in index_items:
        if item.article_type in NOUNS and item.gender in GENDER_WORDS and item.colour:
            for combo in (
                ("colour", item.colour, "article_type", item.article_type, "gender", item.gender),
                ("colour", item.colour, "article_type", item.article_type),
                ("colour", item.colour, "usage", item.usage),
                ("article_type", item.article_type, "gender", item.gender, "usage", item.usage),
                ("article_type", item.article_type, "season", item.season),
            ):
                combos[combo] = combos.get(combo, 0) + 1
    eligible = sorted(combo for combo, n in combos.items() if n >= 2 * K and _phrasable(dict(zip(combo[::2], combo[1::2]))))
    queries = []
    for combo in rng.sample(eligible, min(count, len(eligible))):
        wanted = dict(zip(combo[::2], combo[1::2]))
        queries.append((_phrase(wanted, rng), wanted))
    return queries


def _phrasable(wanted: dict[str, str]) -> bool:
    return wanted.get("usage", "Casual") in USAGE_PHRASES and wanted.get("season", "Summer") in SEASON_PHRASES


def _phrase(wanted: dict[str, str], rng: random.Random) -> str:
    colour = wanted.get("colour", "").lower()
    noun = NOUNS.get(wanted.get("article_type", ""), "something")
    words = [f"{colour} {noun}".strip() if noun != "something" else f"something {colour}"]
    if "gender" in wanted:
        form = rng.choice(GENDER_WORDS[wanted["gender"]])
        words = [f"{form} {words[0]}"] if form.endswith("'s") else [words[0], form]
    if "usage" in wanted:
        words.append(USAGE_PHRASES[wanted["usage"]])
    if "season" in wanted:
        words.append(SEASON_PHRASES[wanted["season"]])
    return " ".join(words)


def relevant(item: Item, wanted: dict[str, str]) -> bool:
    return all(getattr(item, field) == value for field, value in wanted.items())


def precision(items: list[Item], wanted: dict[str, str]) -> float:
    return sum(relevant(item, wanted) for item in items[:K]) / K


def thumbnail(image: Image.Image) -> np.ndarray:
    vector = np.asarray(image.convert("L").resize((16, 16)), np.float32).ravel()
    vector -= vector.mean()
    return vector / (np.linalg.norm(vector) + 1e-6)


def mean_colour(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), np.float32).reshape(-1, 3).mean(axis=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--catalog", default=str(ROOT.parent / "shared" / "data" / "fashion-products"))
    parser.add_argument("--text-queries", type=int, default=200)
    parser.add_argument("--image-queries", type=int, default=500)
    parser.add_argument("--max-index", type=int, default=0, help="index at most this many items (0: all with photos)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", help="embedding cache folder (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    full, _ = load_styles_csv(Path(args.catalog) / "styles.csv")
    with_photos = [item for item in full.items if item.image_path]
    rng.shuffle(with_photos)
    held_out, index_items = with_photos[: args.image_queries], with_photos[args.image_queries :]
    if args.max_index:
        index_items = index_items[: args.max_index]
    catalog = Catalog(index_items, "bench", str(args.catalog), full.image_root)

    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(args.cache) if args.cache else Path(scratch)
        encoder = OfflineEncoder()
        encoder.encode_text(["warm up"])
        started = time.perf_counter()
        engine = SearchEngine.build(catalog, encoder, cache)
        build_s = time.perf_counter() - started

    queries = natural_queries(index_items, rng, args.text_queries)
    import bm25s

    bm25 = bm25s.BM25()
    bm25.index(bm25s.tokenize([item.description() for item in index_items], show_progress=False), show_progress=False)
    scores: dict[str, list[float]] = {"bm25": [], "minilm": [], "offline": []}
    for text, wanted in queries:
        rows, _ = bm25.retrieve(bm25s.tokenize([text], show_progress=False), k=K, show_progress=False)
        scores["bm25"].append(precision([index_items[r] for r in rows[0]], wanted))
        rows, _ = engine.text_index.search(encoder.encode_text([text])[0], K)
        scores["minilm"].append(precision([index_items[r] for r in rows], wanted))
        scores["offline"].append(precision([hit.item for hit in engine.search(text, k=K).hits], wanted))

    image_scores: dict[str, list[float]] = {f"{s}_{a}": [] for s in ("offline", "thumbnail", "mean_colour") for a in ("type", "colour")}
    thumbs = np.stack([thumbnail(Image.open(item.image_path)) for item in index_items])
    colours = np.stack([mean_colour(Image.open(item.image_path)) for item in index_items])
    for query_item in held_out:
        photo = Image.open(query_item.image_path)
        ranked = {
            "offline": [hit.item for hit in engine.search(image=photo, k=K).hits],
            "thumbnail": [index_items[r] for r in np.argsort(-(thumbs @ thumbnail(photo)))[:K]],
            "mean_colour": [index_items[r] for r in np.argsort(np.linalg.norm(colours - mean_colour(photo), axis=1))[:K]],
        }
        for system, items in ranked.items():
            image_scores[f"{system}_type"].append(precision(items, {"article_type": query_item.article_type}))
            image_scores[f"{system}_colour"].append(precision(items, {"colour": query_item.colour}))

    result = {
        "bench": "retrieval_quality",
        "index_items": len(index_items),
        "text_queries": len(queries),
        "image_queries": len(held_out),
        "text_p_at_10": {name: round(float(np.mean(values)), 3) for name, values in scores.items()},
        "image_p_at_10": {name: round(float(np.mean(values)), 3) for name, values in image_scores.items()},
        "offline_index_build_s": round(build_s, 1),
        "offline_index_items_per_s": round(len(index_items) / build_s, 1),
        "examples": [{"query": text, "wanted": wanted} for text, wanted in queries[:5]],
    }
    if not args.json:
        worst = sorted(zip(scores["offline"], (q for q, _ in queries)))[:10]
        print("weakest offline text queries:", worst, file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
