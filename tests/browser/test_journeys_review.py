"""Manager review and oversight journeys: history, the fit model, compare, shortlists, exports, audit, erasure.

Interview, hire and results history comes from another system. Candidates are imported on
*Candidates → Import*; scorecards, hires and monthly results are imported only from the command
line (``flask --app hiring import scorecards|hires|outcomes``), so the test writes that history
with ``tests.fit_history.make_history``, as such an import would leave it.
"""

import csv
import re

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from hiring.training import train_version
from models import Candidate, Role, SelfIdentification, Sex, db
from tests.browser.helpers import axe_violations, open_dropdown, sign_in
from tests.factories import make_user
from tests.fit_history import make_history

# Training runs in a background thread; its progress page updates itself every two seconds.
TRAINING_TIMEOUT = 30_000
NEW_PEOPLE = """external_id,first_name,last_name,email,company,title
ATS-101,Quinn,Newcomer,quinn.newcomer@example.net,Acme Software,Account Executive
ATS-102,Riley,Fresh,riley.fresh@example.net,Globex,SDR
"""


def menu(page: Page, name: str):
    """An entry of the main navigation."""
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def open_pool_by_fit(page: Page) -> None:
    """Open the pool list from the menu and sort it by predicted fit, best first."""
    menu(page, "Candidates").click()
    page.get_by_label("Sort").select_option(label="Predicted fit ↓")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"[?&]sort=-fit"))


def pool_rows(page: Page):
    """The rows of the pool list's table."""
    return page.get_by_role("table").first.locator("tbody tr")


def assert_shortlist_export(table: list[list], names: list[str]) -> None:
    """The header has the default columns, and the rows are the shortlist's candidates in its order."""
    header = table[0]
    for column in ("Position", "Name", "E-mail", "Status", "Coachability", "Predicted tier", "P(A) %", "Top reasons"):
        assert column in header, header
    # A workbook read back leaves out a row's empty cells at its end.
    rows = [dict(zip(header, row, strict=False)) for row in table[1:]]
    assert [row["Name"] for row in rows] == names
    assert [str(row["Position"]) for row in rows] == ["1", "2", "3"]
    assert all(row["Predicted tier"] in ("A", "B", "C") for row in rows)


