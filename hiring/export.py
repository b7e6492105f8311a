"""Writing exports safely: CSV (streamed), XLSX (openpyxl write-only) and the cells of a printable page.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula, so every text cell that does gets a leading apostrophe (``safe_cell``), in CSV and XLSX alike.

``csv_response`` is the pool's all-fields CSV (``/candidates/export.csv``): its header is the import
format's, so an exported file can be imported back.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import BinaryIO

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Select

from models import Candidate, db

COLUMNS = [
    "id", "external_id", "name", "email", "alt_email", "phone", "location", "linkedin", "company", "title",
    "segment", "typical_deal_size", "sales_cycle_days", "quota_years", "past_attainment_pct",
    "attainment_verified", "source", "referrer", "owner_email", "tags", "status", "next_touch", "last_touch",
    "consent_on", "consent_method", "consent_expires_on", "notes", "created", "updated",
]  # fmt: skip
# A cell starting with one of these is run as a formula by spreadsheet programs. So is one where spaces
# come first (an import may trim them) or a fullwidth form (＝＋－＠, which some input methods turn into
# the ASCII ones): looks_like_formula also reads the first character after any whitespace, in NFKC form.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 500
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters Excel forbids in a sheet's name.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
AS_THEY_ARE = {int, float, date, type(None)}


def safe_cell(value) -> str:
    """Return the cell as text, with a leading apostrophe if a spreadsheet would run it as a formula."""
    if value is None:
        return ""
    text = value.value if hasattr(value, "value") else str(value)
    return "'" + text if looks_like_formula(text) else text


def looks_like_formula(text: str) -> bool:
    """True if a spreadsheet would run ``text`` as a formula, also once trimmed or with fullwidth forms folded."""
    first = unicodedata.normalize("NFKC", text.lstrip()[:1])
    return text.startswith(FORMULA_STARTS) or first.startswith(FORMULA_STARTS)


def plain_text(value) -> str:
    """A value as text for CSV and the printable page: ISO dates, "yes"/"no", blanks for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_cell(value) -> str:
    """A CSV cell: numbers as they are, text neutralised by ``safe_cell``."""
    if isinstance(value, str):
        return safe_cell(value)
    return plain_text(value)


def csv_chunks(header: list[str], rows: Iterable[list], batch: int = BATCH) -> Iterator[str]:
    """Yield CSV text: a BOM and the header first, then ``batch`` rows at a time (cells already made safe)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(header)
    yield "\ufeff" + flush()  # BOM: Excel then reads the file as UTF-8
    for number, row in enumerate(rows, start=1):
        writer.writerow(row)
        if number % batch == 0:
            yield flush()
    yield flush()


def xlsx_value(value, sheet):
    """A value as an XLSX cell: numbers and dates as such, text neutralised and always stored as text."""
    if isinstance(value, str):
        if not value:
            return None  # openpyxl writes an element for an empty string, and none for a blank
        # Control characters first (they make the file unreadable), then neutralise: "\x01=1+1" is a formula once
        # the "\x01" is gone.
        text = safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
        if text in ERROR_CODES:  # openpyxl would store "#N/A" as an error value, not as the text it is
            cell = WriteOnlyCell(sheet, text)
            cell.data_type = "s"
            return cell
        # safe_cell has put an apostrophe before any "=": openpyxl stores no string as a formula.
        return text
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):  # Excel has no time zones: UTC, as the column label says
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def sheet_name(title: str) -> str:
    """A valid worksheet name from a title (no forbidden characters, at most 31 characters)."""
    return SHEET_NAME_FORBIDDEN.sub(" ", title).strip()[:31] or "Export"


def write_xlsx(out: BinaryIO, title: str, header: list[str], widths: list[int], rows: Iterable[list], count: int):
    """Write a one-sheet workbook to ``out`` in openpyxl's write-only mode (rows are never all in memory).

    Bold header row, frozen and repeated on printed pages, a filter on it, landscape pages.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name(title))
    # Write-only sheets take their layout before the first row.
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    bold, top = Font(bold=True), Alignment(vertical="top", wrap_text=True)
    cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, label)
        cell.font, cell.alignment = bold, top
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        # Most cells are numbers, dates or blanks, which openpyxl takes as they are; skipping the call saves time.
        sheet.append([value if type(value) in AS_THEY_ARE else xlsx_value(value, sheet) for value in row])
    workbook.save(out)


def candidate_row(c: Candidate) -> list[str]:
    """Return one candidate as export cells, in COLUMNS order."""
    values = [
        c.id, c.external_id, c.name, c.email, c.alt_email, c.phone, c.location, c.linkedin_url, c.company, c.title,
        c.segment, c.typical_deal_size, c.sales_cycle_days, c.quota_years, c.past_attainment_pct,
        "yes" if c.attainment_verified else "no", c.source, c.referrer, c.owner.email if c.owner else None,
        "; ".join(c.tag_names), c.status, c.next_touch_on, c.last_touch_at and c.last_touch_at.isoformat(),
        c.consent_on, c.consent_method, c.consent_expires_on, c.notes, c.created_at.isoformat(),
        c.updated_at.isoformat(),
    ]  # fmt: skip
    return [safe_cell(v) for v in values]


def csv_lines(query: Select) -> Iterator[str]:
    """Yield the CSV text of the query's candidates, a header line first, in batches of BATCH rows."""
    rows = db.session.scalars(query.execution_options(yield_per=BATCH))
    yield from csv_chunks(COLUMNS, (candidate_row(candidate) for candidate in rows))


def csv_response(query: Select, filename: str) -> Response:
    """Return a streamed CSV download of the query's candidates."""
    return Response(
        stream_with_context(csv_lines(query)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
