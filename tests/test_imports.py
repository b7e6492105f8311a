"""Importing candidates from CSV: the checks, the matching, the command and the upload page."""

import io
import re
from datetime import date

import pytest

from hiring import csv_import
from hiring.csv_import import import_candidates, parse_row
from hiring.csv_reading import COLUMNS
from models import AuditEntry, Candidate, PoolStatus, Role, Source, StatusChange, db
from tests.factories import make_candidate, make_user, sign_in_as

FULL_FILE = (
    " External_ID ,First Name,LAST_NAME,Email,phone,Location,LinkedIn,company,Title,SOURCE,owner_email,tags,notes,"
    "Status,next_touch,Shoe size\n"
    'ATS-1,Dana,Reyes,Dana.Reyes@Example.com,+1 415 555 0100,"Austin, TX",https://www.linkedin.com/in/dana-reyes,'
    "Northwind,Account Executive,Referral,Owner@Example.com,Enterprise; SaaS ;,Met at the meetup,Not now,"
    "2026-05-01,44\n"
)


def csv_bytes(*lines: str) -> bytes:
    """Join lines into a CSV file's bytes."""
    return ("\n".join(lines) + "\n").encode()


def run_import(app, data: bytes, **options):
    """Import ``data`` inside an app context and return the report."""
    with app.app_context():
        return import_candidates(data, **options)


def run_cli(runner, tmp_path, data: bytes, *options: str):
    """Run ``flask import candidates`` on a file holding ``data``."""
    path = tmp_path / "people.csv"
    path.write_bytes(data)
    return runner.invoke(args=["import", "candidates", str(path), *options])


def pool(app) -> list[Candidate]:
    """Return every candidate, oldest first, with tags loaded and detached."""
    with app.app_context():
        candidates = db.session.scalars(db.select(Candidate).order_by(Candidate.id)).all()
        for candidate in candidates:
            candidate.tags  # noqa: B018 - load before detaching
            db.session.expunge(candidate)
        return candidates


def status_history(app) -> list[tuple]:
    """Return (candidate id, from, to, reason) of every status change, oldest first."""
    with app.app_context():
        query = db.select(
            StatusChange.candidate_id, StatusChange.from_status, StatusChange.to_status, StatusChange.reason
        )
        return [tuple(row) for row in db.session.execute(query.order_by(StatusChange.id))]


def import_audits(app) -> list[AuditEntry]:
    """Return the import entries of the audit log."""
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "candidates.imported")).all()
        for entry in entries:
            db.session.expunge(entry)
        return entries


@pytest.fixture
def owner(app):
    """A manager who can own candidates."""
    with app.app_context():
        return make_user(Role.MANAGER, email="owner@example.com", name="Olga Owner")


# The command line ------------------------------------------------------------------


def test_a_good_file_creates_candidates_with_every_column(app, runner, tmp_path, owner):
    result = run_cli(runner, tmp_path, FULL_FILE.encode())
    assert result.exit_code == 0, result.output
    assert "Ignored unknown columns: Shoe size." in result.output
    assert "1 row: 1 created, 0 updated, 0 unchanged, 0 skipped for errors, 0 warnings." in result.output
    [dana] = pool(app)
    assert (dana.external_id, dana.name, dana.email) == ("ATS-1", "Dana Reyes", "dana.reyes@example.com")
    assert (dana.phone, dana.phone_normalized, dana.location) == ("+1 415 555 0100", "+14155550100", "Austin, TX")
    assert dana.linkedin_url == "https://www.linkedin.com/in/dana-reyes"
    assert (dana.company, dana.title, dana.source) == ("Northwind", "Account Executive", Source.REFERRAL)
    assert (dana.owner_id, dana.tag_names, dana.notes) == (owner.id, ["enterprise", "saas"], "Met at the meetup")
    assert (dana.status, dana.next_touch_on) == (PoolStatus.NOT_NOW, date(2026, 5, 1))
    assert status_history(app) == [(dana.id, None, PoolStatus.NOT_NOW, "Imported")]


