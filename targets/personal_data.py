"""Personal data at rest: an ID number or a phone encrypted, and matched by a keyed hash.

``encrypt`` and ``decrypt`` use Fernet (AES-128-CBC with an HMAC, a fresh IV each time, so the
same number never encrypts to the same text) under ``FIELD_ENCRYPTION_KEY``: several keys,
the first encrypting and each decrypting (MultiFernet), so that a key is rotated by putting a
new one first, re-encrypting every stored value (``rotate``) and then dropping the old one.
``matching_hash`` is an HMAC-SHA256 under ``PERSONAL_DATA_HASH_KEY``: equal numbers have equal
hashes (duplicates are found in the database, by an index) and nobody without the key can
test a guessed number against it. ``EncryptedText`` is the model field that stores only the
encrypted form. See ``skills_plan/settings.py`` for where the keys come from.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver


class UnreadableData(Exception):
    """Stored text no configured key decrypts: the key it was written with is gone."""


def _derived(purpose: str) -> bytes:
    # Only with DEBUG on: the demo's people are synthetic.
    return hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()


@cache
def _fernet() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        if not settings.DEBUG:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEY must be set to store personal data (README, Settings)"
            )
        keys = [base64.urlsafe_b64encode(_derived("field-encryption"))]
    return MultiFernet([Fernet(key) for key in keys])


@cache
def _hash_key() -> bytes:
    if settings.PERSONAL_DATA_HASH_KEY:
        return settings.PERSONAL_DATA_HASH_KEY.encode()
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "PERSONAL_DATA_HASH_KEY must be set to store personal data (README, Settings)"
        )
    return _derived("personal-data-hash")


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    if setting in ("FIELD_ENCRYPTION_KEYS", "PERSONAL_DATA_HASH_KEY", "SECRET_KEY", "DEBUG"):
        _fernet.cache_clear()
        _hash_key.cache_clear()


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise UnreadableData("no configured FIELD_ENCRYPTION_KEY decrypts this value") from None


def rotate(token: str) -> str:
    """``token`` encrypted again under the first key (whichever key wrote it)."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise UnreadableData("no configured FIELD_ENCRYPTION_KEY decrypts this value") from None


def matching_hash(text: str) -> str:
    """The keyed hash duplicates are found by (64 hex digits)."""
    return hmac.new(_hash_key(), text.encode(), hashlib.sha256).hexdigest()


class EncryptedText(models.TextField):
    """Text stored encrypted: the column holds Fernet tokens only, or "" for nothing typed (a
    missing phone is no secret); Python sees the clear text. It cannot be searched or ordered
    by (store a ``matching_hash`` beside it for that)."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt(value)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return value if value in (None, "") else decrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None  # "exact", "contains", …: meaningless on encrypted text
        return super().get_lookup(lookup_name)
