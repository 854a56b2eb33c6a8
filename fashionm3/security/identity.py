"""Identities the server issues and can verify, so a value a client sends is never trusted as a user id.

- A browser keeps a **signed token** (``<user id>.<HMAC-SHA256 signature>``) issued by :meth:`Identities.issue`;
  :meth:`Identities.verify` returns the user id only for a token this server signed with ``FASHIONM3_SECRET``
  (a plain id, a forged or altered token, or a token signed with another secret gives ``None``).
- Hugging Face users (``hf:<name>``) come only from the OAuth login Gradio verifies server-side, never from a token.
- API / MCP callers present a **personal API key** (``fm3_...``); the store keeps only its SHA-256, so a leaked
  database does not leak keys.

HMAC from the standard library is all this needs: the token carries no data but the id, and ``hmac.compare_digest``
compares in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

ANONYMOUS_PREFIX = "anon-"
API_PREFIX = "api-"
KEY_PREFIX = "fm3_"
_ANONYMOUS_ID = re.compile(r"^anon-[A-Za-z0-9_-]{22}$")
_KEY = re.compile(r"^fm3_[A-Za-z0-9_-]{43}$")
MAX_TOKEN_CHARS = 200


def derive_key(secret: str, purpose: str) -> bytes:
    """A key for one purpose, derived from the app secret (so no two uses share a key)."""
    return hmac.new(secret.encode(), f"fashionm3/{purpose}".encode(), hashlib.sha256).digest()


class Identities:
    """Issues and verifies the anonymous ids kept in browsers."""

    def __init__(self, secret: str):
        if len(secret) < 16:
            raise ValueError("The identity secret must have at least 16 characters.")
        self._key = derive_key(secret, "browser-identity-v1")

    def issue(self) -> str:
        """A new anonymous identity's token."""
        return self.token_for(f"{ANONYMOUS_PREFIX}{secrets.token_urlsafe(16)}")

    def token_for(self, user_id: str) -> str:
        """The signed token of an anonymous ``user_id``."""
        if not _ANONYMOUS_ID.match(user_id):
            raise ValueError("Only anonymous ids are kept in browsers.")
        return f"{user_id}.{self._sign(user_id)}"

    def verify(self, token: object) -> str | None:
        """The user id of a token this server issued, else ``None``."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            return None
        user_id, _, signature = token.rpartition(".")
        if not _ANONYMOUS_ID.match(user_id) or not hmac.compare_digest(signature, self._sign(user_id)):
            return None
        return user_id

    def _sign(self, user_id: str) -> str:
        digest = hmac.new(self._key, user_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def new_api_key() -> str:
    """A fresh personal API key (256 random bits)."""
    return f"{KEY_PREFIX}{secrets.token_urlsafe(32)}"


def looks_like_api_key(value: object) -> bool:
    """True for a string shaped like a key this server issues (it may still be unknown or revoked)."""
    return isinstance(value, str) and bool(_KEY.match(value))


def key_digest(key: str) -> str:
    """What the store keeps of a key: its SHA-256 (keys are random, so no salt is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()
