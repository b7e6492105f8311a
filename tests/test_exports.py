"""Exports of pool views and shortlists: columns, formats, formula injection, order, access, audit, the CLI."""

import csv
import io
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from hiring import exports
from hiring.export_columns import AFTER_TRAITS, BEFORE_TRAITS, SHORTLIST_COLUMNS
from models import (
    Application,
    AuditEntry,
    CandidateScore,
    Certainty,
    ModelVersion,
    PoolStatus,
    Role,
    SelfIdentification,
    Shortlist,
    ShortlistEntry,
    Tier,
    Trait,
    User,
    db,
)
from tests.factories import make_candidate, make_opening, make_scorecard, make_user, sign_in_as
from tests.test_eeo import DISTINCTIVE, LABELS

# The formula starts, then the same after spaces an import may trim, and in fullwidth forms.
DANGEROUS = [
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "  =",
    " " * 40 + "=",
    "\u00a0+",
    "\u3000-",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
]
RECORD_DEFAULTS = ["Name", "E-mail", "Phone", "Status", "Openings (stage)"]
FIT_DEFAULTS = ["Recommendations", "Predicted tier", "P(A) %", "Certainty", "Top reasons", "Owner", "Last touch"]
TOUCHED = datetime(2025, 3, 14, 16, 30, tzinfo=UTC)


def give_score(candidate_id: int, tier: str, p_a: float, up=(), down=()) -> None:
    """Store a fit score for a candidate, under a stand-in model version (inside an app context)."""
    version = db.session.scalar(db.select(ModelVersion))
    if version is None:
        version = ModelVersion(number=1, file_name="x.skops", file_sha256="0" * 64, rule={}, features=[], data={},
                               libraries={}, report={}, active=True)  # fmt: skip
        db.session.add(version)
        db.session.flush()
    reasons = {
        "up": [{"key": k, "label": label, "effect": e, "value": None} for k, label, e in up],
        "down": [{"key": k, "label": label, "effect": e, "value": None} for k, label, e in down],
        "certainty": [],
    }
    db.session.add(
        CandidateScore(candidate_id=candidate_id, model_version_id=version.id, p_a=p_a, p_b=1 - p_a, p_c=0.0,
                       score=100 * p_a, predicted_tier=Tier(tier), certainty=Certainty.HIGH, reasons=reasons,
                       interviews=2)
    )  # fmt: skip
    db.session.commit()


