"""Personal data at rest (``targets.personal_data``): encrypted so that the stored text holds
nothing of the number, decrypted only with a configured key, rotated to a new key, matched by
a keyed hash, and refused without keys in production."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from targets import personal_data
from targets.personal_data import EncryptedText, UnreadableData, decrypt, encrypt, rotate

NUMBER = "11010519491231002X"  # GB 11643's worked example, nobody's
OLD_KEY = "T7neUnyyTud0A8QZEiGY0o6ziFn8Ag6IwDuf0kdnAy0="
NEW_KEY = "vRZMu8M8G4RaGlsA45rMH_YsOJuaP8RvdgQfJtRJGy0="


def test_the_stored_text_holds_nothing_of_the_number() -> None:
    first, second = encrypt(NUMBER), encrypt(NUMBER)
    assert first != second  # a fresh IV each time: equal numbers do not show as equal
    for stored in (first, second):
        assert NUMBER not in stored and NUMBER[6:14] not in stored and NUMBER[-4:] not in stored
        assert decrypt(stored) == NUMBER


def test_a_new_key_first_reads_the_old_values_and_rotate_moves_them_to_it(settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    written = encrypt(NUMBER)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert decrypt(written) == NUMBER
    rotated = rotate(written)
    assert rotated != written
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key dropped
    assert decrypt(rotated) == NUMBER
    with pytest.raises(UnreadableData):
        decrypt(written)
    with pytest.raises(UnreadableData):
        rotate(written)


def test_equal_numbers_match_by_a_hash_only_the_key_holder_can_make(settings) -> None:
    first = personal_data.matching_hash(NUMBER)
    assert first == personal_data.matching_hash(NUMBER)
    assert first != personal_data.matching_hash("410621199003070015")
    assert first != hashlib.sha256(NUMBER.encode()).hexdigest()  # not guessable without the key
    assert len(first) == 64
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert personal_data.matching_hash(NUMBER) == first  # rotating encryption keeps hashes
    settings.PERSONAL_DATA_HASH_KEY = "another-hash-key"
    assert personal_data.matching_hash(NUMBER) != first


def test_without_keys_production_refuses_and_the_demo_derives_its_own(settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS, settings.PERSONAL_DATA_HASH_KEY = [], ""
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY"):
        encrypt(NUMBER)
    with pytest.raises(ImproperlyConfigured, match="PERSONAL_DATA_HASH_KEY"):
        personal_data.matching_hash(NUMBER)
    settings.DEBUG = True
    assert decrypt(encrypt(NUMBER)) == NUMBER
    assert len(personal_data.matching_hash(NUMBER)) == 64


def test_the_field_stores_tokens_and_refuses_lookups_but_isnull() -> None:
    field = EncryptedText()
    stored = field.get_prep_value(NUMBER)
    assert NUMBER not in stored and decrypt(stored) == NUMBER
    assert field.from_db_value(stored, None, None) == NUMBER
    assert field.get_prep_value(None) is None and field.from_db_value(None, None, None) is None
    assert field.get_prep_value("") == "" and field.from_db_value("", None, None) == ""
    assert field.get_lookup("exact") is None and field.get_lookup("icontains") is None
    assert field.get_lookup("isnull") is not None


def test_a_malformed_key_stops_the_settings_saying_how_to_make_one(settings) -> None:
    env = {**os.environ, "DEBUG": "1", "FIELD_ENCRYPTION_KEY": f"{OLD_KEY},not-a-key"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(
        [sys.executable, "-c", "import skills_plan.settings"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "FIELD_ENCRYPTION_KEY: each key must be a Fernet key" in run.stderr
