"""Who the visitor is: an anonymous random id kept (encrypted) in the browser, or their Hugging Face login."""

from __future__ import annotations

import secrets

import gradio as gr

from fashionm3.errors import InvalidInput


def ensure_user_id(current: str | None, profile: gr.OAuthProfile | None = None) -> str:
    """The visitor's id: their Hugging Face username when signed in on a Space, else an anonymous random id."""
    if profile is not None:
        return f"hf:{profile.username}"
    if current and not current.startswith("hf:"):
        return current
    return f"anon-{secrets.token_urlsafe(16)}"


def visitor(user: str | None) -> str:
    """The browser's id; before the page has one, refuse instead of writing to an id other visitors share."""
    if not user:
        raise InvalidInput("Your browser session is still starting: please try again in a moment.")
    return user