@pytest.fixture
def world(app, client):
    """Managers, an admin and an interviewer; Ada (interviewed, scored, in an opening), Bo and Cy; two shortlists.

    The client is signed in as the manager Max, who owns the "Finalists" list. Returns ids and users.
    """
    with app.app_context():
        max_ = make_user(Role.MANAGER, name="Max Manager")
        olga = make_user(Role.MANAGER, name="Olga Other")
        admin = make_user(Role.ADMIN, name="Ada Admin")
        ivy = make_user(Role.INTERVIEWER, name="Ivy Interviewer")
        opening = make_opening(title="SMB AE")
        ada = make_candidate(name="Ada Byron", email="ada@example.org", phone="+1 415 555 0100", company="Acme",
                             status=PoolStatus.ENGAGED, owner_id=max_.id, tags=["saas"], last_touch_at=TOUCHED,
                             typical_deal_size=25000, quota_years=3.5)  # fmt: skip
        bo = make_candidate(name="Bo Chen", email="bo@example.org", tags=["saas", "fintech"], owner_id=olga.id)
        cy = make_candidate(name="Cy Diaz", email="cy@example.org", status=PoolStatus.PROSPECT)
        db.session.add(Application(candidate_id=ada.id, opening_id=opening.id, stage="screen"))
        db.session.commit()
        make_scorecard(ada.id, ivy.id, {"coachability": 4, "drive": 3}, recommendation="yes")
        make_scorecard(ada.id, admin.id, {"coachability": 5, "drive": 2}, recommendation="strong_yes")
        # A draft counts for nothing until it is submitted.
        make_scorecard(ada.id, olga.id, {"coachability": 1}, recommendation="strong_no", submitted=False)
        give_score(ada.id, "A", 0.72, up=[("coachability", "Coachability", 4.1)], down=[("drive", "Drive", -2.0)])
        finalists = Shortlist(name="Finalists", owner_id=max_.id)
        finalists.entries = [
            ShortlistEntry(candidate_id=cy.id, position=1, comment="Call first"),
            ShortlistEntry(candidate_id=ada.id, position=2, comment="=cmd|' /C calc'!A0"),
            ShortlistEntry(candidate_id=bo.id, position=3),
        ]
        shared = Shortlist(name="Olga's list", owner_id=olga.id, shared_with=[db.session.get(User, max_.id)])
        shared.entries = [ShortlistEntry(candidate_id=bo.id, position=1)]
        private = Shortlist(name="Olga's private list", owner_id=olga.id)
        db.session.add_all([finalists, shared, private])
        db.session.commit()
        traits = db.session.execute(db.select(Trait.key, Trait.name).where(Trait.retired.is_(False)).order_by(Trait.id))
        ids = {
            "max": max_, "olga": olga, "admin": admin, "ivy": ivy, "ada": ada.id, "bo": bo.id, "cy": cy.id,
            "finalists": finalists.id, "shared": shared.id, "private": private.id, "traits": dict(traits.all()),
        }  # fmt: skip
    sign_in_as(client, max_)
    return ids


def default_labels(world) -> list[str]:
    return [*RECORD_DEFAULTS, *world["traits"].values(), *FIT_DEFAULTS]


def default_keys(world) -> list[str]:
    keys = [c.key for c in BEFORE_TRAITS if c.default]
    return keys + [f"rating_{key}" for key in world["traits"]] + [c.key for c in AFTER_TRAITS if c.default]


def pool_file(client, fmt="csv", columns=None, **filters):
    query = urlencode([*filters.items(), ("format", fmt), *(("columns", key) for key in columns or [])])
    return client.get(f"/exports/pool/file?{query}")


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def read_xlsx(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def audits(app) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "export.created"))
        return [(e.target_type, e.target_id, e.actor_label, e.details) for e in entries]


# The chooser -------------------------------------------------------------------------------------


def test_the_pool_list_links_to_the_chooser_with_its_filters(client, world):
    page = client.get("/candidates/?tag=saas&sort=name").text
    assert 'href="/exports/pool?tag=saas&amp;sort=name">Export…</a>' in page
    assert "Export CSV" not in page


def test_the_chooser_ticks_the_defaults_and_carries_the_filters_unchanged(client, world):
    page = client.get("/exports/pool?tag=saas&sort=name&page=3").text
    assert "2 candidates" in page
    assert '<input type="hidden" name="tag" value="saas">' in page
    assert '<input type="hidden" name="sort" value="name">' in page and 'name="page"' not in page
    for key in default_keys(world):
        assert f'value="{key}" id="column-{key}"\n                 checked' in page, key
    for key in ("notes", "linkedin", "created", "tags"):
        assert f'value="{key}" id="column-{key}"\n                 >' in page, key
    assert "Position" not in page  # shortlist columns only on a shortlist's chooser
    assert 'href="/candidates/export.csv?tag=saas&amp;sort=name"' in page  # the import-format CSV


def test_the_shortlist_chooser_offers_position_and_comment(client, world):
    page = client.get(f"/exports/shortlists/{world['finalists']}").text
    assert "Export “Finalists”" in page and "3 candidates" in page
    assert 'id="column-position"' in page and 'id="column-comment"' in page
    assert f'action="/exports/shortlists/{world["finalists"]}/file"' in page


