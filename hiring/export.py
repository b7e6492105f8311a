"""CSV export of candidates: streamed row by row, and safe to open in a spreadsheet."""

import csv
import io
from collections.abc import Iterator

from flask import Response, stream_with_context
from sqlalchemy import Select

from models import Candidate, db

COLUMNS = [
    "id", "external_id", "name", "email", "alt_email", "phone", "location", "linkedin", "company", "title",
    "segment", "typical_deal_size", "sales_cycle_days", "quota_years", "past_attainment_pct",
    "attainment_verified", "source", "referrer", "owner_email", "tags", "status", "next_touch", "last_touch",
    "consent_on", "consent_method", "consent_expires_on", "notes", "created", "updated",
]  # fmt: skip
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 500


def safe_cell(value) -> str:
    """Return the cell as text, with a leading apostrophe if a spreadsheet would run it as a formula."""
    if value is None:
        return ""
    text = value.value if hasattr(value, "value") else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    yield "\ufeff" + flush()  # BOM: Excel then reads the file as UTF-8
    rows = db.session.scalars(query.execution_options(yield_per=BATCH))
    for number, candidate in enumerate(rows, start=1):
        writer.writerow(candidate_row(candidate))
        if number % BATCH == 0:
            yield flush()
    yield flush()


def csv_response(query: Select, filename: str) -> Response:
    """Return a streamed CSV download of the query's candidates."""
    return Response(
        stream_with_context(csv_lines(query)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
