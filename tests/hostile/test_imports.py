"""Every import fed hostile files: nothing crashes, what is imported is shown as text and exported neutralised.

Imports: the candidate upload page (CSV and XLSX), scorecards, hires, monthly
outcomes, self-identification, JSON Resume documents and resume files (PDF/DOCX).
"""

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from hiring.csv_reading import COLUMNS
from hiring.eeo_import import import_eeo
from hiring.json_resume import import_documents
from hiring.rep_import import import_hires, import_outcomes
from hiring.scorecard_import import import_scorecards
from models import Candidate, db
from tests.hostile.payloads import (
    FORMULA_PAYLOADS,
    MALFORMED_DATES,
    MALFORMED_NUMBERS,
    assert_exports_neutralised,
    assert_shown_safely,
    examples,
    hostile_text,
)
from tests.test_resume_files import text_docx, text_pdf

# Bytes no well-formed file has: invalid UTF-8, NULs, a lone BOM, an unclosed quote, a zip header.
RAW_JUNK = [b"\xff\xfe\x00\x00", b"\x00" * 64, b"\xef\xbb\xbf", b'"unclosed,\n', b"PK\x03\x04" + b"\x00" * 40, b""]

cell = st.one_of(hostile_text(long=False), st.sampled_from(MALFORMED_DATES + MALFORMED_NUMBERS + FORMULA_PAYLOADS))


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """A CSV file of ``rows`` under ``header``, UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8", "surrogatepass")


def xlsx_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """An XLSX workbook of ``rows`` under ``header``; formula payloads become real formulas."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(["".join(ch for ch in value if ch >= " " or ch in "\t\n\r") for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def hostile_file(header: list[str], width: int | None = None):
    """A file's bytes: rows of hostile cells under ``header``, sometimes with junk bytes spliced in."""
    row = st.lists(cell, min_size=width or len(header), max_size=(width or len(header)) + 1)
    rows = st.lists(row, min_size=1, max_size=4)
    junk = st.sampled_from(RAW_JUNK)
    return st.one_of(
        st.builds(csv_bytes, st.just(header), rows),
        st.builds(csv_bytes, st.just(header), rows),
        st.builds(lambda data, extra: data + extra, st.builds(csv_bytes, st.just(header), rows), junk),
        st.builds(lambda extra, data: extra + data, junk, st.builds(csv_bytes, st.just(header), rows)),
    )


def test_the_candidate_upload_page_takes_hostile_csv_and_xlsx_files(world):
    """Upload, preview and import with "skip invalid rows": pages escape every cell, exports are neutralised."""
    client = world.manager
    header = list(COLUMNS)

    row = st.lists(cell, min_size=len(header), max_size=len(header))
    workbooks = st.builds(xlsx_bytes, st.just(header), st.lists(row, min_size=1, max_size=3))
    names = st.sampled_from(["c.csv", "x.xlsx", "../../etc/passwd", "<script>alert(1)</script>.csv", "a\r\nb.csv"])

    @examples(12)
    @given(data=st.one_of(hostile_file(header), workbooks), name=names)
    def run(data, name):
        upload = client.post("/candidates/import", data={"file": (io.BytesIO(data), name)})
        assert upload.status_code in (200, 302, 400)
        preview = client.get("/candidates/import/review")
        assert preview.status_code in (200, 302)
        cells = [value for value in data.decode("utf-8", "replace").split(",")]
        assert_shown_safely(preview.get_data(as_text=True), cells + [name])
        mapping = {f"column_{index}": column for index, column in enumerate(header)}
        imported = client.post("/candidates/import/review", data={**mapping, "skip_invalid": "y", "submit": "Import"})
        assert imported.status_code in (200, 302, 400)
        assert_shown_safely(imported.get_data(as_text=True), cells + [name])
        assert_shown_safely(client.get("/candidates/").get_data(as_text=True), cells)

    run()
    assert_exports_neutralised(client)


COMMAND_LINE_IMPORTS = {
    "scorecards": (import_scorecards, ["candidate_ref", "interviewer_email", "interviewed_on", "recommendation",
                                       "drive", "notes"]),
    "hires": (import_hires, ["candidate_ref", "hired_on", "role", "territory", "segment", "left_on"]),
    "outcomes": (import_outcomes, ["candidate_ref", "period", "quota", "booked"]),
    "self-identification": (import_eeo, ["candidate_ref", "sex", "race_ethnicity", "veteran", "disability"]),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(COMMAND_LINE_IMPORTS))
