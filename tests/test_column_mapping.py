"""Importing other systems' exports: header aliases, combined columns, XLSX workbooks, the check page, re-runs."""

import csv
import io
import re
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from hiring.column_mapping import IGNORE, guess, source_of, status_of
from hiring.csv_import import import_candidates
from hiring.xlsx_reading import cell_text
from models import AuditEntry, Candidate, PoolStatus, Role, Source, db
from tests.factories import make_candidate, make_user, sign_in_as

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
SOURCES = ("opencats", "opencats_legacy", "lever", "greenhouse")
# Columns a workbook holds as real dates, as Excel would.
DATE_COLUMNS = {"Created", "Modified", "Date Added"}


def fixture_bytes(name: str) -> bytes:
    """Return a fixture CSV file's bytes."""
    return (FIXTURES / f"{name}.csv").read_bytes()


def as_xlsx(data: bytes, sheet_title: str = "Candidates") -> bytes:
    """Return a CSV file as an XLSX workbook, with date columns as dates and whole-number cells as numbers."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    header = rows[0]
    sheet.append(header)
    for row in rows[1:]:
        cells = []
        for column, value in zip(header, row, strict=False):
            if column in DATE_COLUMNS and value:
                cells.append(datetime.fromisoformat(value))
            elif value.isdigit():
                cells.append(int(value))
            else:
                cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def source_file(name: str, kind: str) -> bytes:
    """Return a fixture as CSV or as XLSX."""
    data = fixture_bytes(name)
    return as_xlsx(data) if kind == "xlsx" else data


def run_import(app, data: bytes, **options):
    """Import ``data`` inside an app context and return the report."""
    with app.app_context():
        return import_candidates(data, **options)


def snapshot(app) -> dict[int, tuple]:
    """Return every candidate's stored values by id, to compare before and after a re-run."""
    with app.app_context():
        return {
            c.id: (
                c.name,
                c.email,
                c.alt_email,
                c.phone,
                c.location,
                c.linkedin_url,
                c.company,
                c.title,
                c.source,
                c.status,
                c.owner_id,
                tuple(c.tag_names),
                c.external_id,
                c.notes,
                c.version,
            )  # fmt: skip
            for c in db.session.scalars(db.select(Candidate).order_by(Candidate.id))
        }


def by_name(app, name: str) -> Candidate:
    """Return the one candidate called ``name``, tags loaded and detached."""
    with app.app_context():
        candidate = db.session.scalars(db.select(Candidate).where(Candidate.name == name)).one()
        candidate.tags  # noqa: B018 - load before detaching
        db.session.expunge(candidate)
        return candidate


@pytest.fixture
def people(app):
    """The pool before the import: Mia the manager, Dana (in every file by e-mail), Priya (a look-alike)."""
    with app.app_context():
        mia = make_user(Role.MANAGER, email="mia@example.com", name="Mia Manager")
        dana = make_candidate(name="Dana Reyes", email="dana.reyes@example.com", company="Northwind", notes="Old note")
        priya = make_candidate(name="Priya Shah", email="priya@old.example", phone="+1 415 555 0177", company="Initech")
    return {"mia": mia, "dana": dana, "priya": priya}


# Guessing the mapping ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, profile, expected",
    [
        (
            "opencats",
            "opencats",
            {"First Name": "first_name", "2nd E-Mail": "alt_email", "Cell Phone": "cell_phone", "City": "city",
             "Key Skills": "tags", "Source": "source_other", "Current Employer": "company", "Misc Notes": "notes",
             "Owner": "owner", "Created": "keep_in_notes", "Modified": IGNORE},
        ),
        (
            "opencats_legacy",
            "opencats_legacy",
            {"candidateID": "opencats_id", "lastName": "last_name", "phoneCell": "cell_phone", "email1": "email",
             "keySkills": "tags"},
        ),
        (
            "lever",
            "lever",
            {"Full Name": "name", "Sources": "source_other", "Origin": "source_other", "Stage": "stage",
             "Date Added": "keep_in_notes", "Links": "links"},
        ),
        (
            "greenhouse",
            "greenhouse",
            {"First Name": "first_name", "Title": "title", "Social Media": "links", "Website": "links",
             "Source": "source_other", "Notes": "notes"},
        ),
    ],
)  # fmt: skip
def test_each_export_is_recognised_by_its_headers(name, profile, expected):
    header = next(csv.reader(io.StringIO(fixture_bytes(name).decode())))
    mapping = guess(header)
    assert mapping.profile.key == profile
    chosen = dict(zip(header, mapping.targets, strict=True))
    assert {column: chosen[column] for column in expected} == expected
    assert mapping.problems() == []


