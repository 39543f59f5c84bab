"""Delimited text files written byte for byte the way each source system writes them.

The csv module cannot quote one chosen cell while leaving its neighbours bare, which is what
an SAP download does to a key that was typed with quotes; so the rendering is done here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class TextLayout:
    """Separator, encoding and line end of one export; ``bom`` prefixes a UTF-8 BOM."""

    separator: str
    encoding: str
    line_end: str
    bom: bool = False


@dataclass
class Table:
    """A header and text rows, plus the layout they are written in.

    A ``headerless`` table (SAP customizing downloads) still names its columns in
    ``header`` so they can be found, but does not write them.
    """

    path: str
    entity: str | None
    layout: TextLayout
    header: list[str]
    rows: list[list[str]]
    quoted_cells: set[tuple[int, int]] = field(default_factory=set)
    headerless: bool = False

    def column(self, name: str) -> int:
        return self.header.index(name)

    def line_of(self, row_index: int) -> int:
        """Physical 1-based line of a data row: the header, when written, is line 1."""
        return row_index + (1 if self.headerless else 2)

    def render(self) -> bytes:
        lines = [] if self.headerless else [self._line(self.header, None)]
        lines.extend(self._line(row, index) for index, row in enumerate(self.rows))
        end = self.layout.line_end
        body = (end.join(lines) + end).encode(self.layout.encoding)
        return UTF8_BOM + body if self.layout.bom else body

    def _line(self, cells: list[str], row_index: int | None) -> str:
        return self.layout.separator.join(
            self._cell(cell, (row_index, column) in self.quoted_cells)
            for column, cell in enumerate(cells)
        )

    def _cell(self, cell: str, forced: bool) -> str:
        needs_quotes = forced or any(
            mark in cell for mark in (self.layout.separator, '"', "\r", "\n")
        )
        if not needs_quotes:
            return cell
        return '"' + cell.replace('"', '""') + '"'