@pytest.mark.parametrize(
    "args, message",
    [
        ({"format": "csv"}, "Choose at least one column."),
        ({"format": "csv", "columns": "race_ethnicity"}, "&#39;race_ethnicity&#39; is not a valid choice"),
        ({"format": "pdf", "columns": "name"}, "Not a valid choice"),
    ],
)
def test_bad_choices_show_the_chooser_again_with_nothing_lost(client, world, args, message):
    response = client.get(f"/exports/pool/file?tag=saas&{urlencode(args)}")
    assert response.status_code == 400
    assert message in response.text
    assert '<input type="hidden" name="tag" value="saas">' in response.text
    assert audits(client.application) == []


def test_invalid_filters_send_back_to_the_list(client, world):
    response = client.get("/exports/pool?owner=12345")
    assert response.status_code == 302 and response.headers["Location"].startswith("/candidates/")


# Columns and values ------------------------------------------------------------------------------


def test_default_columns_in_csv(client, world):
    rows = read_csv(pool_file(client, "csv", default_keys(world), sort="name"))
    assert rows[0] == default_labels(world)
    names = [row[0] for row in rows[1:]]
    assert names == ["Ada Byron", "Bo Chen", "Cy Diaz"]
    ada = dict(zip(rows[0], rows[1], strict=True))
    traits = world["traits"]
    assert ada["E-mail"] == "ada@example.org" and ada["Phone"] == "'+1 415 555 0100"
    assert ada["Status"] == "Engaged" and ada["Openings (stage)"] == "SMB AE (screen)"
    assert ada[traits["coachability"]] == "4.5" and ada[traits["drive"]] == "2.5"  # submitted cards only
    assert ada[traits["resilience"]] == ""
    assert ada["Recommendations"] == "Strong yes 1; Yes 1"
    assert (ada["Predicted tier"], ada["P(A) %"], ada["Certainty"]) == ("A", "72", "High")
    assert ada["Top reasons"] == "Coachability +4.1; Drive -2.0"
    assert ada["Owner"] == "Max Manager" and ada["Last touch"] == "2025-03-14"
    cy = dict(zip(rows[0], rows[3], strict=True))
    assert cy["Predicted tier"] == cy["Recommendations"] == cy["Owner"] == cy["Openings (stage)"] == ""


def test_chosen_columns_come_in_the_registry_order(client, world):
    rows = read_csv(pool_file(client, "csv", ["tags", "name", "quota_years", "deal_size"], sort="name"))
    assert rows[0] == ["Name", "Typical deal size", "Years carrying quota", "Tags"]
    assert rows[1] == ["Ada Byron", "25000", "3.5", "saas"]
    assert rows[2] == ["Bo Chen", "", "", "fintech; saas"]


def test_no_column_holds_self_identification(app, client, world):
    with app.app_context():
        db.session.add(SelfIdentification(candidate_id=world["ada"], **DISTINCTIVE))
        db.session.commit()
    everything = [c.key for c in [*BEFORE_TRAITS, *AFTER_TRAITS]] + [f"rating_{key}" for key in world["traits"]]
    assert not {"sex", "race_ethnicity", "veteran", "disability"} & set(everything)
    for fmt in ("csv", "print"):
        body = pool_file(client, fmt, everything).get_data(as_text=True)
        assert "Ada Byron" in body
        assert not [label for label in LABELS if label in body]
    sheet = read_xlsx(pool_file(client, "xlsx", everything).data)
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row}
    assert "Ada Byron" in cells and not [label for label in LABELS if label in cells]
    for key in ("sex", "race_ethnicity"):
        assert pool_file(client, "csv", [key]).status_code == 400


# Formula injection -------------------------------------------------------------------------------


