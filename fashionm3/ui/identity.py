"""Who the visitor is, decided by the server: a Hugging Face login Gradio verified, or a token this server signed.

The browser keeps only a signed token (in ``gr.BrowserState``); every event that touches personal data passes it
here with the OAuth profile Gradio injects. A plain or forged value is refused and never falls back to another id.
"""

from __future__ import annotations

import os

import gradio as gr

from fashionm3.errors import InvalidInput
from fashionm3.security.identity import derive_key
from fashionm3.service import FashionM3

HF_PREFIX = "hf:"


def browser_storage_key(secret: str) -> str:
    """The (public) key ``gr.BrowserState`` encrypts localStorage with: derived, never the signing secret itself,
    because Gradio sends it to the browser."""
    return derive_key(secret, "browser-storage").hex()


def hub_login_enabled() -> bool:
    """Whether Hugging Face sign-in is real: on a Space with OAuth configured. Elsewhere Gradio mocks the login with
    the operator's own Hub account, so a profile there proves nothing and is ignored."""
    return bool(os.environ.get("SPACE_ID") and os.environ.get("OAUTH_CLIENT_ID"))


def visitor(service: FashionM3, token: str | None, profile: gr.OAuthProfile | None = None) -> str:
    """The verified user id of this request: ``hf:<name>`` when signed in, else the id inside a valid token."""
    if profile is not None and hub_login_enabled() and getattr(profile, "username", None):
        return f"{HF_PREFIX}{profile.username}"
    user_id = service.identities.verify(token) if token else None
    if user_id is None:
        raise InvalidInput("Your browser session is not set up yet (or it was changed): reload the page and try again.")
    return user_id


def optional_visitor(service: FashionM3, token: str | None, profile: gr.OAuthProfile | None = None) -> str:
    """The verified user id, or "" (no personalisation) when the request carries no valid identity."""
    try:
        return visitor(service, token, profile)
    except InvalidInput:
        return ""


def ensure_token(service: FashionM3, token: str | None) -> str:
    """Keep a valid token; replace a missing or forged one with a new anonymous identity (page load, first turn)."""
    if service.identities.verify(token) is not None:
        return str(token)
    return service.identities.issue()
