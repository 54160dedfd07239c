"""Tables as text: Markdown for files and reports, aligned columns for the terminal, and the
CSV and Excel files a supervisor opens.

Every CSV is written as UTF-8 with a byte-order mark (:data:`CSV_ENCODING`): Excel on
Chinese Windows opens a CSV without one as GBK and shows 王建国 as 鐜嬪缓鍥. pandas, this
package's readers and most tools drop the mark; Python's ``csv`` module keeps it in the first
column's name unless the file is opened with ``encoding="utf-8-sig"``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

CSV_ENCODING = "utf-8-sig"
XLSX_NOTE = "{name} is not written: openpyxl is not installed (pip install openpyxl)"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub Markdown table; ``|`` inside a cell is written as ``/``."""

    def cell(value: object) -> str:
        return str(value).replace("|", "/").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell: the first left-aligned, the others right."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([line(headers), *(line(r) for r in rows)])


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """A CSV Excel opens as UTF-8 (see the module docstring); None is an empty cell."""
    with open(path, "w", newline="", encoding=CSV_ENCODING) as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def xlsx_notes(name: str) -> list[str]:
    """A note for the command's output when the workbook ``name`` cannot be written."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        return [XLSX_NOTE.format(name=name)]
    return []


def write_xlsx(path: Path, sheets: Mapping[str, tuple[Sequence[str], Sequence[Sequence[object]]]]
               ) -> Path | None:
    """An Excel workbook, a sheet per (header, rows) with the header row frozen; None (nothing
    written) when openpyxl (a dependency) is missing."""
    try:
        from openpyxl import Workbook
    except ImportError:
        return None
    book = Workbook(write_only=True)
    for title, (header, rows) in sheets.items():
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path