def test_aliases_ignore_case_spaces_and_punctuation_and_bench_names_keep_their_meaning():
    mapping = guess([" FIRST-NAME ", "last name", "E_Mail", "Shoe size", "source"])
    assert mapping.targets == ["first_name", "last_name", "email", IGNORE, "source"]  # Bench's strict source
    assert mapping.unknown == ["Shoe size"]


@pytest.mark.parametrize(
    "text, expected",
    [("Employee Referral", Source.REFERRAL), ("LinkedIn (Recruiter)", Source.SOURCED), ("Career Fair", Source.EVENT),
     ("applied", Source.INBOUND), ("Hired.com", None), ("agency", Source.AGENCY)],
)  # fmt: skip
def test_other_systems_sources_map_to_benchs_when_clear(text, expected):
    assert source_of(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("Phone screen", PoolStatus.INTERVIEWING), ("On-site interview", PoolStatus.INTERVIEWING),
     ("Offer", PoolStatus.OFFER), ("Reached out", PoolStatus.ENGAGED), ("Not now", PoolStatus.NOT_NOW),
     ("Archived - no response", None)],
)  # fmt: skip
def test_stages_become_a_status_only_when_clear(text, expected):
    assert status_of(text) == expected


# Each source, CSV and XLSX -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("name", SOURCES)
def test_each_source_imports_and_importing_again_changes_nothing(app, people, name, kind):
    data = source_file(name, kind)
    first = run_import(app, data)
    assert first.committed, (first.file_error, [str(p) for p in first.errors])
    assert first.kind == kind.upper() and first.error_count == 0
    assert first.updated >= 1  # Dana, matched by e-mail
    dana = by_name(app, "Dana Reyes")
    assert dana.id == people["dana"].id and dana.notes.startswith("Old note")  # nothing lost
    before = snapshot(app)
    again = run_import(app, data)
    assert (again.created, again.updated, again.error_count) == (0, 0, 0), [str(p) for p in again.warnings]
    assert again.unchanged == again.rows
    assert snapshot(app) == before


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_opencats_columns_are_combined_and_nothing_is_lost(app, people, kind):
    report = run_import(app, source_file("opencats", kind))
    assert report.ignored_columns == ["Modified"] and report.unknown_columns == []
    jose = by_name(app, "José Álvarez")
    assert (jose.email, jose.alt_email) == ("jose.alvarez@example.com", "jose@home.example")
    assert jose.phone == "+1 512 555 0102"  # the cell phone is preferred
    assert (jose.location, jose.company, jose.tag_names) == ("Austin, TX", "Initech", ["enterprise", "saas"])
    assert (jose.source, jose.owner_id) == (Source.REFERRAL, people["mia"].id)  # the owner by name
    assert jose.notes.startswith("Closed 140% of quota in 2023.")
    for line in ("Home Phone: +1 512 555 0101", "Created: 2023-04-02 09:15", "Source: Employee Referral"):
        assert line in jose.notes.splitlines()
    assert "Modified" not in jose.notes
    chloe = by_name(app, "Chloé Dubois")
    assert (chloe.phone, chloe.location, chloe.source) == ("+33 1 42 68 53 00", "Paris", Source.SOURCED)
    sam = by_name(app, "Sam Lee")  # no e-mail: a re-import recognises him by name and phone
    assert (sam.email, sam.phone, sam.location) == (None, "+1 206 555 0199", "Seattle, WA")
    dana = by_name(app, "Dana Reyes")
    assert dana.owner_id == people["mia"].id and "Met again at SaaStr." in dana.notes


