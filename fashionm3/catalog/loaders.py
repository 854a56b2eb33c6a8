"""Catalog sources: the public styles.csv format (contracts C5), a Hugging Face dataset, and the demo catalog.

All of them produce the same :class:`~fashionm3.catalog.schema.Catalog`.
"""

from __future__ import annotations

import csv
import dataclasses
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from fashionm3.catalog.schema import Catalog, Item
from fashionm3.config import DEFAULT_HF_DATASET, Settings
from fashionm3.errors import CatalogError, StartupError

log = logging.getLogger(__name__)

C5_COLUMNS = [
    "id", "gender", "masterCategory", "subCategory", "articleType",
    "baseColour", "season", "year", "usage", "productDisplayName",
]  # fmt: skip
REQUIRED_COLUMNS = ["id", "productDisplayName"]


@dataclasses.dataclass
class LoadReport:
    """What happened while reading a catalog file: rows kept and rows skipped, with line numbers."""

    rows_read: int = 0
    skipped: list[tuple[int, str]] = dataclasses.field(default_factory=list)

    def no_items(self, csv_path: Path) -> str:
        """The startup line for a catalog file that gave no items: the file, the first broken row, and the fix."""
        columns = ",".join(C5_COLUMNS)
        fix = f"Fix: give each row an id and a name (columns {columns}), or point FASHIONM3_CATALOG at another file"
        if not self.skipped:
            return f"{csv_path}: the catalog has a header but no rows. {fix}."
        line, reason = self.skipped[0]
        return f"{csv_path}: none of its {self.rows_read} rows is a usable item (line {line}: {reason}). {fix}."

    def summary(self) -> str:
        text = f"{self.rows_read - len(self.skipped)} items loaded"
        if self.skipped:
            lines = ", ".join(str(line) for line, _ in self.skipped[:10])
            more = "" if len(self.skipped) <= 10 else f" and {len(self.skipped) - 10} more"
            text += f"; {len(self.skipped)} broken rows skipped (lines {lines}{more})"
        return text


MISSING = frozenset({"NA", "NAN", "NONE"})  # cell values that mean "no value"
RECORD_FIELDS = ("id", "productDisplayName", "gender", "masterCategory", "subCategory", "articleType", "baseColour",
                 "season", "usage", "year", "price")  # fmt: skip


def _cell(value: object) -> str:
    """A record value as stripped text; ``None`` and the missing markers (NA, NaN, None) become ""."""
    text = "" if value is None else str(value).strip()
    return "" if text.upper() in MISSING else text


def item_from_record(record: Mapping[str, object], image_path: str | None) -> Item:
    """Build an :class:`Item` from one C5-style record; a missing name is made from gender, colour and type."""
    get = record.get
    (item_id, name, gender, master, sub, article, colour, season, usage, year, price) = [
        _cell(get(key)) for key in RECORD_FIELDS
    ]
    name = name or " ".join(filter(None, [gender, colour, article]))
    if not item_id or not name:
        raise ValueError("missing id, or neither a productDisplayName nor attributes to name it")
    return Item(
        id=item_id.removesuffix(".0"), name=name, gender=gender, master_category=master, sub_category=sub,
        article_type=article, colour=colour, season=season, usage=usage,
        year=int(float(year)) if year else None, price=float(price) if price else None, image_path=image_path,
    )  # fmt: skip


def image_names(folder: Path) -> frozenset[str]:
    """The names of the files in ``folder`` (one directory read instead of a ``stat`` per catalog row)."""
    try:
        with os.scandir(folder) as entries:
            return frozenset(entry.name for entry in entries if entry.is_file())
    except OSError:  # no images folder (or not readable): no item has a photo
        return frozenset()


def load_styles_csv(csv_path: Path, images_dir: Path | None = None, limit: int | None = None) -> tuple[Catalog, LoadReport]:
    """Read a C5 ``styles.csv``; images are looked up as ``<images_dir>/<id>.jpg`` (default: ``images/`` beside it).

    Broken rows are skipped and reported with their line numbers; a missing file or missing required columns
    raise :class:`CatalogError`.
    """
    csv_path = Path(csv_path)
    images_dir = Path(images_dir) if images_dir else csv_path.parent / "images"
    if not csv_path.is_file():
        raise CatalogError(f"No catalog file at {csv_path}.")
    report, items, seen, photos = LoadReport(), [], set(), image_names(images_dir)
    with csv_path.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        header = [column.strip() for column in next(reader, [])]
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise CatalogError(f"{csv_path.name} lacks the column(s) {', '.join(missing)}; expected {','.join(C5_COLUMNS)}.")
        for row in reader:
            if not row:
                continue
            report.rows_read += 1
            line = reader.line_num
            if len(row) > len(header):  # unquoted commas inside the display name
                row = row[: len(header) - 1] + [",".join(row[len(header) - 1 :])]
            try:
                if len(row) < len(header):
                    raise ValueError(f"{len(row)} fields instead of {len(header)}")
                record = dict(zip(header, row))
                photo = f"{record['id'].strip()}.jpg"
                item = item_from_record(record, str(images_dir / photo) if photo in photos else None)
                if item.id in seen:
                    raise ValueError(f"duplicate id {item.id}")
            except ValueError as error:
                report.skipped.append((line, str(error)))
                continue
            seen.add(item.id)
            items.append(item)
            if limit and len(items) >= limit:
                break
    log.info("%s: %s", csv_path, report.summary())
    return Catalog(items, name=csv_path.parent.name, source=str(csv_path), image_root=images_dir), report


