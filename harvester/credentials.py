"""Encryption of source credentials at rest.

A source option is a credential when its name is one of `SECRET_OPTION_NAMES`,
ends with one of `SECRET_OPTION_SUFFIXES`, or is listed in the connector's
`Options.secret_options`. In the `source.config` JSON of the store each such
value is replaced by `{"$fernet": "<token>"}`: the JSON of the value,
encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`).

The key comes from the `HIMPUN_SECRET_KEY` setting. When that is unset, a key
is generated once into `data_dir/secret.key` with mode 0600, and every later
process with the same data_dir reads it from there. Options such as `key_env`
hold only the name of an environment variable, so the credential itself never
reaches the store. Prefer them.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from harvester.errors import ConfigError
from harvester.settings import Settings
from harvester.sources import SourceConfig

__all__ = ["ENCRYPTED_MARKER", "KEY_FILE_NAME", "SourceCipher", "declared_secret_options", "decode_source",
           "encode_source", "is_secret_option", "source_cipher"]

logger = logging.getLogger(__name__)

ENCRYPTED_MARKER = "$fernet"
KEY_FILE_NAME = "secret.key"

# Option names whose values are credentials. `*_env` names contain a variable name, not a secret.
SECRET_OPTION_NAMES = frozenset({"key", "api_key", "apikey", "password", "secret", "token", "authorization",
                                 "headers", "cookie", "credentials"})
SECRET_OPTION_SUFFIXES = ("_key", "_password", "_secret", "_token")


def is_secret_option(name: str, declared: frozenset[str] = frozenset()) -> bool:
    """Return True when an option called `name` contains a credential."""
    lowered = name.lower()
    return lowered in SECRET_OPTION_NAMES or lowered.endswith(SECRET_OPTION_SUFFIXES) or name in declared


class SourceCipher:
    """Encrypts and decrypts credential option values with one Fernet key."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except ValueError as error:
            raise ConfigError("HIMPUN_SECRET_KEY is invalid: it must be 32 bytes in URL-safe base64, "
                              "as printed by `python -c \"from cryptography.fernet import Fernet; "
                              "print(Fernet.generate_key().decode())\"`") from error

    def encrypt(self, value: Any) -> dict[str, str]:
        token = self._fernet.encrypt(json.dumps(value).encode("utf-8"))
        return {ENCRYPTED_MARKER: token.decode("ascii")}

    def decrypt(self, sealed: dict[str, str], *, where: str) -> Any:
        try:
            plain = self._fernet.decrypt(sealed[ENCRYPTED_MARKER].encode("ascii"))
        except (InvalidToken, ValueError) as error:
            raise ConfigError(f"{where}: the stored credential cannot be decrypted with the configured key; "
                              "restore the HIMPUN_SECRET_KEY or data_dir/secret.key it was saved with, "
                              "or set the credential again") from error
        return json.loads(plain)


_CIPHERS: dict[tuple[str, str], SourceCipher] = {}
_CIPHERS_LOCK = threading.Lock()


def source_cipher(settings: Settings) -> SourceCipher:
    """Return the cipher of `settings`, generating `data_dir/secret.key` when no key is configured."""
    configured = settings.secret_key.get_secret_value() if settings.secret_key else ""
    key_file = (settings.data_dir / KEY_FILE_NAME).resolve()
    cache_key = (configured, "" if configured else str(key_file))
    with _CIPHERS_LOCK:
        cipher = _CIPHERS.get(cache_key)
        if cipher is None:
            key = configured.encode("ascii") if configured else _read_or_create_key(key_file)
            cipher = _CIPHERS[cache_key] = SourceCipher(key)
        return cipher


def _read_or_create_key(path: Path) -> bytes:
    """Return the key stored at `path`, creating it with mode 0600 when it does not exist."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        # O_EXCL makes one of two processes starting together the creator; the other reads its key.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        stored = path.read_bytes().strip()
        if not stored:
            raise ConfigError(f"the source credential key file {path} is empty; restore it from a backup "
                              "or set HIMPUN_SECRET_KEY") from None
        return stored
    with os.fdopen(descriptor, "wb") as file:
        file.write(key + b"\n")
    logger.warning("HIMPUN_SECRET_KEY is not set; generated the source credential key at %s (mode 0600). "
                   "Back it up with the database: stored credentials cannot be read without it", path)
    return key


def encode_source(source: SourceConfig, cipher: SourceCipher | None) -> str:
    """Return the JSON of `source` for the store, with every credential option encrypted.

    Without a cipher, a source that has a credential option raises ConfigError.
    """
    data = source.model_dump(mode="json")
    data["options"] = _seal(data.get("options") or {}, declared_secret_options(source.family), cipher)
    return json.dumps(data, ensure_ascii=False)


def decode_source(config: str, cipher: SourceCipher | None) -> SourceConfig:
    """Parse a stored source JSON and decrypt its credential options.

    Values stored before encryption existed are returned as they are and
    are encrypted the next time the source is saved.
    """
    data = json.loads(config)
    where = f"source {data.get('id', '?')}"
    data["options"] = _open(data.get("options") or {}, cipher, where)
    return SourceConfig.model_validate(data)


def _seal(value: Any, declared: frozenset[str], cipher: SourceCipher | None) -> Any:
    if isinstance(value, dict):
        return {key: _encrypt(item, cipher) if is_secret_option(str(key), declared) and item is not None
                else _seal(item, declared, cipher) for key, item in value.items()}
    if isinstance(value, list):
        return [_seal(item, declared, cipher) for item in value]
    return value


def _encrypt(value: Any, cipher: SourceCipher | None) -> dict[str, str]:
    if cipher is None:
        raise ConfigError("a source credential option needs the source credential key to be stored; "
                          "pass the cipher of harvester.credentials.source_cipher(settings)")
    return cipher.encrypt(value)


def _open(value: Any, cipher: SourceCipher | None, where: str) -> Any:
    if isinstance(value, dict):
        if set(value) == {ENCRYPTED_MARKER}:
            if cipher is None:
                raise ConfigError(f"{where}: the stored credential needs the source credential key to be read")
            return cipher.decrypt(value, where=where)
        return {key: _open(item, cipher, where) for key, item in value.items()}
    if isinstance(value, list):
        return [_open(item, cipher, where) for item in value]
    return value


def declared_secret_options(family: str) -> frozenset[str]:
    """Return the option names that the connector of `family` declares as credentials."""
    from connectors import connector_class  # connectors import harvester, so load them on first use

    try:
        options = connector_class(family).Options
    except ConfigError:
        return frozenset()
    return frozenset(getattr(options, "secret_options", frozenset()))