def test_imported_candidates_are_found_by_search_as_if_saved_from_the_form(app, client, runner, tmp_path, manager):
    # New rows are inserted in bulk, past the ORM's before-flush hook: their search text must still be complete.
    data = csv_bytes(
        "name,email,phone,company,tags,notes",
        "Zoë Quarles,zoe@example.com,+1 415 555 0100,Northwind,Fintech; Hunter,Closed the Acme renewal",
        "Ravi Osei,ravi@example.com,,Contoso,,",
    )
    assert run_cli(runner, tmp_path, data).exit_code == 0
    with app.app_context():
        zoe = db.session.scalar(db.select(Candidate).where(Candidate.email == "zoe@example.com"))
        stored = zoe.search_text
        zoe.refresh_search_text()
        assert stored == zoe.search_text and "fintech" in stored
    for query in ("zoe", "acme", "fintech", "14155550100", "northwind"):
        response = client.get(f"/candidates/?q={query}")
        assert "Zoë Quarles" in response.text and "Ravi Osei" not in response.text, query


def test_an_import_writes_one_audit_entry_with_counts_only(app, runner, tmp_path, owner):
    run_cli(runner, tmp_path, FULL_FILE.encode())
    [entry] = import_audits(app)
    assert entry.actor_label == "command line"
    assert entry.details == {
        "rows": 1, "created": 1, "updated": 0, "unchanged": 0, "skipped": 0, "warnings": 0, "via": "command line",
    }  # fmt: skip


BAD_CELLS = [
    ("email", "dana@@example", "“dana@@example” is not a valid e-mail address."),
    ("name", "D" * 201, "Too long: 201 characters, the most is 200."),
    ("company", "C" * 201, "Too long: 201 characters, the most is 200."),
    ("external_id", "X" * 101, "Too long: 101 characters, the most is 100."),
    ("phone", "1" * 41, "Too long: 41 characters, the most is 40."),
    (
        "status",
        "maybe",
        "Unknown status “maybe”. Use one of: prospect, engaged, interviewing, offer, hired, not_now, declined, "
        "rejected.",
    ),
    ("source", "linkedin", "Unknown source “linkedin”. Use one of: referral, event, inbound, sourced, agency, other."),
    ("next_touch", "31/03/2026", "“31/03/2026” is not a date written as YYYY-MM-DD (for example 2026-03-31)."),
    ("next_touch", "2026-02-30", "“2026-02-30” is not a date written as YYYY-MM-DD (for example 2026-03-31)."),
    ("tags", "ok; " + "t" * 61, "longer than 60 characters."),
    ("owner_email", "nobody@example.com", "No user has the e-mail nobody@example.com. The owner must be a Bench user."),
    ("owner_email", "gone@example.com", "The user gone@example.com is deactivated. Choose an active user as owner."),
    ("owner_email", "ivan@example.com", "The user ivan@example.com is an interviewer. Only managers and admins own"),
]


def test_each_bad_value_is_reported_with_its_line_and_column(app):
    with app.app_context():
        make_user(Role.MANAGER, email="gone@example.com", active=False)
        make_user(Role.INTERVIEWER, email="ivan@example.com")
    columns = ["name", "email", *dict.fromkeys(column for column, _, _ in BAD_CELLS if column not in ("name", "email"))]
    rows = ["Ana Good,ana@example.com" + "," * (len(columns) - 2)]
    for number, (column, cell, _) in enumerate(BAD_CELLS):
        cells = {"name": f"Person {number}", "email": f"p{number}@example.com", column: cell}
        rows.append(",".join(f'"{cells.get(c, "")}"' for c in columns))
    report = run_import(app, csv_bytes(",".join(columns), *rows))
    assert [(error.line, error.column) for error in report.errors] == [
        (line, column) for line, (column, _, _) in enumerate(BAD_CELLS, start=3)
    ]
    for error, (_, _, message) in zip(report.errors, BAD_CELLS, strict=True):
        assert message in error.message
    assert str(report.errors[0]) == "Line 3, email (column B): “dana@@example” is not a valid e-mail address."
    assert (report.rows, report.skipped, report.committed) == (len(BAD_CELLS) + 1, len(BAD_CELLS), False)
    assert pool(app) == []


