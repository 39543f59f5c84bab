"""How much a landed file may make the readers hold, decode or follow.

A mail is written by someone outside the plant: a 2 GB base64 part, an XLSX whose
zip members inflate to gigabytes or a chain of forwards a thousand deep must be
refused with a reason, not read until the process runs out of memory. The
defaults suit customer order mails (Exchange refuses mails over some 150 MB);
the platform settings override them (``PHARMA_MAIL_MAX_BYTES`` and the others).
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """The limits one read works within; every refusal names the limit it hit."""

    mail_bytes: int = 64 * MIB
    """A mail file (``.eml``, ``.msg``, ``winmail.dat``) larger than this is not read."""
    attachment_bytes: int = 25 * MIB
    """A part or attachment larger than this (decoded) is not decoded or kept."""
    inflated_bytes: int = 200 * MIB
    """An XLSX workbook whose zip members declare more than this in total is not opened."""
    message_depth: int = 12
    """Attached messages deeper than this are not followed (a mail bomb, not a forward)."""


DEFAULT_LIMITS = ReadLimits()


def size_text(size: int) -> str:
    """A byte count for a reason: ``3.2 MiB``, ``812 bytes``."""
    if size < 1024:
        return f"{size} bytes"
    if size < MIB:
        return f"{size / 1024:.1f} KiB"
    if size < 1024 * MIB:
        return f"{size / MIB:.1f} MiB"
    return f"{size / (1024 * MIB):.1f} GiB"
