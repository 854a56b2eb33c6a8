"""The application core: one object holding the backends, one method per capability.

The chat, the UI tabs, the CLI and the MCP tools all call these methods; none of this module imports Gradio.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import logging
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PIL import Image

from fashionm3.catalog.loaders import load_catalog
from fashionm3.catalog.schema import Catalog
from fashionm3.config import Environment, Settings, browser_secret, probe_environment, resolve_mode
from fashionm3.backends import ImageGenerator, Stylist, TryOn, UserStore
from fashionm3.deploy.plan import log_memory_plan
from fashionm3.deploy.quota import GPUUnavailable
from fashionm3.generation.sketch import SketchGenerator
from fashionm3.tryon.preview import CutoutPreview, Placement
from fashionm3.deploy.prebuilt import open_engine
from fashionm3.errors import InvalidInput, Unavailable
from fashionm3.generation import create_generator
from fashionm3.generation.request import ProductPrompt, check_count, product_prompt
from fashionm3.images import WORKING_SIZE, ImageSource, LoadedImage, load_image
from fashionm3.retrieval.ann import IndexOptions
from fashionm3.retrieval.encoders import create_encoder
from fashionm3.people.accounts import People, check_user_id
from fashionm3.people.files import UserFiles
from fashionm3.retrieval.engine import Hit, Progress, SearchEngine, SearchResult
from fashionm3.security import inputs
from fashionm3.security.identity import API_PREFIX, Identities, key_digest, looks_like_api_key, new_api_key
from fashionm3.startup import check_data_dir, disk_faults_named
from fashionm3.store import open_user_store
from fashionm3.study.protocol import load_protocol
from fashionm3.study.records import Study
from fashionm3.study.sync import start_study_sync
from fashionm3.stylist import create_stylist
from fashionm3.tryon import create_tryon
from fashionm3.tryon.garments import check_person_photo, garment_region
from fashionm3.stylist.description import ItemDescription
from fashionm3.stylist.grounding import CategoryMatcher
from fashionm3.stylist.state import SessionStore

if TYPE_CHECKING:
    from fashionm3.assistant import Recommendation

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_IMAGES_PER_MESSAGE = 4
MAX_RESULTS = 100


@dataclasses.dataclass
class FashionM3(People):
    """The running assistant: settings, probes, catalog, search engine and user store."""

    settings: Settings
    environment: Environment
    mode: str
    catalog: Catalog
    engine: SearchEngine
    store: UserStore
    stylist: Stylist
    generator: ImageGenerator
    tryon: TryOn
    startup_seconds: float = 0.0
    notices: list[str] = dataclasses.field(default_factory=list)  # fallbacks the user should know about
    upload_roots: list[Path] = dataclasses.field(default_factory=list)  # where the UI stores uploaded files
    sessions: SessionStore = dataclasses.field(default_factory=SessionStore)  # chat conversations
    study: Study | None = None  # study mode (FASHIONM3_STUDY=1)
    identities: Identities | None = None  # signs the anonymous ids kept in browsers
    user_files: UserFiles = dataclasses.field(default_factory=UserFiles)  # exports, uploads per user
    # built preferences keyed by what they are built from (a like or a new preference makes a new key)
    _preferences: collections.OrderedDict = dataclasses.field(default_factory=collections.OrderedDict, repr=False)
    _preference_lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, repr=False)

    @classmethod
    @disk_faults_named
    def start(
        cls, settings: Settings | None = None, progress: Progress | None = None, hold_indexing: bool = False
    ) -> "FashionM3":
        """Probe the environment, load the catalog and build (or reuse) its index; faults that stop the start are
        raised as one-line :class:`~fashionm3.errors.StartupError` messages. ``hold_indexing``: a background index
        build begins encoding only at :meth:`release_indexing` (``app.py`` calls it once the page answers)."""
        began = time.perf_counter()
        settings = settings or Settings.from_env()
        environment = probe_environment(settings.hub_probe_timeout)
        mode = resolve_mode(settings, environment)
        notices = [environment.notice] if environment.notice and settings.backend == "auto" else []
        for notice in notices:
            log.warning(notice)
        check_data_dir(settings.data_dir)
        store = open_user_store(settings.data_dir, settings.database_url)  # integrity check first: fail fast
        catalog = load_catalog(settings, environment.hub_reachable)
        if settings.catalog == "auto" and not catalog.source.startswith("hf:"):
            notices.append("Showing the drawn demo catalog: real product photos load from the Hub when it is reachable.")
        log.info("Catalog %s: %d items; indexing with %s", catalog.name, len(catalog), mode)
        try:
            encoder = create_encoder(mode, settings)
        except Unavailable as error:
            if settings.backend == "full":
                raise
            notices.append(f"{error} Serving the offline encoder instead.")
            log.warning(notices[-1])
            encoder = create_encoder("offline", settings)
        options = IndexOptions(
            kind=settings.index,
            milvus_uri=settings.milvus_uri or str(settings.data_dir / "milvus.db"),
            milvus_token=settings.milvus_token,
        )
        engine = open_engine(catalog, encoder, settings, options, progress or logging_progress(), environment.hub_reachable,
                             environment.gpu == "zerogpu", notices, hold=hold_indexing)  # fmt: skip
        study = Study(load_protocol(settings.study_file), store) if settings.study else None  # a bad study file stops here
        stylist = _start_backend("stylist", lambda m, s: create_stylist(m, s, catalog), mode, settings, {"stylist": "offline"}, notices)
        generator = _start_backend("image generator", lambda m, s: create_generator(m, s, catalog), mode, settings, {"generator": "sketch"}, notices)
        tryon = _start_backend("try-on", create_tryon, mode, settings, {"tryon": "preview"}, notices)
        service = cls(settings, environment, mode, catalog, engine, store, stylist, generator, tryon, notices=notices, study=study,
                      identities=Identities(browser_secret(settings)), user_files=UserFiles(settings.data_dir / "user-files"))
        if study and settings.study_dataset and environment.hub_reachable:
            start_study_sync(study, settings.study_dataset, settings.data_dir / "study-sync")
        log_memory_plan(settings if mode == "full" else None)
        service.startup_seconds = time.perf_counter() - began
        log.info("FashionM3 ready in %.1f s", service.startup_seconds)
        return service

    @functools.cached_property
    def categories(self) -> CategoryMatcher:
        """Maps words to the catalog's article types (type-name vectors computed on first use)."""
        return CategoryMatcher(self.catalog, self.engine.encoder)

    def release_indexing(self) -> None:
        """Let a held background index build begin (no-op when the index is already complete or building)."""
        if self.engine.indexing:
            self.engine.indexing.release()

    # --- status -------------------------------------------------------------------------------------------
    def backends(self) -> dict[str, str]:
        """Which backend serves each capability, in words."""
        return {
            "catalog": f"{self.catalog.name} ({len(self.catalog)} items)",
            "retrieval": self.engine.encoder.label + (f" — {self.engine.coverage()}" if self.engine.coverage() else ""),
            "stylist": self.stylist.label,
            "image generation": self.generator.label,
            "try-on": self.tryon.label,
            "user store": self.store.label,
        }

    def public_dirs(self) -> list[Path]:
        """The only folders whose files the web server may hand out: catalog photos, generated product images and
        drawn examples. Never the data directory itself (user store, keys, caches, wardrobes)."""
        return list(self._public_dirs)

    @functools.cached_property
    def _public_dirs(self) -> tuple[Path, ...]:
        """:meth:`public_dirs`, created and resolved once (every image load checks against them)."""
        folders = [self.settings.data_dir / "generated", self.settings.data_dir / "examples"]
        if self.catalog.image_root:
            folders.append(Path(self.catalog.image_root))
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
        return tuple(folder.resolve() for folder in folders)

    def notice(self) -> str:
        """What ``auto`` fell back from (no Hub, no GPU, a model that failed to load), or empty."""
        return " ".join(self.notices)

    # --- capabilities -------------------------------------------------------------------------------------
    def load_user_image(self, source: "ImageSource", working_size: int | None = WORKING_SIZE) -> LoadedImage:
        """Open a user's image (upload, URL, data URI, or a path in a public folder) with the configured limits
        (``working_size=None``: full resolution)."""
        roots = [*self.public_dirs(), *self.upload_roots]
        return load_image(source, max_pixels=self.settings.max_image_pixels, allowed_roots=roots, working_size=working_size,
                          allow_urls=self.settings.allow_image_urls)  # fmt: skip

    def search_catalog(
        self,
        text: str = "",
        image: "ImageSource | None" = None,
        filters: "Mapping[str, object] | str | None" = None,
        k: int = 10,
        user_id: str = "",
    ) -> SearchResult:
        """Search real catalog items by text and/or image with optional filters (re-ranked by the user's taste)."""
        text = self.check_text(text, allow_empty=image not in (None, ""))
        k = inputs.as_int(k, "k", 1, MAX_RESULTS)
        loaded = self.load_user_image(image) if image not in (None, "") else None
        preference = self.preference_for(user_id) if user_id else None
        return self.engine.search(text, loaded.image if loaded else None, inputs.filters(filters), k, preference=preference)

    def check_text(self, text: str, allow_empty: bool = False) -> str:
        """Validate a user message: not empty (unless a photo comes with it) and not too long."""
        text = inputs.clean_text(text, "Your message", 10 * self.settings.max_message_chars)
        if not text and not allow_empty:
            raise InvalidInput("Please type what you are looking for, or attach a photo of your outfit.")
        if len(text) > self.settings.max_message_chars:
            raise InvalidInput(
                f"Your message has {len(text):,} characters; please keep it under "
                f"{self.settings.max_message_chars:,} characters."
            )
        return text

    # --- identities and keys -------------------------------------------------------------------------------
    def create_profile(self) -> dict[str, str]:
        """A new anonymous profile for an API / MCP caller without a browser, with its personal API key."""
        user_id = f"{API_PREFIX}{secrets.token_urlsafe(16)}"
        return {"api_key": self.issue_api_key(user_id)}

    def issue_api_key(self, user_id: str) -> str:
        """A new personal API key for the user; any earlier key stops working. Only its digest is stored."""
        key = new_api_key()
        self.store.replace_api_key(check_user_id(user_id), key_digest(key))
        return key

    def revoke_api_keys(self, user_id: str) -> int:
        """Revoke the user's API keys; returns how many were revoked."""
        return self.store.revoke_api_keys(check_user_id(user_id))

    def user_for_key(self, api_key: object) -> str:
        """The user a personal API key belongs to; a guessable id, an unknown or a revoked key is refused."""
        api_key = api_key.strip() if isinstance(api_key, str) else api_key  # pasted with a space around it
        if not looks_like_api_key(api_key) or not (user_id := self.store.user_for_key(key_digest(str(api_key)))):
            raise InvalidInput("Unknown or revoked API key. Create one with the create_profile tool, or copy yours from "
                               "the Profile tab (a user name is not a key).")  # fmt: skip
        return user_id

    def generate_product_image(self, description: "ItemDescription | str", seed: int = 0, count: int = 1) -> list[Image.Image]:
        """Render product images of a described clothing item or accessory with the configured image generator."""
        return self.visualize(description, seed, count, matches=0).images

    def visualize(self, description: "ItemDescription | str", seed: int = 0, count: int = 1, matches: int = 4) -> "Visualization":
        """Product images of a described item next to the real catalog items closest to the description."""
        prompt = product_prompt(description, self.catalog)
        backend = self.generator.label
        try:
            images = self.generator.render(prompt, int(seed), check_count(count))
        except GPUUnavailable as error:  # ZeroGPU quota or queue: the offline sketch, saying why
            sketcher = SketchGenerator(self.catalog)
            images, backend = sketcher.render(prompt, int(seed), check_count(count)), f"{sketcher.label}: {error}"
        hits = self.engine.search(prompt.subject, None, {}, matches).hits if matches else []
        return Visualization(prompt, images, hits, backend, int(seed))

    def virtual_try_on(
        self, person_image: "ImageSource", garment_item_id: str = "", garment_image: "ImageSource | None" = None,
        garment_type: str = "", placement: Placement | None = None,
    ) -> Image.Image:  # fmt: skip
        """The person wearing a catalog garment (by id) or a garment picture, at the person photo's own size."""
        if garment_item_id:
            item = self.catalog.get(garment_item_id)
            if not item.image_path:
                raise InvalidInput(f"{item.name} has no product photo to try on.")
            garment, region = Image.open(item.image_path).convert("RGB"), garment_region(item.article_type, item.sub_category)
        elif garment_image not in (None, ""):
            garment, region = self.load_user_image(garment_image).image, garment_region(garment_type or "upper")
        else:
            raise InvalidInput("Choose a catalog garment or give a garment picture to try on.")
        person = check_person_photo(self.load_user_image(person_image, working_size=None).image)
        try:
            return self.tryon.try_on(person, garment, region, placement)
        except GPUUnavailable as error:  # ZeroGPU quota or queue: the labelled offline preview
            log.warning("%s Serving the try-on preview instead.", error)
            return CutoutPreview().try_on(person, garment, region, placement)

    def log_study_turn(self, user_id: str, message: str, answer: "Recommendation", latency_ms: float) -> None:
        """In study mode, log a chat turn of a consenting participant: latency, task, backend, tools, items shown."""
        if not self.study:
            return
        tools = ["stylist", "catalog_search"] + (["image_generation"] if answer.images else []) + (["try_on"] if answer.handoff_item else [])
        self.study.log_turn(check_user_id(user_id), message=message, latency_ms=round(latency_ms, 1), task=answer.task,
                            backend=answer.backend, tools=tools, items=[hit.item.id for hit in answer.hits])  # fmt: skip

    def study_export_archive(self, token: str) -> Path:
        """The researchers' export as a zip file, for the admin token only."""
        expected = self.settings.study_admin_token
        if not self.study or not expected:
            raise Unavailable("The researchers' export is off here (set FASHIONM3_STUDY=1 and FASHIONM3_STUDY_ADMIN_TOKEN).")
        if not secrets.compare_digest((token or "").encode(), expected.encode()):
            raise InvalidInput("Wrong or missing admin token.")
        folder = Path(tempfile.mkdtemp(prefix="fashionm3-study-")) / f"fashionm3-study-{time.strftime('%Y-%m-%d')}"
        self.study.export(folder)
        return Path(shutil.make_archive(str(folder), "zip", folder))

    def save_generated(self, image: Image.Image) -> Path:
        """Store a generated image in the data directory (where the app may serve it); returns its path."""
        folder = self.settings.data_dir / "generated"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{secrets.token_hex(8)}.png"
        image.save(path)
        return path

@dataclasses.dataclass
class Visualization:
    """Generated product images of one described item, and the closest real catalog items."""

    prompt: ProductPrompt
    images: list[Image.Image]
    matches: list[Hit]
    backend: str
    seed: int


def _start_backend(
    name: str, create: Callable[[str, Settings], T], mode: str, settings: Settings, offline: dict[str, str], notices: list[str]
) -> T:
    """``create(mode, settings)``; outside ``full`` mode a model that fails to load falls back to the backend that
    the ``offline`` setting names."""
    try:
        return create(mode, settings)
    except Unavailable as error:
        if settings.backend == "full":
            raise
        notices.append(f"{error} Serving the offline {name} instead.")
        log.warning(notices[-1])
        return create("offline", dataclasses.replace(settings, **offline))


def logging_progress() -> Progress:
    """A progress callback that logs each stage of indexing in steps of 10%."""
    reported: dict[str, int] = {}

    def report(done: int, total: int, stage: str) -> None:
        step = 10 * done // max(total, 1)
        if step > reported.get(stage, -1):
            reported[stage] = step
            log.info("Indexing %s: %d / %d (%d%%)", stage, done, total, 10 * step)

    return report
