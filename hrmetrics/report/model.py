"""The report model: what every output of the report renders, as frozen, typed values.

Modelled on great_tables' `GTData`: one immutable description of the report, built once from the
KPI, progress and survey tables, that the HTML template, the Excel workbook, the PNG/SVG export
and the console all read. A section module returns blocks; a renderer never reaches back into
the tables, so the outputs cannot disagree and each is written in the report's language.

Blocks are of four kinds:

- `Headline`: a heading (with an anchor) and the key facts under it (latest value, target …);
- `Table`: headers and rows of `Cell`s (text as shown, plus the number and unit behind it, so a
  spreadsheet can store the number);
- `Chart`: a Vega-Lite spec whose data is already aggregated and scrubbed, with its alt text and
  caption;
- `Note`: a sentence (`lead` for the running text, `note` for a caveat).

`DataTable` is the workbook's view of a frame: which columns, with which labels, units and
hidden flags. The division table is one, and the HTML table of divisions is rendered from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import polars as pl


@dataclass(frozen=True)
class Cell:
    """One table cell: `text` as shown; `value`/`unit` the number behind it (None for text)."""

    text: str
    cls: str = ""
    sub: str = ""
    href: str = ""
    value: float | None = None
    unit: str = ""
    hidden: bool = False


@dataclass(frozen=True)
class Headline:
    kind: ClassVar[str] = "headline"
    id: str
    title: str
    facts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    cls: str = ""


@dataclass(frozen=True)
class Chart:
    kind: ClassVar[str] = "chart"
    id: str
    spec: Mapping[str, Any] = field(compare=False, repr=False)
    alt: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Note:
    kind: ClassVar[str] = "note"
    text: str
    cls: Literal["lead", "note"] = "lead"


Block = Headline | Table | Chart | Note


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Column:
    """One column of a `DataTable`.

    `unit` fixes the unit of a value column; `unit_col` names a column of the frame that holds
    each row's unit instead (the KPI table); `hidden_col` names a boolean column whose True
    shows the cell as 非表示/Hidden whatever the value (it is null there anyway).
    """

    id: str
    label: str
    is_value: bool = False
    unit: str | None = None
    unit_col: str | None = None
    hidden_col: str | None = None


@dataclass(frozen=True)
class DataTable:
    """A frame as a spreadsheet sheet: title (sheet name), columns, frozen columns."""

    id: str
    title: str
    frame: pl.DataFrame = field(compare=False, repr=False)
    columns: tuple[Column, ...]
    freeze_cols: int = 0
    header_height: int | None = None


@dataclass(frozen=True)
class Report:
    """The whole report (or one manager pack) in one language."""

    lang: str
    title: str
    subtitle: str
    org_name: str
    footer: str
    notice: str = ""
    sections: tuple[Section, ...] = ()
    sheets: tuple[DataTable, ...] = ()

    def charts(self) -> Iterator[Chart]:
        """Every chart block in page order (the HTML embeds them; PNG/SVG export saves them)."""
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Chart):
                    yield block

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)