@pytest.mark.parametrize(
    "lines, message",
    [
        (["email,company", "ana@example.com,Acme"], "The file needs a name column, or first_name and last_name"),
        (["name,email", ",ana@example.com"], "A name is required: fill in name, or first_name and last_name."),
        (["first_name,last_name,email", ",,ana@example.com"], "A name is required"),
        (["name,email", "Ana,ana@example.com,Acme"], "The row has 1 more cell(s) than the header"),
        (["name,email,Name", "Ana,ana@example.com,Ana"], "The column name appears twice (columns A and C)."),
    ],
)
def test_missing_names_and_misshaped_rows_are_reported(app, lines, message):
    report = run_import(app, csv_bytes(*lines))
    problems = [report.file_error] if report.file_error else [error.message for error in report.errors]
    assert any(message in problem for problem in problems), problems
    assert pool(app) == []


def test_by_default_nothing_is_imported_when_a_row_is_bad(app, runner, tmp_path):
    data = csv_bytes("name,email", "Ana,ana@example.com", "Bo,not-an-address", "Cy,cy@example.com")
    result = run_cli(runner, tmp_path, data)
    assert result.exit_code == 1
    assert "Line 3, email (column B): “not-an-address” is not a valid e-mail address." in result.output
    assert "3 rows: 2 to create, 0 to update, 0 unchanged, 1 with errors, 0 warnings." in result.output
    assert "Nothing was imported: 1 row has errors." in result.output
    assert "--skip-invalid to import the 2 good rows" in result.output
    assert pool(app) == [] and import_audits(app) == [] and status_history(app) == []