def test_opencats_legacy_ids_are_prefixed_so_that_re_imports_match(app, people):
    run_import(app, fixture_bytes("opencats_legacy"))
    assert by_name(app, "José Álvarez").external_id == "opencats:101"
    lucja = by_name(app, "Łucja Nowak")
    assert (lucja.external_id, lucja.email, lucja.phone) == ("opencats:102", None, "+48 22 555 0100")
    dana = by_name(app, "Dana Reyes")
    assert (dana.id, dana.external_id) == (people["dana"].id, "opencats:103")
    assert "phoneHome: 512-555-0101" in by_name(app, "José Álvarez").notes


def test_lever_links_stage_and_sources(app, people):
    report = run_import(app, fixture_bytes("lever"))
    zoe = by_name(app, "Zoë Ağaoğlu")
    assert zoe.linkedin_url == "https://www.linkedin.com/in/zoe-agaoglu"
    assert (zoe.status, zoe.source, zoe.location) == (PoolStatus.INTERVIEWING, Source.SOURCED, "Istanbul, Turkey")
    for line in ("Links: https://github.com/zoe", "Stage: Phone screen", "Sources: LinkedIn", "Date Added: 2024-03-05"):
        assert line in zoe.notes.splitlines()
    assert by_name(app, "Dana Reyes").status == PoolStatus.OFFER
    # Priya has a new e-mail but the same phone, at the same company: imported, and flagged for merge.
    [warning] = report.warnings
    assert warning.line == 5 and f"Possible duplicate of #{people['priya'].id}" in warning.message
    assert report.duplicates == 1 and warning.subject_id is not None
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).where(Candidate.name == "Priya Shah")) == 2


def test_greenhouse_social_media_and_unknown_sources(app, people):
    run_import(app, fixture_bytes("greenhouse"))
    amelie = by_name(app, "Amélie Fontaine")
    assert (amelie.linkedin_url, amelie.source, amelie.title) == (
        "https://linkedin.com/in/amelie-fontaine",
        Source.EVENT,
        "Account Executive",
    )
    assert "Website: https://amelie.example" in amelie.notes
    bjorn = by_name(app, "Björn Öberg")
    assert (bjorn.email, bjorn.linkedin_key) == (None, "linkedin.com/in/bjorn-oberg")
    with app.app_context():
        priyas = db.session.scalars(db.select(Candidate).where(Candidate.email == "priya@new.example")).all()
        assert [p.source for p in priyas] == [None] and "Source: Jobs page" in priyas[0].notes
    assert by_name(app, "Dana Reyes").title == "Senior Account Executive"


def test_an_owner_bench_does_not_know_is_a_row_error_with_the_files_header(app):
    data = fixture_bytes("opencats").replace(b"jose@home.example", b"jose@@home")
    report = run_import(app, data)
    assert not report.committed
    errors = {(error.line, error.column, error.where) for error in report.errors}
    assert errors == {(2, "alt_email", "2nd E-Mail, column D"), (5, "owner", "column N")}
    assert (
        str(report.errors[0]) == "Line 2, alt_email (2nd E-Mail, column D): “jose@@home” is not a valid e-mail address."
    )
    assert str(report.errors[1]).startswith("Line 5, owner (column N): No user has the e-mail mia@example.com.")
    report = run_import(app, fixture_bytes("opencats"))
    assert "Line 2, owner (column N): No user is called “Mia Manager”." in str(report.errors[0])


# Workbooks -------------------------------------------------------------------------------------