@pytest.mark.parametrize("first", DANGEROUS)
def test_formula_cells_are_neutralised_in_csv(app, client, world, first):
    with app.app_context():
        make_candidate(name=f"{first}SUM(1+1)*cmd", company=f'{first}HYPERLINK("http://evil")', title=f"{first}x")
    rows = read_csv(pool_file(client, "csv", ["name", "company", "title"], sort="-created"))
    assert rows[1] == [f"'{first}SUM(1+1)*cmd", f'\'{first}HYPERLINK("http://evil")', f"'{first}x"]
    assert rows[2][0] != "'" and not rows[2][0].startswith("'")  # others untouched


@pytest.mark.parametrize("first", DANGEROUS)
def test_formula_cells_are_neutralised_and_stored_as_text_in_xlsx(app, client, world, first):
    with app.app_context():
        make_candidate(name=f"{first}SUM(1+1)*cmd", notes=f"{first}2+3", typical_deal_size=-5)
    response = pool_file(client, "xlsx", ["name", "deal_size", "notes", "last_touch"], sort="-created")
    assert response.headers["Content-Type"] == exports.XLSX_MIMETYPE
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = read_xlsx(response.data)
    name, _, deal_size, notes = sheet[2]  # in the registry's order: name, last touch, deal size, notes
    # openpyxl with lxml (pinned) escapes a carriage return, so every character reads back as written.
    assert name.value == f"'{first}SUM(1+1)*cmd" and name.data_type == "s"
    assert deal_size.value == -5 and deal_size.data_type == "n"  # a number stays a number
    assert notes.value == f"'{first}2+3" and notes.data_type == "s"
    assert not [cell for line in sheet.iter_rows() for cell in line if cell.data_type == "f"]


def test_xlsx_layout_types_and_awkward_text(app, client, world):
    with app.app_context():
        make_candidate(name="#N/A", notes="bell\x07 and\x0bvertical tab")
    sheet = read_xlsx(pool_file(client, "xlsx", default_keys(world) + ["notes"], sort="name").data)
    header = [cell.value for cell in sheet[1]]
    assert header == [*default_labels(world), "Notes"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.column_dimensions["A"].width == 24
    first = {label: cell for label, cell in zip(header, sheet[2], strict=True)}
    assert first["Name"].value == "#N/A" and first["Name"].data_type == "s"  # text, not an error value
    assert first["Notes"].value == "bell and" + "vertical tab"  # characters XLSX forbids are dropped
    ada = {label: cell.value for label, cell in zip(header, sheet[3], strict=True)}
    assert ada["P(A) %"] == 72 and ada[world["traits"]["coachability"]] == 4.5
    assert ada["Last touch"].date() == date(2025, 3, 14)  # a date cell, not text


# Order -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"sort": "name"}, ["Ada Byron", "Bo Chen", "Cy Diaz"]),
        ({"sort": "-name"}, ["Cy Diaz", "Bo Chen", "Ada Byron"]),
        ({"tag": "saas", "sort": "-name"}, ["Bo Chen", "Ada Byron"]),
        ({"status": "prospect", "sort": "name"}, ["Bo Chen", "Cy Diaz"]),
        ({"fit": "A"}, ["Ada Byron"]),
        ({"q": "chen"}, ["Bo Chen"]),
    ],
)
def test_a_pool_export_holds_the_lists_candidates_in_its_order(client, world, filters, expected):
    rows = read_csv(pool_file(client, "csv", ["name"], **filters))
    assert [row[0] for row in rows[1:]] == expected
    page = client.get(f"/candidates/?{urlencode(filters)}").text
    assert [page.index(name) for name in expected] == sorted(page.index(name) for name in expected)


def test_a_pool_export_follows_the_sort_by_predicted_fit(app, client, world):
    with app.app_context():
        give_score(world["bo"], "B", 0.9)
    rows = read_csv(pool_file(client, "csv", ["name", "p_a"], sort="-p_a"))
    assert rows[1:] == [["Bo Chen", "90"], ["Ada Byron", "72"], ["Cy Diaz", ""]]


