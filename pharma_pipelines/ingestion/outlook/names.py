"""Attachment names as the sender wrote them are text, never paths.

A name comes from whoever wrote the mail: ``../../etc/cron.d/x``, ``C:\\boot.ini``,
``\\\\server\\share\\x``, ``CON.csv``, ``orders.csv. .`` or a NUL byte are all valid
header values. The platform keeps attachment bytes in the warehouse, not on disk,
but the name it stores must still be safe wherever someone saves the file later:
one plain file name on POSIX and on Windows. :func:`safe_file_name` makes it so
and says what it changed; the name as sent is kept beside it as text.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_BYTES = 255
"""The longest file name (UTF-8 bytes) common file systems accept."""
_MAX_EXTENSION = 16
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{n}" for n in "123456789¹²³"}
    | {f"LPT{n}" for n in "123456789¹²³"}
)
"""Windows device names: ``CON.csv`` opens the console, whatever the extension."""
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
"""Right-to-left overrides make ``invoice\u202efdp.exe`` display as ``invoiceexe.pdf``."""


def _is_control(char: str) -> bool:
    # Cs: bytes the name's charset could not decode, kept as lone surrogates.
    return unicodedata.category(char) in ("Cc", "Cs") or char in _BIDI_CONTROLS


def _truncated(name: str) -> str:
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > _MAX_EXTENSION:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return f"{cut}{suffix}"


def safe_file_name(name: str, fallback: str) -> tuple[str, list[str]]:
    """One plain file name for ``name`` (``fallback`` when nothing usable is left).

    Returns the name and what was changed, for a note; an empty list means the
    name was safe as sent.
    """
    changes: list[str] = []
    text = name
    if any(_is_control(c) for c in text):
        text = "".join("_" if _is_control(c) else c for c in text)
        changes.append("control characters replaced")
    if "/" in text or "\\" in text:
        parts = [p for p in re.split(r"[/\\]+", text) if p.strip(" .")]
        text = parts[-1] if parts else ""
        changes.append("path parts dropped (only the last part is a file name)")
    if _WINDOWS_FORBIDDEN.search(text):
        text = _WINDOWS_FORBIDDEN.sub("_", text)
        changes.append('characters Windows forbids (<>:"|?*) replaced')
    stripped = text.strip().rstrip(". ")
    if stripped != text:
        changes.append("leading or trailing spaces and trailing dots removed")
        text = stripped
    if text.split(".", 1)[0].strip().upper() in _RESERVED:
        text = f"_{text}"
        changes.append("a Windows device name prefixed with '_'")
    shortened = _truncated(text)
    if shortened != text:
        changes.append(f"shortened to {MAX_NAME_BYTES} bytes")
        text = shortened
    if not text.strip("."):
        changes.append(f"nothing usable was left, named {fallback!r}")
        text = fallback
    return text, changes