def test_cells_read_as_a_csv_export_would_hold_them():
    assert cell_text(datetime(2024, 3, 5)) == "2024-03-05"
    assert cell_text(datetime(2024, 3, 5, 9, 15)) == "2024-03-05 09:15"
    assert [cell_text(4155550100.0), cell_text(12), cell_text(2.5), cell_text(None)] == ["4155550100", "12", "2.5", ""]
    assert cell_text(True) == "TRUE"


def test_formulas_are_never_evaluated_and_text_starting_with_equals_is_text(app):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "email", "notes", "company"])
    sheet.append(["Ada Byron", "ada@example.com", "=1+1", '=HYPERLINK("http://evil.example","x")'])
    sheet["D2"].data_type = "s"  # stored as text that starts with "=", as a CSV cell would be
    sheet["C2"].data_type = "f"  # a formula, with no value Excel calculated
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run_import(app, buffer.getvalue())
    assert report.committed, report.file_error
    ada = by_name(app, "Ada Byron")
    assert ada.company == '=HYPERLINK("http://evil.example","x")'
    assert ada.notes == ""  # the formula was not evaluated: it has no cached value


def zip_bomb(size: int = 300 * 1024 * 1024) -> bytes:
    """Return an XLSX-shaped zip whose sheet unpacks to ``size`` bytes of spaces (a few hundred KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_quickly(app, runner, tmp_path):
    data = zip_bomb()
    assert len(data) < 2 * 1024 * 1024
    started = time.perf_counter()
    report = run_import(app, data)
    assert time.perf_counter() - started < 1.0
    assert "The workbook was refused" in report.file_error and "zip bomb" in report.file_error
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    result = runner.invoke(args=["import", "candidates", str(path)])
    assert result.exit_code == 1 and "zip bomb" in result.output


def test_a_broken_workbook_gets_a_clear_message(app):
    good = as_xlsx(b"name\nAna\n")
    report = run_import(app, good[: len(good) // 2] + b"\0" * 100)
    assert report.file_error and "Nothing" not in report.file_error  # the caller adds "Nothing was imported"
    assert report.rows == 0


def test_only_the_first_sheet_is_read_and_the_row_limit_applies(app):
    workbook = Workbook()
    workbook.active.append(["Full Name", "Email"])
    for number in range(3):
        workbook.active.append([f"Person {number}", f"p{number}@example.com"])
    workbook.create_sheet("Other").append(["name"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run_import(app, buffer.getvalue(), max_rows=2)
    assert "more than 2 rows" in report.file_error
    report = run_import(app, buffer.getvalue())
    assert report.created == 3 and any("Only the first sheet" in note for note in report.notes)


# The command ----------------------------------------------------------------------------------


def run_cli(runner, tmp_path, data: bytes, *options: str, name="people.data"):
    """Run ``flask import candidates`` on a file holding ``data`` (its name says nothing of its type)."""
    path = tmp_path / name
    path.write_bytes(data)
    return runner.invoke(args=["import", "candidates", str(path), *options])


def test_the_command_reads_xlsx_by_content_and_prints_the_mapping(app, runner, tmp_path, people):
    result = run_cli(runner, tmp_path, as_xlsx(fixture_bytes("lever")))
    assert result.exit_code == 0, result.output
    assert "Columns (recognised as a Lever export):" in result.output
    assert re.search(r"A Full Name\s+-> name", result.output)
    assert re.search(r"K Links\s+-> links", result.output)
    assert "Possible duplicates flagged for merge: 1" in result.output
    again = run_cli(runner, tmp_path, as_xlsx(fixture_bytes("lever")))
    assert "4 rows: 0 created, 0 updated, 4 unchanged" in again.output


def test_the_command_map_option_overrides_the_guess(app, runner, tmp_path):
    data = fixture_bytes("opencats")
    refused = run_cli(runner, tmp_path, data)
    assert refused.exit_code == 1 and "No user is called “Mia Manager”" in refused.output
    result = run_cli(runner, tmp_path, data, "--map", "Owner=keep_in_notes", "--map", "modified=keep_in_notes")
    assert result.exit_code == 0, result.output
    assert re.search(r"N Owner\s+-> keep_in_notes", result.output)
    jose = by_name(app, "José Álvarez")
    assert jose.owner_id is None and {"Owner: Mia Manager", "Modified: 2024-01-15 17:02"} <= set(
        jose.notes.splitlines()
    )


@pytest.mark.parametrize(
    "option, message",
    [
        ("Owner", 'is not written as "Source Header=bench_column"'),
        ("Shoe size=name", "The file has no column “Shoe size”."),
        ("Owner=boss", "Unknown Bench column “boss”."),
        ("Current Employer=first_name", "Columns A (First Name) and L (Current Employer) are both read as first_name."),
    ],
)
def test_the_command_explains_a_bad_map_option(app, runner, tmp_path, option, message):
    result = run_cli(runner, tmp_path, fixture_bytes("opencats"), "--map", option)
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Candidate)) == 0


# The check page ---------------------------------------------------------------------------------


def shown(response) -> str:
    """Return the page's HTML with runs of white space collapsed."""
    return " ".join(response.text.split())