def test_a_shortlist_export_follows_the_shortlists_order(client, world):
    url = f"/exports/shortlists/{world['finalists']}/file?format=csv&columns=position&columns=name&columns=comment"
    response = client.get(url)
    assert response.status_code == 200
    assert 'filename="shortlist-finalists-' in response.headers["Content-Disposition"]
    assert read_csv(response) == [
        ["Position", "Comment", "Name"],
        ["1", "Call first", "Cy Diaz"],
        ["2", "'=cmd|' /C calc'!A0", "Ada Byron"],
        ["3", "", "Bo Chen"],
    ]
    sheet = read_xlsx(client.get(url.replace("format=csv", "format=xlsx")).data)
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        [1, "Call first", "Cy Diaz"],
        [2, "'=cmd|' /C calc'!A0", "Ada Byron"],
        [3, None, "Bo Chen"],
    ]
    assert sheet.title == "Finalists"


# The printable page ------------------------------------------------------------------------------


def test_the_printable_page_prints_cleanly_and_escapes_everything(app, client, world):
    with app.app_context():
        make_candidate(name="<script>alert(1)</script>", status=PoolStatus.PROSPECT)
    response = pool_file(client, "print", default_keys(world), status="prospect", sort="name")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "@page { size: A4 landscape" in page and "thead { display: table-header-group; }" in page
    assert "break-inside: avoid" in page and "navbar" not in page
    assert "3 candidates" in page and "status: prospect, sort: name" in page
    assert page.index("Bo Chen") < page.index("Cy Diaz")
    assert "Advice" not in page and "advice from Bench's fit model" in page
    shortlist = client.get(f"/exports/shortlists/{world['finalists']}/file?format=print&columns=name&columns=comment")
    assert "Shortlist: Finalists" in shortlist.text and "Call first" in shortlist.text
    assert "fit model" not in shortlist.text  # no fit column, no note about it


def test_a_printable_page_too_long_to_read_is_refused(client, world, monkeypatch):
    monkeypatch.setattr(exports, "PRINT_MAX_ROWS", 2)
    response = pool_file(client, "print", ["name"])
    assert response.status_code == 400 and "holds at most 2 candidates" in response.text
    assert pool_file(client, "csv", ["name"]).status_code == 200


# Access and audit --------------------------------------------------------------------------------


def test_interviewers_cannot_export(client, world):
    sign_in_as(client, world["ivy"])
    finalists = f"/exports/shortlists/{world['finalists']}"
    for url in ("/exports/pool", "/exports/pool/file?format=csv&columns=name", finalists, f"{finalists}/file"):
        assert client.get(url).status_code == 403, url
    assert audits(client.application) == []


@pytest.mark.parametrize(
    "user, shortlist, status",
    [
        ("max", "finalists", 200),  # owner
        ("max", "shared", 200),  # shared with him
        ("max", "private", 404),  # not shared: not there for him
        ("olga", "finalists", 404),
        ("admin", "private", 200),
        ("admin", "finalists", 200),
    ],
)
def test_only_those_who_see_a_shortlist_export_it(client, world, user, shortlist, status):
    sign_in_as(client, world[user])
    assert client.get(f"/exports/shortlists/{world[shortlist]}").status_code == status
    response = client.get(f"/exports/shortlists/{world[shortlist]}/file?format=csv&columns=name")
    assert response.status_code == status
    assert len(audits(client.application)) == (1 if status == 200 else 0)


def test_every_export_is_audited_without_personal_data(app, client, world):
    pool_file(client, "csv", ["name", "email"], tag="saas", q="Ada").close()
    pool_file(client, "xlsx", ["name"]).close()
    client.get(f"/exports/shortlists/{world['finalists']}/file?format=print&columns=name&columns=comment").close()
    entries = audits(app)
    assert entries == [
        (None, None, world["max"].email,
         {"source": "pool", "format": "csv", "rows": 1, "columns": ["name", "email"], "filters": ["q", "sort", "tag"]}),
        (None, None, world["max"].email,
         {"source": "pool", "format": "xlsx", "rows": 3, "columns": ["name"], "filters": ["sort"]}),
        ("Shortlist", str(world["finalists"]), world["max"].email,
         {"source": "shortlist", "format": "print", "rows": 3, "columns": ["comment", "name"]}),
    ]  # fmt: skip
    assert "Ada" not in str(entries[0][3])


