"""Retrieval quality on the public product catalog, judged by metadata (never by hand), in one run.

The catalog is split by id: items whose id is divisible by 3 form the **held-out** catalog (never looked at while
tuning), the others the **dev** catalog. Each split is indexed on its own (all its rows for text, rows with a photo
for photos) and scored with:

- ``templates``: text queries generated from attribute combinations of that split ("purple top", ...);
- ``shopper``: the hand-written free-shopper set ``bench/queries/shopper.jsonl`` (kept out of tuning);
- photo queries: photos of the split, each searched with itself excluded from the results.

Text systems: BM25 (bm25s), a plain MiniLM ranking, and the offline encoder as the app uses it (MiniLM + query
understanding + filters). Photo systems: the app's photo search, the raw pixel-feature neighbours, a 16x16 grey
thumbnail and the mean colour. Photo metrics: same-type and same-colour precision@10, and a type-then-colour
NDCG@10 (gain 2 for the same type and colour, 1 for the same type only, 0 otherwise).

Usage: python bench/retrieval_quality.py [--catalog ../shared/data/fashion-products] [--cache DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
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
SHOPPER = ROOT / "bench" / "queries" / "shopper.jsonl"
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


def template_queries(items: list[Item], rng: random.Random, count: int) -> list[dict]:
    """Text queries in everyday words generated from attribute combinations with enough matching items."""
    combos: dict[tuple, int] = {}
    for item in items:
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
        queries.append({"text": _phrase(wanted, rng), "want": {name: [value] for name, value in wanted.items()}})
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


def _name_has(item: Item, words: list[str]) -> bool:
    return any(re.search(rf"\b{re.escape(word.lower())}", item.name.lower()) for word in words)


def relevant(item: Item, query: dict) -> bool:
    """Every wanted field holds an accepted value, the name has a wanted word, and nothing excluded matches."""
    if not all(getattr(item, field) in values for field, values in query["want"].items()):
        return False
    if query.get("name_has") and not _name_has(item, query["name_has"]):
        return False
    exclude = query.get("exclude", {})
    if any(getattr(item, field) in values for field, values in exclude.items() if field != "name_has"):
        return False
    return not _name_has(item, exclude.get("name_has", []))


def precision(items: list[Item], query: dict) -> float:
    return sum(relevant(item, query) for item in items[:K]) / K


def type_colour_ndcg(items: list[Item], query_item: Item, ideal_gains: list[int]) -> float:
    """NDCG@10 with gain 2 for the same type and colour, 1 for the same type, 0 otherwise."""

    def dcg(gains: list[int]) -> float:
        return sum((2**gain - 1) / np.log2(rank + 2) for rank, gain in enumerate(gains[:K]))

    best = dcg(ideal_gains)
    return dcg([_gain(item, query_item) for item in items]) / best if best else 0.0


def _gain(item: Item, query_item: Item) -> int:
    return (item.article_type == query_item.article_type) * (1 + (item.colour == query_item.colour))


def thumbnail(image: Image.Image) -> np.ndarray:
    vector = np.asarray(image.convert("L").resize((16, 16)), np.float32).ravel()
    vector -= vector.mean()
    return vector / (np.linalg.norm(vector) + 1e-6)


def mean_colour(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), np.float32).reshape(-1, 3).mean(axis=0)


def score_text(engine: SearchEngine, queries: list[dict]) -> dict:
    """Mean precision@10 per system over the queries with at least ``K`` relevant items (and per query kind)."""
    import bm25s

    items = engine.catalog.items
    bm25 = bm25s.BM25()
    bm25.index(bm25s.tokenize([item.description() for item in items], show_progress=False), show_progress=False)
    scored = [q for q in queries if sum(relevant(item, q) for item in items) >= K]
    scores: dict[str, list[float]] = {"bm25": [], "minilm": [], "offline": []}
    for query in scored:
        rows, _ = bm25.retrieve(bm25s.tokenize([query["text"]], show_progress=False), k=K, show_progress=False)
        scores["bm25"].append(precision([items[r] for r in rows[0]], query))
        rows, _ = engine.text_index.search(engine.encoder.encode_text([query["text"]])[0], K)
        scores["minilm"].append(precision([items[r] for r in rows], query))
        scores["offline"].append(precision([hit.item for hit in engine.search(query["text"], k=K).hits], query))
    by_kind: dict[str, list[float]] = {}
    for query, value in zip(scored, scores["offline"]):
        by_kind.setdefault(query.get("kind", "template"), []).append(value)
    report = {name: _mean(values) for name, values in scores.items()}
    report.update(queries=len(scored), skipped=len(queries) - len(scored))
    report["offline_by_kind"] = {kind: _mean(values) for kind, values in sorted(by_kind.items())}
    report["weakest"] = [q["text"] for _, q in sorted(zip(scores["offline"], scored), key=lambda pair: pair[0])[:8]]
    return report


def score_photos(engine: SearchEngine, query_items: list[Item]) -> dict:
    """Photo-query metrics per system; each query photo's own product is excluded from the results, and the
    type model is refitted without the query photos (an uploaded photo is not among the pictures it learnt from)."""
    with_photos = [item for item in engine.catalog.items if item.image_path]
    if engine.type_model is not None:
        engine.learn_types(engine.image_index.vectors, {item.id for item in query_items})
    thumbs = np.stack([thumbnail(Image.open(item.image_path)) for item in with_photos])
    colours = np.stack([mean_colour(Image.open(item.image_path)) for item in with_photos])
    position = {item.id: row for row, item in enumerate(with_photos)}
    metrics: dict[str, list[float]] = {}
    for query_item in query_items:
        photo = Image.open(query_item.image_path)
        own = position[query_item.id]
        thumb_scores, colour_distance = thumbs @ thumbnail(photo), np.linalg.norm(colours - mean_colour(photo), axis=1)
        thumb_scores[own], colour_distance[own] = -np.inf, np.inf
        ranked = {
            "app": [hit.item for hit in engine.search(image=photo, k=K, exclude=[query_item.id]).hits],
            "pixels_raw": [hit.item for hit in engine.photo_neighbours(photo, K + 1) if hit.item.id != query_item.id][:K],
            "thumbnail": [with_photos[r] for r in np.argsort(-thumb_scores)[:K]],
            "mean_colour": [with_photos[r] for r in np.argsort(colour_distance)[:K]],
        }
        others = [item for item in with_photos if item.id != query_item.id]
        ideal = sorted((_gain(item, query_item) for item in others), reverse=True)[:K]
        same_type, same_colour = {"want": {"article_type": [query_item.article_type]}}, {"want": {"colour": [query_item.colour]}}
        for system, items in ranked.items():
            metrics.setdefault(f"{system}_type", []).append(precision(items, same_type))
            metrics.setdefault(f"{system}_colour", []).append(precision(items, same_colour))
            metrics.setdefault(f"{system}_type_colour_ndcg", []).append(type_colour_ndcg(items, query_item, ideal))
    return {name: _mean(values) for name, values in metrics.items()}


def _mean(values: list[float]) -> float:
    return round(float(np.mean(values)), 3) if values else 0.0


def evaluate_split(items: list[Item], image_root: Path | None, args: argparse.Namespace, cache: Path) -> dict:
    """Index one split and score both text query sets and the photo queries on it."""
    rng = random.Random(args.seed)
    catalog = Catalog(items, "bench", args.catalog, image_root)
    encoder = OfflineEncoder()
    started = time.perf_counter()
    engine = SearchEngine.build(catalog, encoder, cache)
    build_s = time.perf_counter() - started
    shopper = [json.loads(line) for line in SHOPPER.read_text().splitlines() if line.strip()]
    photos = [item for item in items if item.image_path]
    return {
        "items": len(items),
        "photos": len(photos),
        "index_build_s": round(build_s, 1),
        "text_templates": score_text(engine, template_queries(items, rng, args.text_queries)),
        "text_shopper": score_text(engine, shopper),
        "photo": score_photos(engine, rng.sample(photos, min(args.image_queries, len(photos)))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--catalog", default=str(ROOT.parent / "shared" / "data" / "fashion-products"))
    parser.add_argument("--text-queries", type=int, default=200, help="template queries per split")
    parser.add_argument("--image-queries", type=int, default=400, help="photo queries per split")
    parser.add_argument("--max-items", type=int, default=0, help="use at most this many catalog rows (0: all)")
    parser.add_argument("--splits", default="dev,heldout", help="which splits to score")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", help="embedding cache folder (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()

    full, _ = load_styles_csv(Path(args.catalog) / "styles.csv")
    items = full.items[: args.max_items] if args.max_items else full.items
    splits = {
        "dev": [item for item in items if int(item.id) % 3 != 0],
        "heldout": [item for item in items if int(item.id) % 3 == 0],
    }
    result: dict = {"bench": "retrieval_quality", "split": "held-out = ids divisible by 3"}
    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(args.cache) if args.cache else Path(scratch)
        for name in args.splits.split(","):
            result[name] = evaluate_split(splits[name], full.image_root, args, cache)
            if not args.json:
                print(name, json.dumps(result[name], indent=1), file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