def selected_options(page: str) -> dict[str, str]:
    """Return the column selects of the check page and the option each has selected."""
    selects = re.findall(r'<select[^>]* name="(column_\d+)"[^>]*>(.*?)</select>', page, re.DOTALL)
    return {name: re.search(r'<option selected value="([^"]*)"', options).group(1) for name, options in selects}


def post_file(client, data: bytes, filename: str):
    """Upload a file on the upload page."""
    form = {"file": (io.BytesIO(data), filename), "submit": "Upload and check"}
    return client.post("/candidates/import", data=form, content_type="multipart/form-data")


def pending_files(app) -> list[Path]:
    """Return the uploaded files waiting for their import."""
    folder = Path(app.instance_path) / "uploads" / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def signed_in(app, client):
    """Sign in as a manager who is not in the files."""
    with app.app_context():
        user = make_user(Role.MANAGER, email="max@example.com", name="Max Manager")
    sign_in_as(client, user)
    return user


def test_the_page_shows_the_guess_a_preview_and_the_problems_then_imports_without_reupload(app, client, signed_in):
    with app.app_context():
        make_candidate(name="Dana Reyes", email="dana.reyes@example.com", company="Northwind")
    response = post_file(client, as_xlsx(fixture_bytes("opencats")), "export from opencats.bin")
    assert response.status_code == 302
    [kept] = pending_files(app)
    assert "opencats" not in kept.name and kept.stat().st_mode & 0o777 == 0o600  # named by a random token only
    page = client.get("/candidates/import/review")
    text = shown(page)
    assert (
        "Check of export from opencats.bin" in text
        and "(XLSX)" in text
        and "Recognised as an OpenCATS list export" in text
    )
    choices = selected_options(page.text)
    assert (choices["column_0"], choices["column_5"], choices["column_13"]) == ("first_name", "cell_phone", "owner")
    assert "Preview of the first 4 rows, as they will be imported" in text
    assert "José Álvarez" in text and "Austin, TX" in text and "+1 512 555 0102" in text
    assert "No user is called “Mia Manager”" in text and "owner (N)" in text
    assert "Nothing was imported: 2 of 4 rows have errors" in text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Candidate)) == 1

    # The user reads Owner as notes instead, and looks again: the problems are gone.
    changed = {**choices, "column_13": "keep_in_notes", "preview": "go"}
    text = shown(client.post("/candidates/import/review", data=changed))
    assert "The file is ready to import: 3 to create, 1 to update, 0 unchanged." in text
    assert "updates #" in text and "(same e-mail)" in text
    assert "Owner: Mia Manager" in text
    assert selected_options(client.post("/candidates/import/review", data=changed).text)["column_13"] == "keep_in_notes"

    done = client.post("/candidates/import/review", data={**changed, "preview": "", "submit": "Import"})
    assert "Imported: 3 created, 1 updated, 0 unchanged." in shown(done)
    assert "Owner: Mia Manager" in by_name(app, "José Álvarez").notes
    assert pending_files(app) == []  # deleted once imported
    again = client.get("/candidates/import/review")
    assert again.status_code == 302 and again.headers["Location"] == "/candidates/import"
    with app.app_context():
        [entry] = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "candidates.imported")).all()
        assert entry.details["format"] == "opencats" and entry.details["file_type"] == "XLSX"
        assert "Mia" not in str(entry.details)