def test_a_manager_imports_history_trains_the_model_and_exports_a_shortlist(live_app, page, tmp_path):
    with live_app.app_context():
        make_user(Role.MANAGER, email="mia@example.com", name="Mia Manager")
        make_history(reps=60, pool=6)
    people = tmp_path / "people.csv"
    people.write_text(NEW_PEOPLE, encoding="utf-8")
    sign_in(page, "mia@example.com")

    # Candidates from the old system, through the upload page: check first, then import.
    menu(page, "Candidates").click()
    page.get_by_role("link", name="Import").click()
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(people)
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("The file is ready to import: 2 to create")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported: 2 created, 0 updated")).to_be_visible()
    page.get_by_role("link", name="See the candidates").click()
    expect(page.get_by_role("link", name="Quinn Newcomer")).to_be_visible()

    # Train the first model version in the background and follow its progress.
    menu(page, "Model").click()
    expect(page.get_by_role("heading", name="No model yet")).to_be_visible()
    page.get_by_role("button", name="Train a new version").click()
    expect(page.get_by_role("heading", name="Training a new model version")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Training progress")).to_be_visible()
    # The page keeps itself current without a timed reload, which axe counts as critical.
    assert axe_violations(page) == []
    see_version = page.get_by_role("link", name="See model version 1")
    expect(see_version).to_be_visible(timeout=TRAINING_TIMEOUT)
    expect(page.get_by_role("status")).to_contain_text("Model version 1 trained and active.")
    see_version.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Fit model · version 1\s+active"))
    expect(page.get_by_role("heading", name="How good is it?")).to_be_visible()
    expect(page.get_by_role("table", name="The model against two simple baselines")).to_be_visible()
    expect(page.get_by_role("cell", name="Coachability").first).to_be_visible()

    # The ranking: the pool sorted by fit puts the six interviewed prospects first, best first.
    open_pool_by_fit(page)
    rows = pool_rows(page)
    fits = [re.search(r"fit (\d+)", rows.nth(n).inner_text()) for n in range(6)]
    assert all(fits), [rows.nth(n).inner_text() for n in range(6)]
    scores = [int(match.group(1)) for match in fits]
    assert scores == sorted(scores, reverse=True)
    names = [rows.nth(n).get_by_role("link").inner_text() for n in range(6)]
    assert sorted(names) == [f"Prospect {n}" for n in range(6)]
    expect(rows.filter(has_text="Quinn Newcomer")).to_contain_text("not scored")

    # The best-ranked candidate's page gives the fit with its reasons, and says a person decides.
    rows.first.get_by_role("link", name=names[0]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(names[0])
    fit_panel = page.get_by_role("region", name="Predicted fit")
    expect(fit_panel).to_contain_text(f"Expected fit {scores[0]} of 100")
    expect(fit_panel.get_by_role("heading", name="Pushes fit up")).to_be_visible()
    expect(fit_panel.get_by_role("listitem").filter(has_text=re.compile(r"[▲▼] .+: "))).not_to_have_count(0)
    expect(fit_panel.get_by_role("note")).to_contain_text("Advice, not a decision.")

    # Compare the top three side by side.
    open_pool_by_fit(page)
    for name in names[:3]:
        page.get_by_role("checkbox", name=f"Select {name}").check()
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare 3 candidates")
    for name in names[:3]:
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Trait ratings")).to_be_visible()

    # A shortlist, filled from the pool list with the top three in fit order.
    menu(page, "Shortlists").click()
    page.get_by_role("link", name="New shortlist").click()
    page.get_by_label("Name").fill("Q3 AE finalists")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Created the shortlist “Q3 AE finalists”.")).to_be_visible()
    open_pool_by_fit(page)
    for name in names[:3]:
        page.get_by_role("checkbox", name=f"Select {name}").check()
    page.get_by_label("Shortlist", exact=True).select_option(label="Q3 AE finalists")
    page.get_by_role("button", name="Add to shortlist").click()
    expect(page.get_by_text("Added 3 candidates to “Q3 AE finalists”.")).to_be_visible()
    menu(page, "Shortlists").click()
    page.get_by_role("link", name="Q3 AE finalists").click()
    entries = page.get_by_role("table").locator("tbody tr")
    expect(entries).to_have_count(3)
    for number, name in enumerate(names[:3]):
        expect(entries.nth(number)).to_contain_text(name)

    # Export it as CSV, then as Excel, and read what was downloaded.
    page.get_by_role("link", name="Export…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export “Q3 AE finalists”")
    expect(page.get_by_label("CSV — opens in any spreadsheet")).to_be_checked()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export", exact=True).click()
    assert download.value.suggested_filename.endswith(".csv")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    with saved.open(encoding="utf-8-sig", newline="") as file:
        table = list(csv.reader(file))
    assert_shortlist_export(table, names[:3])

    page.get_by_label("Excel workbook (XLSX)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export", exact=True).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet = load_workbook(saved, read_only=True).active
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert_shortlist_export(table, names[:3])


def test_an_admin_audits_the_model_reads_its_card_and_erases_a_candidate(live_app, page):
    with live_app.app_context():
        make_user(Role.ADMIN, email="ada@example.com", name="Ada Admin")
        history = make_history(reps=60, pool=6)
        train_version(None)
        # Self-identification given by the prospects (after training: it never touches the model).
        for number, candidate_id in enumerate(history["pool"]):
            db.session.add(SelfIdentification(candidate_id=candidate_id, sex=[Sex.FEMALE, Sex.MALE][number % 2]))
        db.session.commit()
        erased = db.session.get(Candidate, history["pool"][0]).name
    sign_in(page, "ada@example.com")

    # The adverse-impact audit of the active model, from the Admin menu.
    open_dropdown(page, page.get_by_role("navigation", name="Main").get_by_role("button", name="Admin", exact=True))
    page.get_by_role("link", name="Fairness audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adverse-impact audit")
    page.get_by_role("button", name="Run the audit").click()
    expect(page.get_by_text(re.compile(r"^The model’s ranking: .*four-fifths rule"))).to_be_visible()
    by_sex = page.get_by_role("table", name="Sex: 6 with known demographics").first
    expect(by_sex.get_by_role("rowheader", name=re.compile(r"^Female"))).to_be_visible()
    expect(by_sex.get_by_role("rowheader", name=re.compile(r"^Male"))).to_be_visible()

    # The model card, from the Model page.
    menu(page, "Model").click()
    page.get_by_role("link", name="Read the model card").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Model card · version 1")
    for section in ("Intended use", "Out-of-scope use", "Model"):
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()

    # Erase a candidate from their page; search no longer finds them.
    menu(page, "Candidates").click()
    page.get_by_label("Search").fill(erased)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Showing 1–1 of 1 candidates.")).to_be_visible()
    page.get_by_role("link", name=erased, exact=True).click()
    open_dropdown(page, page.get_by_role("button", name="More", exact=True))
    page.get_by_role("link", name="Erase…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Erase {erased}")
    page.get_by_label("Type ERASE to confirm").fill("ERASE")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_text("Erased: Bench holds nothing more on that person.")).to_be_visible()
    page.get_by_label("Search").fill(erased)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No candidates match.")).to_be_visible()
    expect(page.get_by_role("link", name=erased, exact=True)).to_have_count(0)
    # The other prospects are still found.
    page.get_by_label("Search").fill("Prospect")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Showing 1–5 of 5 candidates.")).to_be_visible()
    expect(page.get_by_role("link", name=erased, exact=True)).to_have_count(0)