def load_records(records: Iterable[Mapping[str, object]], name: str, source: str, image_dir: Path) -> Catalog:
    """Build a catalog from C5-style records whose ``image`` field holds PIL images or encoded bytes.

    Images are written once to ``image_dir/<id>.jpg`` so the app can serve and index them like any catalog.
    """
    from fashionm3.images import load_image

    image_dir.mkdir(parents=True, exist_ok=True)
    items = []
    for record in records:
        try:
            item = item_from_record(record, None)
        except ValueError:
            continue
        target = image_dir / f"{item.id}.jpg"
        image = record.get("image")
        if not target.exists() and image is not None:
            raw = image.get("bytes") if isinstance(image, dict) else image
            load_image(raw).image.save(target, quality=92)  # type: ignore[arg-type]
        items.append(dataclasses.replace(item, image_path=str(target) if target.exists() else None))
    return Catalog(items, name=name, source=source, image_root=image_dir)


def load_hf_dataset(repo_id: str, data_dir: Path, limit: int) -> Catalog:
    """Download a C5-shaped Hugging Face dataset (parquet shards) and convert up to ``limit`` rows (0: all)."""
    import pandas as pd
    from huggingface_hub import HfApi, hf_hub_download

    shards = sorted(f for f in HfApi().list_repo_files(repo_id, repo_type="dataset") if f.endswith(".parquet"))
    if not shards:
        raise CatalogError(f"The dataset {repo_id} has no parquet files.")
    frames, rows = [], 0
    for shard in shards:
        frame = pd.read_parquet(hf_hub_download(repo_id, shard, repo_type="dataset"))
        frames.append(frame)
        rows += len(frame)
        if limit and rows >= limit:
            break
    table = pd.concat(frames)
    records = (table.head(limit) if limit else table).to_dict(orient="records")
    image_dir = data_dir / "catalogs" / repo_id.replace("/", "--") / "images"
    return load_records(records, name=repo_id, source=f"hf:{repo_id}", image_dir=image_dir)


def load_catalog(settings: Settings, hub_reachable: bool) -> Catalog:
    """The catalog the settings ask for: ``auto``, ``demo``, a path to a C5 ``styles.csv``, or ``hf:<dataset id>``.

    ``auto`` is the Hub dataset with product photos (``hf:``) when the Hub is reachable, else the demo catalog. A Hub
    dataset requested (or chosen by ``auto``) while the Hub is unreachable, or failing to load, falls back to the
    demo catalog with a warning; a ``styles.csv`` that gives no items raises :class:`StartupError`.
    """
    source = settings.catalog
    if source == "auto":
        source = "hf:" if hub_reachable else "demo"
    if source.startswith("hf:") or source == "hf":
        repo_id = source[3:] or DEFAULT_HF_DATASET
        if not hub_reachable:
            log.warning("Hub unreachable: cannot load %s, serving the demo catalog instead", repo_id)
            source = "demo"
        else:
            try:
                return load_hf_dataset(repo_id, settings.data_dir, settings.catalog_limit)
            except (OSError, ValueError, CatalogError) as error:  # huggingface_hub's errors are OSError/ValueError
                if settings.catalog != "auto":
                    raise CatalogError(f"Could not load the Hub dataset {repo_id} ({str(error)[:200]}).") from error
                log.warning("Could not load %s (%s): serving the demo catalog instead", repo_id, error)
                source = "demo"
    if source == "demo":
        from fashionm3.catalog.demo import demo_catalog

        return demo_catalog(settings.data_dir / "demo-catalog")
    catalog, report = load_styles_csv(Path(source), limit=settings.catalog_limit or None)
    if not len(catalog):
        raise StartupError(report.no_items(Path(source)))
    return catalog