def test_the_page_links_flagged_duplicates_to_the_merge_screen(app, client, signed_in):
    with app.app_context():
        priya = make_candidate(name="Priya Shah", email="priya@old.example", phone="+1 415 555 0177", company="Initech")
    post_file(client, fixture_bytes("greenhouse"), "greenhouse.csv")
    choices = selected_options(client.get("/candidates/import/review").text)
    done = client.post("/candidates/import/review", data={**choices, "submit": "Import"})
    text = shown(done)
    assert 'Possible duplicates flagged for merge</dt> <dd class="col-sm-8">1</dd>' in text
    with app.app_context():
        new_id = db.session.scalar(db.select(Candidate.id).where(Candidate.email == "priya@new.example"))
    assert f'href="/candidates/{new_id}/merge/{priya.id}"' in text


def test_a_mapping_problem_is_fixed_on_the_page(app, client, signed_in):
    post_file(client, b"Vorname,Nachname,Mail\nAnna,Schmidt,anna@example.com\n", "leute.csv")
    page = client.get("/candidates/import/review")
    text = shown(page)
    assert "none of its cells is a column Bench knows" in text and "Choose below what each column holds" in text
    fields = {"column_0": "first_name", "column_1": "last_name", "column_2": "email", "submit": "Import"}
    done = client.post("/candidates/import/review", data=fields)
    assert "Imported: 1 created" in shown(done)
    assert by_name(app, "Anna Schmidt").email == "anna@example.com"


def test_two_columns_read_as_one_field_is_explained(app, client, signed_in):
    post_file(client, fixture_bytes("greenhouse"), "greenhouse.csv")
    choices = selected_options(client.get("/candidates/import/review").text)
    text = shown(client.post("/candidates/import/review", data={**choices, "column_3": "company", "submit": "Import"}))
    assert "Columns C (Company) and D (Title) are both read as company." in text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Candidate)) == 0


def test_the_waiting_file_is_only_this_sessions_and_expires(app, client, signed_in):
    post_file(client, fixture_bytes("lever"), "lever.csv")
    [first] = pending_files(app)
    post_file(client, fixture_bytes("lever"), "lever.csv")
    [second] = pending_files(app)
    assert not first.exists() and second != first  # a new upload replaces the session's earlier one
    with client.session_transaction() as session:
        # A session pointing elsewhere never reaches a path (the session is signed; this checks the code too).
        session["candidate_import"] = {**session["candidate_import"], "token": "../../../etc/passwd"}
    assert client.get("/candidates/import/review").status_code == 302
    assert second.exists()  # left behind: deleted once it is older than the waiting time
    app.config["IMPORT_PENDING_SECONDS"] = 0
    time.sleep(0.01)
    assert client.get("/candidates/import/review").status_code == 302
    assert pending_files(app) == []
    app.config["IMPORT_PENDING_SECONDS"] = 3600
    post_file(client, fixture_bytes("lever"), "lever.csv")
    assert client.post("/candidates/import/cancel").status_code == 302
    assert pending_files(app) == []
    assert client.get("/candidates/import/review").status_code == 302


def test_interviewers_cannot_use_the_check_page(app, client):
    with app.app_context():
        interviewer = make_user(Role.INTERVIEWER)
    sign_in_as(client, interviewer)
    assert post_file(client, fixture_bytes("lever"), "lever.csv").status_code == 403
    assert client.get("/candidates/import/review").status_code == 403
    assert client.post("/candidates/import/review", data={"submit": "Import"}).status_code == 403
    assert pending_files(app) == []