def count_queries(app, client, url) -> int:
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*args):
        statements.append(args[2])

    db.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
        assert response.status_code == 200
        response.get_data()  # run the streamed body
    finally:
        db.event.remove(engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "print"])
def test_exports_run_a_bounded_number_of_queries(app, client, world, fmt):
    url = f"/exports/pool/file?format={fmt}&" + urlencode([("columns", key) for key in default_keys(world) + ["tags"]])
    before = count_queries(app, client, url)
    with app.app_context():
        for number in range(15):
            extra = make_candidate(name=f"Extra {number}", tags=["saas", f"t{number}"], owner_id=world["olga"].id)
            make_scorecard(extra.id, world["ivy"].id, {"drive": 3})
    assert count_queries(app, client, url) == before


# The command line --------------------------------------------------------------------------------


def test_cli_exports_a_shortlist_as_csv_to_stdout(app, runner, world):
    result = runner.invoke(args=["export", "shortlist", "Finalists", "--columns", "position,name,comment"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    assert rows == [["Position", "Comment", "Name"], ["1", "Call first", "Cy Diaz"],
                    ["2", "'=cmd|' /C calc'!A0", "Ada Byron"], ["3", "", "Bo Chen"]]  # fmt: skip
    assert audits(app) == [
        ("Shortlist", str(world["finalists"]), "command line",
         {"source": "shortlist", "format": "csv", "rows": 3, "columns": ["position", "comment", "name"]})
    ]  # fmt: skip


def test_cli_default_columns(runner, world):
    result = runner.invoke(args=["export", "shortlist", "Finalists", "--format", "csv"])
    assert result.exit_code == 0, result.output
    header = next(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    assert header == ["Position", "Comment", *default_labels(world)]  # a shortlist's order and comments first


def test_cli_exports_xlsx_to_a_file_and_to_a_pipe(app, runner, world, tmp_path):
    target = tmp_path / "finalists.xlsx"
    result = runner.invoke(args=["export", "shortlist", "Finalists", "--format", "xlsx", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "Exported 3 candidates" in result.stderr
    sheet = read_xlsx(target.read_bytes())
    assert [(row[0].value, row[2].value) for row in sheet.iter_rows(min_row=2)] == [
        (1, "Cy Diaz"),
        (2, "Ada Byron"),
        (3, "Bo Chen"),
    ]
    piped = runner.invoke(args=["export", "shortlist", "Finalists", "--format", "xlsx", "--columns", "name"])
    assert piped.exit_code == 0
    assert [row[0].value for row in read_xlsx(piped.stdout_bytes).iter_rows()] == ["Name", "Cy Diaz", "Ada Byron",
                                                                                   "Bo Chen"]  # fmt: skip
    assert [entry[3]["format"] for entry in audits(app)] == ["xlsx", "xlsx"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["Nobody's list"], "There is no shortlist named “Nobody's list”."),
        (["Finalists", "--columns", "name,sex"], "unknown column sex."),
        (["Finalists", "--columns", " , "], "name at least one column"),
        (["Finalists", "--format", "pdf"], "'pdf' is not one of 'csv', 'xlsx'"),
    ],
)
def test_cli_errors_are_clear(app, runner, world, args, message):
    result = runner.invoke(args=["export", "shortlist", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert audits(app) == []


def test_registry_offers_shortlist_columns_only_for_shortlists():
    assert [column.key for column in SHORTLIST_COLUMNS] == ["position", "comment"]
    assert all(column.default for column in SHORTLIST_COLUMNS)  # ticked by default on a shortlist's export
