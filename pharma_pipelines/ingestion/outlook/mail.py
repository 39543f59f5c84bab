"""One model for a message, whatever it was read from (MIME, MSG or TNEF).

A :class:`Mail` holds its header fields, its body as plain text, the data
files attached to it and the messages attached to it (each again a
:class:`Mail`), so forwarded mails of any depth are walked the same way.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class MailFile:
    """A data file attached to a message; ``via`` is ``winmail.dat`` when TNEF held it."""

    file_name: str
    name_source: str
    content_type: str
    content: bytes
    disposition: str = "attachment"
    via: str = ""


@dataclass
class Mail:
    """A message and everything attached to it."""

    message_format: str
    message_id: str = ""
    subject: str = ""
    sender: str = ""
    recipients: str = ""
    cc: str = ""
    sent_at: str = ""
    date_header: str = ""
    body_text: str = ""
    body_source: str = ""
    files: list[MailFile] = field(default_factory=list)
    attached: list[AttachedMail] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class AttachedMail:
    """A message attached to another one; ``label`` names it in a container path."""

    label: str
    mail: Mail


class _TextOfHtml(HTMLParser):
    _SKIP = frozenset({"script", "style", "head", "title"})
    _BREAKS = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The readable text of an HTML body: tags, scripts and styles removed."""
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts)).replace("\u00a0", " ")
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\s*\n\s*", "\n", text).strip()
