"""Canonical JSON, signed binary framing and strict field readers.

Canonical JSON here means: UTF-8, object keys sorted, no whitespace,
non-ASCII characters escaped, integers only (no floats, no NaN). Parsing
rejects duplicate keys and, where asked, any byte string that would not
re-encode to itself, so one value has exactly one signed encoding.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Mapping, Set
from pathlib import Path
from typing import Any

from sync.errors import FormatError, short_value

SIGNATURE_SIZE = 64
LENGTH_SIZE = 4

_HEX_256 = re.compile(r"[0-9a-f]{64}")


def dumps_canonical(value: Any) -> bytes:
    """Encode ``value`` as canonical JSON bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode(
        "ascii"
    )


def sha256_hex(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_float(text: str) -> Any:
    raise ValueError(f"non-integer number {text}")


def _reject_constant(text: str) -> Any:
    raise ValueError(f"constant {text} is not allowed")


def loads_strict(data: bytes, *, description: str, source: str | Path, canonical: bool = False) -> dict[str, Any]:
    """Parse a JSON object strictly and return it.

    Duplicate keys, floats and NaN are rejected. With ``canonical`` the
    bytes must also equal their canonical re-encoding. Errors name
    ``source``, ``description`` and the line and column of the fault.
    """
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError as error:
        raise FormatError(
            f"{source}: the {description} is not valid UTF-8 (byte {error.start}).", source=source, offset=error.start
        ) from error

    try:
        value = json.loads(
            text,
            object_pairs_hook=_reject_duplicates,
            parse_float=_reject_float,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as error:
        raise FormatError(
            f"{source}: the {description} is not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}.",
            source=source,
            offset=error.pos,
        ) from error
    except ValueError as error:
        raise FormatError(f"{source}: the {description} contains a {error}.", source=source) from error

    if not isinstance(value, dict):
        raise FormatError(f"{source}: the {description} must be a JSON object, not {type(value).__name__}.", source=source)

    if canonical and dumps_canonical(value) != bytes(data):
        raise FormatError(
            f"{source}: the {description} is not in canonical JSON form (sorted keys, no spaces, ASCII only), "
            "so its signature cannot be trusted.",
            source=source,
        )
    return value


class Fields:
    """Typed, checked access to the fields of one parsed JSON object.

    ``where`` names the object in errors, for example
    "bundle.clinicbundle: manifest record 3".
    """

    def __init__(self, obj: Mapping[str, Any], where: str, source: str | Path) -> None:
        self.obj = obj
        self.where = where
        self.source = source

    def fail(self, message: str) -> FormatError:
        return FormatError(f"{self.where}: {message}", source=self.source)

    def expect_keys(self, required: Set[str], optional: Set[str] = frozenset()) -> None:
        """Raise unless the object has every required key and no unknown key."""
        missing = sorted(required - self.obj.keys())
        if missing:
            raise self.fail(f"missing field {missing[0]!r}.")
        unknown = sorted(self.obj.keys() - required - optional)
        if unknown:
            raise self.fail(
                f"unknown field {unknown[0]!r}: the file may come from a newer version of clinic day; "
                "update this installation."
            )

    def _get(self, key: str) -> Any:
        if key not in self.obj:
            raise self.fail(f"missing field {key!r}.")
        return self.obj[key]

    def string(self, key: str, *, pattern: re.Pattern[str] | None = None, max_length: int = 200) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise self.fail(f"field {key!r} must be a string, not {type(value).__name__}.")
        if len(value) > max_length:
            raise self.fail(f"field {key!r} is longer than {max_length} characters.")
        if pattern is not None and not pattern.fullmatch(value):
            raise self.fail(f"field {key!r} has an invalid value {short_value(value)}.")
        return value

    def constant(self, key: str, expected: str) -> str:
        value = self._get(key)
        if value != expected:
            raise self.fail(f"field {key!r} is {short_value(value)}, expected {expected!r}.")
        return expected

    def integer(self, key: str, minimum: int, maximum: int) -> int:
        value = self._get(key)
        if type(value) is not int:
            raise self.fail(f"field {key!r} must be an integer, not {short_value(value)}.")
        if not minimum <= value <= maximum:
            raise self.fail(f"field {key!r} is {value}, outside {minimum} to {maximum}.")
        return value

    def uuid(self, key: str) -> str:
        value = self.string(key, max_length=36)
        return require_uuid(value, lambda message: self.fail(f"field {key!r} {message}"))

    def sha256(self, key: str) -> str:
        return self.string(key, pattern=_HEX_256, max_length=64)

    def base64(self, key: str, *, size: int | None = None, max_size: int = 1 << 20) -> bytes:
        value = self.string(key, max_length=max_size * 2)
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as error:
            raise self.fail(f"field {key!r} is not valid base64.") from error
        if size is not None and len(raw) != size:
            raise self.fail(f"field {key!r} decodes to {len(raw)} bytes, expected {size}.")
        return raw

    def array(self, key: str, *, max_items: int) -> list[Any]:
        value = self._get(key)
        if not isinstance(value, list):
            raise self.fail(f"field {key!r} must be a list, not {type(value).__name__}.")
        if len(value) > max_items:
            raise self.fail(f"field {key!r} has {len(value)} entries, more than the limit of {max_items}.")
        return value

    def child(self, key: str) -> Fields:
        value = self._get(key)
        if not isinstance(value, dict):
            raise self.fail(f"field {key!r} must be an object, not {type(value).__name__}.")
        return Fields(value, f"{self.where}, field {key!r}", self.source)


def require_uuid(value: str, fail: Callable[[str], Exception]) -> str:
    """Return ``value`` if it is a lower-case hyphenated UUID, else raise ``fail(message)``."""
    try:
        parsed = str(uuid.UUID(value))
    except ValueError:
        raise fail(f"is not a UUID: {short_value(value)}.") from None
    if parsed != value:
        raise fail(f"must be a lower-case hyphenated UUID like {parsed!r}, not {short_value(value)}.")
    return value


def frame_signed(magic: bytes, body: bytes, signature: bytes) -> bytes:
    """Return ``magic``, the 4-byte big-endian body length, ``body`` and the signature."""
    if len(signature) != SIGNATURE_SIZE:
        raise ValueError(f"an Ed25519 signature is {SIGNATURE_SIZE} bytes, not {len(signature)}")
    return magic + len(body).to_bytes(LENGTH_SIZE, "big") + body + signature


def split_signed(
    data: bytes, *, magic_prefix: bytes, version: int, description: str, source: str | Path, max_body: int
) -> tuple[bytes, bytes, int]:
    """Split a framed file into (body, signature, end offset of the signature).

    The file must start with ``magic_prefix``, a decimal version and a line
    feed. A newer version gets its own message, because the fix is to
    update clinic day rather than to fetch the file again.
    """
    if not data.startswith(magic_prefix):
        raise FormatError(
            f"{source}: not a clinic day {description} (the file does not start with {magic_prefix.decode()!r}).",
            source=source,
            offset=0,
        )

    line_end = data.find(b"\n", len(magic_prefix), len(magic_prefix) + 12)
    version_text = data[len(magic_prefix) : line_end] if line_end > 0 else b""
    if not version_text.isdigit():
        raise FormatError(f"{source}: the {description} header line is damaged.", source=source, offset=len(magic_prefix))
    if int(version_text) != version:
        raise FormatError(
            f"{source}: this is a version {int(version_text)} {description}, but this installation reads version "
            f"{version} only. Update clinic day on this computer, then try again.",
            source=source,
            offset=len(magic_prefix),
        )

    offset = line_end + 1
    if len(data) < offset + LENGTH_SIZE:
        raise FormatError(f"{source}: the {description} is truncated inside its header.", source=source, offset=len(data))
    body_length = int.from_bytes(data[offset : offset + LENGTH_SIZE], "big")
    offset += LENGTH_SIZE
    if body_length > max_body:
        raise FormatError(
            f"{source}: the {description} declares a {body_length}-byte header body, more than the limit of {max_body}.",
            source=source,
            offset=offset - LENGTH_SIZE,
        )

    end = offset + body_length + SIGNATURE_SIZE
    if len(data) < end:
        raise FormatError(
            f"{source}: the {description} is truncated: it ends at byte {len(data)} inside its signed header, "
            f"which needs {end} bytes.",
            source=source,
            offset=len(data),
        )
    return data[offset : offset + body_length], data[offset + body_length : end], end


def magic_line(prefix: bytes, version: int) -> bytes:
    return prefix + str(version).encode("ascii") + b"\n"