def test_the_command_line_imports_take_hostile_files(world, kind):
    """Scorecards, hires, outcomes and self-identification: a report, never a crash; pages show values as text."""
    run_import, header = COMMAND_LINE_IMPORTS[kind]
    references = st.sampled_from(["cara@example.org", "hugo@example.org", str(world.ids["candidate"]), ""])

    @examples(8)
    @given(data=hostile_file(header), reference=references)
    def run(data, reference):
        # The first row names a real candidate (mostly), so that rows get past the reference check.
        data = data.replace(b"\n", f"\n{reference}".encode(), 1)
        with world.app.app_context():
            report = run_import(io.BytesIO(data), skip_invalid=True)
            db.session.rollback()
        assert report.summary()
        for page in ("/candidates/{candidate}", "/reps/", "/reps/{hire}", "/admin/self-identification/"):
            shown = world.admin.get(page.format(**world.ids))
            assert shown.status_code == 200
            assert_shown_safely(shown.get_data(as_text=True), data.decode("utf-8", "replace").split(","))

    run()


def test_json_resume_documents_with_hostile_values_import_or_are_refused(world):
    """JSON Resume: hostile names, URLs, dates and nesting give a report; the candidate page shows text."""
    value = st.one_of(hostile_text(long=False), st.sampled_from(MALFORMED_DATES), st.integers(), st.none())
    document = st.fixed_dictionaries({
        "basics": st.fixed_dictionaries({
            "name": hostile_text(), "email": st.sampled_from(["r@example.org", "<b>@x", "' OR 1=1"]),
            "url": st.sampled_from(["javascript:alert(1)", "https://example.org"]), "summary": hostile_text(),
            "profiles": st.lists(st.fixed_dictionaries({"network": value, "url": value}), max_size=2),
        }),
        "work": st.lists(st.fixed_dictionaries({"name": value, "position": value, "startDate": value}), max_size=2),
        "skills": st.lists(st.fixed_dictionaries({"name": value, "keywords": st.lists(value, max_size=3)}), max_size=2),
    })  # fmt: skip
    raw = st.one_of(document.map(lambda d: json.dumps(d).encode()), st.sampled_from([b"{", b"[]", b"\x00", b"1e999"]))

    @examples(10)
    @given(data=raw)
    def run(data):
        with world.app.app_context():
            report = import_documents([("resume.json", data)], skip_invalid=True)
            ids = list(db.session.scalars(db.select(Candidate.id).order_by(Candidate.id.desc()).limit(1)))
            db.session.rollback()
        assert report is not None
        for page in [f"/candidates/{ids[0]}", f"/candidates/{ids[0]}/resume.json", "/candidates/"]:
            shown = world.manager.get(page)
            assert shown.status_code == 200
            assert_shown_safely(shown.get_data(as_text=True), [data.decode("utf-8", "replace")])

    run()


def test_resume_files_with_hostile_names_and_contents_are_stored_safely_or_refused(world):
    """Uploads of junk, truncated PDFs and documents full of payloads: 302 or 400, never 500; names stay text."""
    candidate = world.ids["candidate"]
    contents = st.one_of(
        st.builds(lambda text: text_pdf(text), hostile_text(long=False)),
        st.builds(lambda text: text_docx(text), hostile_text(long=False)),
        st.sampled_from(RAW_JUNK + [b"%PDF-1.7\n", text_pdf("cut")[:60]]),
    )
    names = st.sampled_from(["cv.pdf", '"><img src=x onerror=alert(1)>.pdf', "a\r\nb.docx", "../../x.docx", "=1+1.pdf"])

    @examples(6)
    @given(data=contents, name=names)
    def run(data, name):
        response = world.manager.post(f"/candidates/{candidate}/resumes", data={"file": (io.BytesIO(data), name)})
        assert response.status_code in (200, 302, 400)
        page = world.manager.get(f"/candidates/{candidate}")
        assert_shown_safely(page.get_data(as_text=True), [name, data.decode("utf-8", "replace")])

    run()
