"""Command line (contracts C4, C7): ``python -m fashionm3 index|search|plan``, ``eval stylist|generation``,
``export-preferences`` and ``study export``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from fashionm3.config import Settings
from fashionm3.errors import FashionM3Error, InvalidInput
from fashionm3.evaluation import REQUEST_SETS


def _progress_bar():  # noqa: ANN202 (returns a Progress callback)
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def update(done: int, total: int, stage: str) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=f"encoding {stage}", unit="item", file=sys.stderr)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def cmd_index(args: argparse.Namespace) -> None:
    from fashionm3.catalog.loaders import load_styles_csv
    from fashionm3.retrieval.ann import IndexOptions
    from fashionm3.retrieval.encoders import create_encoder_by_name
    from fashionm3.retrieval.engine import SearchEngine

    settings = Settings.from_env()
    if args.catalog in ("demo", "auto") or args.catalog.startswith("hf:"):  # e.g. a prebuilt index for a Space
        from fashionm3.catalog.loaders import load_catalog
        from fashionm3.config import probe_environment

        hub = probe_environment(settings.hub_probe_timeout).hub_reachable
        catalog = load_catalog(dataclasses.replace(settings, catalog=args.catalog), hub)
    else:
        catalog, report = load_styles_csv(Path(args.catalog), Path(args.images) if args.images else None)
        print(f"{args.catalog}: {report.summary()}", file=sys.stderr)
        for line, reason in report.skipped[:20]:
            print(f"  line {line}: {reason}", file=sys.stderr)
    encoder = create_encoder_by_name(args.encoder, settings)
    options = IndexOptions(args.index, args.milvus_uri or str(Path(args.out).resolve() / "milvus.db"), settings.milvus_token)
    engine = SearchEngine.build(catalog, encoder, settings.data_dir / "embeddings", _progress_bar(), options)
    engine.save(Path(args.out))
    print(json.dumps({"index": args.out, "items": len(catalog), "encoder": encoder.name, "kind": engine.text_index.kind}))


def cmd_search(args: argparse.Namespace) -> None:
    from fashionm3.catalog.loaders import load_styles_csv
    from fashionm3.retrieval.ann import IndexOptions
    from fashionm3.retrieval.encoders import create_encoder_by_name
    from fashionm3.retrieval.engine import SearchEngine, read_index_meta

    meta = read_index_meta(Path(args.index))
    catalog, _ = load_styles_csv(Path(meta["catalog"]), Path(meta["images"]) if meta["images"] else None)
    settings = Settings.from_env()
    encoder = create_encoder_by_name(args.encoder or meta["encoder_spec"], settings)
    engine = SearchEngine.load(Path(args.index), catalog, encoder, IndexOptions(milvus_token=settings.milvus_token))
    with open(args.queries, encoding="utf-8") as queries:
        for number, line in enumerate(queries, start=1):
            if not line.strip():
                continue
            print(json.dumps(_answer(engine, line, number, args.k)), flush=True)


def _answer(engine: "object", line: str, number: int, k: int) -> dict[str, object]:
    from fashionm3.images import load_image

    try:
        query = json.loads(line)
    except json.JSONDecodeError:
        return {"qid": None, "line": number, "error": "not a JSON object", "results": []}
    qid = query.get("qid")
    try:
        image = load_image(query["image"]).image if query.get("image") else None
        result = engine.search(query.get("text", ""), image, query.get("filters"), k)  # type: ignore[attr-defined]
    except FashionM3Error as error:
        return {"qid": qid, "error": str(error), "results": []}
    return {"qid": qid, "results": [{"id": hit.item.id, "score": round(hit.score, 6)} for hit in result.hits]}


def cmd_eval(args: argparse.Namespace) -> None:
    from fashionm3.evaluation.generation_eval import evaluate_generation
    from fashionm3.evaluation.stylist_eval import evaluate_stylist
    from fashionm3.service import FashionM3

    settings = Settings.from_env()
    overrides = {"catalog": args.catalog} if args.catalog else {}
    if args.backend:
        overrides["stylist"] = args.backend
    if args.generator:
        overrides["generator"] = args.generator
    service = FashionM3.start(dataclasses.replace(settings, **overrides))
    if service.engine.indexing:  # a large catalog is indexed in the background: evaluate on all of it
        service.engine.indexing.ended.wait()
    if args.component == "generation":
        print(json.dumps(evaluate_generation(service, args.n, args.seed)))
        return
    from fashionm3.evaluation.request_eval import evaluate_requests

    report = {"scenarios": evaluate_stylist(service, args.n, args.seed)} if args.n else {}
    families = [name.strip() for name in args.families.split(",")] if args.families else None
    report["requests"] = evaluate_requests(service, [Path(p) for p in args.requests.split(",")], families, args.seed)
    print(json.dumps(report))


def cmd_plan(args: argparse.Namespace) -> None:
    from fashionm3.deploy.plan import plan_json, plan_table

    settings = Settings.from_env()
    print(json.dumps(plan_json(settings), indent=1) if args.json else plan_table(settings))


def cmd_export_preferences(args: argparse.Namespace) -> None:
    from fashionm3.catalog.loaders import load_catalog
    from fashionm3.config import probe_environment
    from fashionm3.people.dpo import export_preferences
    from fashionm3.store import open_user_store

    settings = Settings.from_env()
    catalog = load_catalog(settings, probe_environment(settings.hub_probe_timeout).hub_reachable)
    count = export_preferences(open_user_store(settings.data_dir, settings.database_url), catalog, Path(args.out))
    print(json.dumps({"pairs": count, "out": args.out}))


def cmd_study_export(args: argparse.Namespace) -> None:
    from fashionm3.store import open_user_store
    from fashionm3.study.protocol import load_protocol
    from fashionm3.study.records import Study

    settings = Settings.from_env()
    study = Study(load_protocol(settings.study_file), open_user_store(settings.data_dir, settings.database_url))
    print(json.dumps({**study.export(Path(args.out)), "out": args.out}))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fashionm3", description="FashionM3 catalog tools")
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser("index", help="build a search index for a styles.csv catalog")
    index.add_argument("--catalog", required=True, help="styles.csv (public catalog format), hf:<dataset>, demo or auto")
    index.add_argument("--images", help="folder of <id>.jpg images (default: images/ beside the csv)")
    index.add_argument("--out", required=True, help="folder to write the index to")
    index.add_argument("--encoder", default="offline", help="offline, fashionclip, fashionsiglip or an open_clip name")
    index.add_argument("--index", default="auto", choices=["auto", "exact", "ann", "milvus"], help="vector index kind")
    index.add_argument("--milvus-uri", help="with --index milvus: Milvus Lite file or server address (default: in --out)")
    index.set_defaults(run=cmd_index)

    search = commands.add_parser("search", help="answer a JSONL file of queries")
    search.add_argument("--index", required=True)
    search.add_argument("--queries", required=True, help='JSONL lines {"qid": ..., "text": ...} or {"qid": ..., "image": ...}')
    search.add_argument("-k", type=int, default=10)
    search.add_argument("--encoder", help="must match the index's encoder (default: the index's)")
    search.set_defaults(run=cmd_search)

    evaluate = commands.add_parser("eval", help="evaluate a component on scenarios built from a catalog")
    evaluate.add_argument("component", choices=["stylist", "generation"])
    evaluate.add_argument("--catalog", help="styles.csv, hf:<dataset> or demo (default: FASHIONM3_CATALOG)")
    evaluate.add_argument("--backend", choices=["offline", "vlm", "openai"], help="stylist backend (default: FASHIONM3_STYLIST)")
    evaluate.add_argument("--generator", choices=["diffusers", "sketch"], help="image generator (default: FASHIONM3_GENERATOR)")
    evaluate.add_argument("-n", type=int, default=200, help="number of scenarios (stylist) or images (generation)")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--requests", default=",".join(str(p) for p in REQUEST_SETS),
                          help="stylist: written request sets, comma-separated (JSONL, a phrasing family per request)")  # fmt: skip
    evaluate.add_argument("--families", default="", help="stylist: comma-separated families to run (default: all)")
    evaluate.set_defaults(run=cmd_eval)

    plan = commands.add_parser("plan", help="GPU memory plan of the full-mode models (offline, loads nothing)")
    plan.add_argument("--json", action="store_true", help='one JSON object: {"models": [...], "total_bytes": ...}')
    plan.set_defaults(run=cmd_plan)

    export = commands.add_parser("export-preferences", help="write (prompt, chosen, rejected) pairs for DPO as JSONL")
    export.add_argument("--out", required=True, help="JSONL file to write")
    export.set_defaults(run=cmd_export_preferences)

    study = commands.add_parser("study", help="study mode tools")
    study.add_argument("action", choices=["export"])
    study.add_argument("--out", required=True, help="folder for events.jsonl, answers.csv, sus.csv and turns.csv")
    study.set_defaults(run=cmd_study_export)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        args.run(args)
    except (FashionM3Error, InvalidInput) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