def test_skip_invalid_imports_the_good_rows_and_reports_the_others(app, runner, tmp_path):
    data = csv_bytes("name,email", "Ana,ana@example.com", "Bo,not-an-address", "Cy,cy@example.com")
    result = run_cli(runner, tmp_path, data, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Line 3, email (column B)" in result.output
    assert "3 rows: 2 created, 0 updated, 0 unchanged, 1 skipped for errors, 0 warnings." in result.output
    assert [c.name for c in pool(app)] == ["Ana", "Cy"]
    assert import_audits(app)[0].details["skipped"] == 1


def test_dry_run_checks_but_writes_nothing(app, runner, tmp_path):
    result = run_cli(runner, tmp_path, csv_bytes("name,email", "Ana,ana@example.com"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "1 row: 1 to create" in result.output
    assert "Dry run: the file is ready to import; nothing was imported." in result.output
    assert pool(app) == []


def test_the_command_shows_at_most_fifty_problems_of_a_kind(app, runner, tmp_path):
    data = csv_bytes("name,email", *[f"P{i},bad{i}" for i in range(60)])
    result = run_cli(runner, tmp_path, data)
    assert "Errors (60):" in result.output
    assert "Line 51, email" in result.output and "Line 52, email" not in result.output
    assert "... and 10 more." in result.output


# Matching: updates, not duplicates ---------------------------------------------------


def test_importing_again_updates_by_external_id(app, runner, tmp_path):
    run_cli(runner, tmp_path, csv_bytes("external_id,name,email,status", "A-1,Ana Lind,ana@example.com,prospect"))
    changed = csv_bytes("external_id,name,email,status", "A-1,Ana Lindqvist,ana.l@example.com,interviewing")
    result = run_cli(runner, tmp_path, changed)
    assert "1 row: 0 created, 1 updated, 0 unchanged" in result.output
    [ana] = pool(app)
    assert (ana.name, ana.email, ana.alt_email, ana.status) == (
        "Ana Lindqvist",
        "ana@example.com",
        "ana.l@example.com",  # the new address joins the old one; nothing is lost
        PoolStatus.INTERVIEWING,
    )
    assert status_history(app) == [
        (ana.id, None, PoolStatus.PROSPECT, "Imported"),
        (ana.id, PoolStatus.PROSPECT, PoolStatus.INTERVIEWING, "Imported"),
    ]
    again = run_cli(runner, tmp_path, changed)
    assert "1 row: 0 created, 0 updated, 1 unchanged" in again.output
    assert len(pool(app)) == 1 and len(status_history(app)) == 2


def test_importing_matches_either_email_and_keeps_what_empty_cells_leave_out(app):
    with app.app_context():
        existing = make_candidate(
            name="Bo Berg", email="bo@work.example", alt_email="Bo@Home.example", company="Acme", tags=["smb"]
        )
    report = run_import(
        app, csv_bytes("name,email,company,tags,external_id,notes", "Bo Berg,bo@home.example,,saas,B-7,Likes golf")
    )
    assert (report.created, report.updated) == (0, 1)
    [bo] = pool(app)
    assert bo.id == existing.id
    assert (bo.company, bo.external_id, bo.notes) == ("Acme", "B-7", "Likes golf")
    assert bo.tag_names == ["saas", "smb"]
    assert (bo.email, bo.alt_email) == ("bo@work.example", "bo@home.example")


def test_two_rows_of_one_file_for_the_same_person_make_one_candidate(app, monkeypatch):
    monkeypatch.setattr(csv_import, "CHUNK_ROWS", 2)  # the pairs below straddle chunks too
    report = run_import(
        app,
        csv_bytes(
            "external_id,name,email,title",
            "A-1,Ana Lind,ana@example.com,",
            "A-1,Ana Lind,,Account Executive",
            "B-2,Bo Berg,bo@example.com,",
            ",Ana Lind,ANA@example.com,",
            "A-1,Ana Lind,,",
        ),
    )
    assert (report.created, report.updated, report.error_count) == (2, 0, 0)
    assert [(w.line, w.message) for w in report.warnings] == [
        (3, "Same person as line 2 (same external id); both rows went into one candidate."),
        (5, "Same person as line 2 (same e-mail); both rows went into one candidate."),
        (6, "Same person as line 2 (same external id); both rows went into one candidate."),
    ]
    ana, bo = pool(app)
    assert (ana.external_id, ana.title, bo.name) == ("A-1", "Account Executive", "Bo Berg")


def test_an_email_of_a_candidate_with_another_external_id_is_an_error(app):
    with app.app_context():
        existing = make_candidate(name="Ana", email="ana@example.com", external_id="A-1")
    report = run_import(app, csv_bytes("external_id,name,email", "A-2,Ana,ana@example.com"))
    [error] = report.errors
    assert (error.line, error.column) == (2, "external_id")
    assert error.message == (
        f"The e-mail ana@example.com belongs to #{existing.id}, whose external id is “A-1”, not “A-2”. "
        "Correct one of them."
    )


def test_look_alikes_are_imported_with_a_possible_duplicate_warning(app, runner, tmp_path):
    with app.app_context():
        existing = make_candidate(
            name="Dana Reyes", email="dana@old.example", phone="+1 415 555 0100", company="Northwind"
        )
    data = csv_bytes(
        "name,email,phone,company,linkedin",
        "Dana Reyes,dana@new.example,415-555-0100,northwind,",
        "Eli Stone,eli@example.com,,,https://linkedin.com/in/eli",
        "E. Stone,eli2@example.com,,,https://www.linkedin.com/in/eli/",
    )
    result = run_cli(runner, tmp_path, data)
    assert result.exit_code == 0, result.output
    assert (
        f"Line 2: Possible duplicate of #{existing.id} (same phone, similar name at the same company). "
        "Imported; merge them if they are one person."
    ) in result.output
    assert "Line 4: Possible duplicate of line 3 (same LinkedIn URL)." in result.output
    assert "3 rows: 3 created" in result.output
    assert len(pool(app)) == 4


# Encodings, delimiters, odd files ----------------------------------------------------


def test_utf8_with_byte_order_mark_and_formula_cells_as_text(app):
    data = '\ufeffexternal_id,name,notes\nZ-1,Zoë Ağaoğlu,=HYPERLINK("x")\n'.encode()
    report = run_import(app, data)
    assert (report.created, report.unknown_columns, report.notes) == (1, [], [])
    [zoe] = pool(app)
    assert (zoe.external_id, zoe.name, zoe.notes) == ("Z-1", "Zoë Ağaoğlu", '=HYPERLINK("x")')


def test_a_utf16_spreadsheet_export_is_read(app):
    report = run_import(app, "name\temail\nŁucja Nowak\tlucja@example.com\n".encode("utf-16"))
    assert report.committed, report
    assert [c.name for c in pool(app)] == ["Łucja Nowak"]


def test_a_latin_1_file_is_read_as_such_and_says_so(app, runner, tmp_path):
    result = run_cli(runner, tmp_path, "name;company\nJosé Müller;Café Été\n".encode("cp1252"))
    assert result.exit_code == 0, result.output
    assert "read as Latin-1" in result.output
    [jose] = pool(app)
    assert (jose.name, jose.company) == ("José Müller", "Café Été")


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_delimiters_are_recognised(app, delimiter):
    lines = [delimiter.join(["Name", "Email", "Tags"]), delimiter.join(["Ana", "ana@example.com", '"a; b"'])]
    report = run_import(app, csv_bytes(*lines))
    assert report.committed, report
    [ana] = pool(app)
    assert (ana.email, ana.tag_names) == ("ana@example.com", ["a", "b"])


def test_excel_separator_line_is_obeyed_and_blank_lines_are_counted(app):
    report = run_import(app, csv_bytes("sep=;", "name;email", "", "Ana;bad"))
    assert [(error.line, error.column) for error in report.errors] == [(3, "email")]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty."),
        (b"\n\n", "The file is empty."),
        (b"name,email\n", "The file has a header but no data rows."),
        (b"name,email\n,,\n", "The file has a header but no data rows."),
        (b"Ana Lind,ana@example.com\n", "none of its cells is a column Bench knows. Found: Ana Lind, ana@example.com."),
        (b"PK\x03\x04rest-of-a-zip", "This is a zip file but not an Excel workbook (.xlsx)."),
        (b"\xd0\xcf\x11\xe0old-excel", "This is an old Excel workbook (.xls)."),
    ],
)
def test_files_that_cannot_be_imported_get_a_clear_message(app, runner, tmp_path, data, message):
    result = run_cli(runner, tmp_path, data)
    assert result.exit_code == 1
    assert message in result.output
    assert pool(app) == []


def test_a_crash_half_way_rolls_everything_back(app, monkeypatch):
    monkeypatch.setattr(csv_import, "CHUNK_ROWS", 1)
    original = csv_import.CandidateImport.fill

    def fill_then_fail(self, candidate, values, tags):
        if values["name"] == "Cy":
            raise RuntimeError("disk on fire")
        return original(self, candidate, values, tags)

    monkeypatch.setattr(csv_import.CandidateImport, "fill", fill_then_fail)
    with pytest.raises(RuntimeError):
        run_import(app, csv_bytes("name,status", "Ana,engaged", "Bo,", "Cy,"))
    assert pool(app) == [] and status_history(app) == [] and import_audits(app) == []


@pytest.mark.parametrize(
    "cells, expected",
    [
        (
            {"name": "Ana", "status": "Not now", "source": "EVENT"},
            {"status": PoolStatus.NOT_NOW, "source": Source.EVENT},
        ),
        ({"first_name": "Ana", "last_name": ""}, {"name": "Ana"}),
        ({"name": "Ana", "tags": "B2B;  Cold   Call ;b2b,"}, {"tags": ["b2b", "cold call"]}),
        ({"name": "Ana", "phone": "", "email": "Ana@X.example"}, {"email": "ana@x.example"}),
    ],
)
def test_parse_row_reads_labels_names_and_tags(cells, expected):
    values, problems = parse_row(cells)
    assert problems == []
    assert {key: values[key] for key in expected} == expected
    assert "phone" not in values  # empty cells keep stored values


# The upload page --------------------------------------------------------------------


@pytest.fixture
def manager(app, client):
    """Sign in as a manager."""
    with app.app_context():
        user = make_user(Role.MANAGER, email="mia@example.com", name="Mia Manager")
    sign_in_as(client, user)
    return user


def shown(response) -> str:
    """Return the page's HTML with runs of white space collapsed, as a browser shows text."""
    return " ".join(response.text.split())


def selected_options(page: str) -> dict[str, str]:
    """Return the column selects of the check page and the option each has selected."""
    selects = re.findall(r'<select[^>]* name="(column_\d+)"[^>]*>(.*?)</select>', page, re.DOTALL)
    return {name: re.search(r'<option selected value="([^"]*)"', options).group(1) for name, options in selects}


def upload(client, data: bytes, filename="people.csv", check=None, skip_invalid=None, **targets):
    """Upload a file, then press Import on the check page (or "Update the preview" with ``check``).

    The upload page keeps the file and shows the check page; nothing is imported before Import.
    """
    form = {"file": (io.BytesIO(data), filename), "submit": "Upload and check"}
    response = client.post("/candidates/import", data=form, content_type="multipart/form-data")
    if response.status_code != 302:
        return response
    assert response.headers["Location"] == "/candidates/import/review"
    review = client.get("/candidates/import/review")
    fields = {**selected_options(review.text), **targets, ("preview" if check else "submit"): "go"}
    if skip_invalid:
        fields["skip_invalid"] = "y"
    return client.post("/candidates/import/review", data=fields)


def test_the_upload_page_states_its_limits_up_front(client, manager):
    page = client.get("/candidates/import")
    assert page.status_code == 200
    assert "The page takes files up to 16 MB and 10,000 rows. Bigger files are imported on the server" in shown(page)
    assert "flask --app hiring import candidates FILE.csv" in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert "CSV file or an Excel workbook (.xlsx)" in shown(page)


def test_uploading_a_good_file_imports_it_and_links_to_the_candidates(app, client, manager):
    response = upload(client, csv_bytes("name,email,status", "Ana,ana@example.com,engaged", "Bo,bo@example.com,"))
    assert response.status_code == 200
    assert "Imported: 2 created, 0 updated, 0 unchanged." in shown(response)
    assert 'href="/candidates/"' in shown(response)
    assert [c.name for c in pool(app)] == ["Ana", "Bo"]
    [entry] = import_audits(app)
    assert (entry.actor_id, entry.details["created"], entry.details["via"]) == (manager.id, 2, "upload page")
    assert status_history(app)[0][1:] == (None, PoolStatus.ENGAGED, "Imported")
    with app.app_context():
        assert db.session.scalar(db.select(StatusChange.changed_by_id).limit(1)) == manager.id


def test_uploading_a_bad_file_lists_the_errors_and_keeps_the_choices(app, client, manager):
    data = csv_bytes("name,email,colour", "Ana,ana@example.com,red", "Bo,bo@@example.com,blue")
    response = upload(client, data, skip_invalid="y", check="Check only")
    assert response.status_code == 200
    text = shown(response)
    assert "Nothing was imported: 1 of 2 rows have errors" in text
    assert "<td>3</td>" in text and "email (B)" in text and "“bo@@example.com” is not a valid e-mail address." in text
    assert "These columns are not ones Bench knows, so they were ignored: colour." in text
    assert re.search(r'<input checked[^>]* id="skip_invalid"', text)  # the choice survives the round trip
    assert "or press Import to import the 1 good row and skip the others." in text
    assert pool(app) == []


def test_uploading_with_skip_invalid_imports_the_good_rows(app, client, manager):
    data = csv_bytes("name,email", "Ana,ana@example.com", "Bo,bo@@example.com")
    response = upload(client, data, skip_invalid="y")
    assert "Imported: 1 created, 0 updated, 0 unchanged; 1 row with errors was skipped." in shown(response)
    assert [c.name for c in pool(app)] == ["Ana"]


def test_possible_duplicates_link_to_the_existing_record(app, client, manager):
    with app.app_context():
        existing = make_candidate(name="Ana Lind", email="ana@old.example", phone="+1 415 555 0100")
    response = upload(client, csv_bytes("name,email,phone", "Ana Lind,ana@new.example,+1 415 555 0100"))
    assert f"Possible duplicate of #{existing.id} (same phone)" in shown(response)
    assert f'href="/candidates/{existing.id}"' in shown(response)


def test_check_only_reports_what_would_happen_and_writes_nothing(app, client, manager):
    response = upload(client, csv_bytes("name,email", "Ana,ana@example.com"), check="Check only")
    text = shown(response)
    assert "The file is ready to import: 1 to create, 0 to update, 0 unchanged. Nothing was imported yet" in text
    assert pool(app) == [] and import_audits(app) == []


def test_the_upload_page_refuses_too_many_rows_and_points_to_the_command_line(app, client, manager):
    app.config["IMPORT_MAX_ROWS_UPLOAD"] = 2
    response = upload(client, csv_bytes("name", "Ana", "Bo", "Cy"))
    assert "This file has more than 2 rows, the most the upload page takes." in shown(response)
    assert "flask --app hiring import candidates FILE.csv" in shown(response)
    assert pool(app) == []


def test_the_upload_form_needs_a_file(client, manager):
    response = client.post("/candidates/import", data={"submit": "Upload"}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Choose the CSV or Excel file to import." in shown(response)


def test_the_content_decides_not_the_name(app, client, manager):
    """A CSV file named .xlsx is read as CSV (once, a .xlsx name was refused outright)."""
    response = upload(client, csv_bytes("name,email", "Ana,ana@example.com"), filename="people.xlsx")
    assert "Imported: 1 created" in shown(response)
    assert "(CSV)" in shown(response)


def test_the_example_file_lists_every_column_and_imports_cleanly(app, client, manager):
    response = client.get("/candidates/import/example.csv")
    assert response.mimetype == "text/csv"
    assert response.text.lstrip("\ufeff").splitlines()[0] == ",".join(COLUMNS)
    result = upload(client, response.data)
    assert "Imported: 1 created" in result.text
    [dana] = pool(app)
    assert (dana.name, dana.owner_id) == ("Dana Reyes", manager.id)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_interviewers_may_not_import(app, client, method):
    with app.app_context():
        interviewer = make_user(Role.INTERVIEWER)
    sign_in_as(client, interviewer)
    assert client.open("/candidates/import", method=method).status_code == 403
    assert client.open("/candidates/import/review", method=method).status_code == 403
    assert client.get("/candidates/import/example.csv").status_code == 403
    assert client.post("/candidates/import/cancel").status_code == 403


def test_an_exported_file_imports_back_without_the_formula_guard(app, client, manager):
    """Export guards formula-like cells with an apostrophe; importing that file takes it off again."""
    with app.app_context():
        make_candidate(name="Ada Byron", email="ada@example.org", phone="+1 415 555 0100", external_id="X-1")
    exported = client.get("/candidates/export.csv").data
    assert b"'+1 415 555 0100" in exported
    with app.app_context():
        report = import_candidates(exported)
        assert report.committed and report.unchanged == 1 and report.error_count == 0
        assert db.session.scalar(db.select(Candidate.phone)) == "+1 415 555 0100"


def test_an_import_does_not_reopen_a_closed_record_and_says_so(app):
    with app.app_context():
        declined = make_candidate(name="Aoife Doyle", email="aoife@example.com", status=PoolStatus.DECLINED)
        active = make_candidate(name="Ben Ortiz", email="ben@example.com", status=PoolStatus.PROSPECT)
        declined_id, active_id = declined.id, active.id
    report = run_import(
        app,
        csv_bytes(
            "name,email,status", "Aoife Doyle,aoife@example.com,interviewing", "Ben Ortiz,ben@example.com,engaged"
        ),
    )
    assert report.committed
    with app.app_context():
        assert db.session.get(Candidate, declined_id).status is PoolStatus.DECLINED
        assert db.session.get(Candidate, active_id).status is PoolStatus.ENGAGED
    (warning,) = [w for w in report.warnings if w.column == "status"]
    assert warning.line == 2
    assert "Kept the status declined: an import does not reopen a closed record (the file says interviewing)" in (
        warning.message
    )
