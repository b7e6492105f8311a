"""Journeys of an admin setting Bench up and of managers keeping the talent pool, in a real browser."""

import re
from datetime import date

from playwright.sync_api import Page, expect

from models import Role
from tests.browser.helpers import open_dropdown, sign_in
from tests.factories import make_candidate, make_user

NEW_PASSWORD = "violet kettle harbour lamp"


def open_menu(page: Page, menu: str, entry: str) -> None:
    """Open a dropdown of the main navigation and follow one of its entries."""
    navigation = page.get_by_role("navigation", name="Main")
    open_dropdown(page, navigation.get_by_role("button", name=menu, exact=True))
    navigation.get_by_role("link", name=entry, exact=True).click()


def invite(page: Page, email: str, name: str, role: str) -> str:
    """Invite a user from Users → Invite a user; return the sign-in link Bench shows."""
    page.get_by_role("link", name="Invite a user").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Role").select_option(label=role)
    page.get_by_role("button", name="Create and get link").click()
    expect(page.get_by_role("status").filter(has_text=f"{name} is invited")).to_be_visible()
    link = page.get_by_label("Sign-in link").input_value()
    page.get_by_role("link", name="Users", exact=True).click()  # the breadcrumb
    return link


def test_admin_invites_a_manager_and_two_interviewers_and_edits_a_scorecard(live_app, new_context):
    with live_app.app_context():
        make_user(Role.ADMIN, email="ada@example.com", name="Ada Admin")
    admin = new_context().new_page()
    sign_in(admin, "ada@example.com")

    open_menu(admin, "Admin", "Users")
    expect(admin.get_by_role("heading", name="Users")).to_be_visible()
    team = [
        ("mona@example.com", "Mona Manager", "Manager"),
        ("ivan@example.com", "Ivan Interviewer", "Interviewer"),
        ("iris@example.com", "Iris Interviewer", "Interviewer"),
    ]
    links = {email: invite(admin, email, name, role) for email, name, role in team}
    for _, name, _ in team:
        row = admin.get_by_role("row").filter(has=admin.get_by_role("link", name=name))
        expect(row).to_contain_text("Invited")

    # Each colleague opens their link in their own browser, chooses a password and is signed in.
    for email, name, role in team:
        colleague = new_context().new_page()
        colleague.goto(links[email])
        expect(colleague.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()
        colleague.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        colleague.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
        colleague.get_by_role("button", name="Set password and sign in").click()
        expect(colleague.get_by_text(f"Welcome to Bench, {name}. Your password is set.")).to_be_visible()
        expect(colleague.get_by_role("navigation", name="Main")).to_contain_text(role)
        # The link worked once; from now on the password signs them in.
        open_dropdown(colleague, colleague.get_by_role("navigation", name="Main").get_by_role("button", name=name))
        colleague.get_by_role("button", name="Sign out").click()
        sign_in(colleague, email, NEW_PASSWORD)
        colleague.goto(links[email])
        expect(colleague.get_by_role("heading", name="This link no longer works")).to_be_visible()

    admin.reload()
    for _, name, role in team:
        row = admin.get_by_role("row").filter(has=admin.get_by_role("link", name=name))
        expect(row).to_contain_text(role)
        expect(row).to_contain_text("Active")

    # Scorecards: rename the template and add a free-text prompt.
    open_menu(admin, "Admin", "Scorecards")
    admin.get_by_role("link", name="Sales rep interview").click()
    admin.get_by_label("Name").fill("Sales rep interview (2025)")
    prompts = admin.get_by_label("Free-text prompts")
    prompts.fill(prompts.input_value() + "\nWhat would make them leave their current job?")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("status").filter(has_text="Saved Sales rep interview (2025)")).to_be_visible()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Sales rep interview (2025)")
    expect(admin.get_by_label("Free-text prompts")).to_have_value(re.compile("What would make them leave"))
    admin.get_by_role("link", name="Scorecard templates").click()
    expect(admin.get_by_role("link", name="Sales rep interview (2025)")).to_be_visible()


def test_manager_adds_a_candidate_keeps_them_warm_and_finds_them_going_cold(live_app, page):
    with live_app.app_context():
        make_user(Role.MANAGER, email="mia@example.com", name="Mia Manager")
        make_candidate(name="Other Person", company="Elsewhere Ltd")
    sign_in(page, "mia@example.com")
    navigation = page.get_by_role("navigation", name="Main")

    navigation.get_by_role("link", name="Candidates", exact=True).click()
    page.get_by_role("link", name="Add a candidate").click()
    page.get_by_label("Name", exact=True).fill("Quinn Quillfeather")
    page.get_by_label("E-mail", exact=True).fill("quinn@zephyr.example")
    page.get_by_label("Current company").fill("Zephyrware")
    page.get_by_label("Current title").fill("Account Executive")
    page.get_by_role("button", name="Add to the pool").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quinn Quillfeather")
    expect(page.get_by_role("region", name="Openings")).to_contain_text("Not considered for any opening")

    # Keep warm: log a call, then set the next touch (today, so it is due).
    keep_warm = page.get_by_role("region", name="Keep warm")
    keep_warm.get_by_label("What happened").fill("Intro call: happy where she is until Q3.")
    keep_warm.get_by_role("button", name="Log call").click()
    expect(page.get_by_role("status").filter(has_text="Call logged.")).to_be_visible()
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Intro call: happy where she is until Q3.")
    today = date.today().isoformat()
    keep_warm.get_by_label("Next touch", exact=True).fill(today)
    keep_warm.get_by_role("button", name="Set next touch only").click()
    expect(page.get_by_role("status").filter(has_text="Next touch saved.")).to_be_visible()
    expect(keep_warm).to_contain_text(f"Next touch: {today}")

    navigation.get_by_role("link", name="Candidates", exact=True).click()
    page.get_by_role("search").get_by_label("Search").fill("zephyr")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("table")
    expect(results.get_by_role("link", name="Quinn Quillfeather")).to_be_visible()
    expect(results.get_by_role("link", name="Other Person")).to_have_count(0)

    navigation.get_by_role("link", name="Going cold").click()
    expect(page.get_by_role("table").get_by_role("link", name="Quinn Quillfeather")).to_be_visible()
    expect(page.get_by_role("table").get_by_role("link", name="Other Person")).to_have_count(0)


def test_second_editor_of_a_candidate_gets_the_conflict_message_and_keeps_their_input(live_app, new_context):
    with live_app.app_context():
        make_user(Role.MANAGER, email="mia@example.com", name="Mia Manager")
        make_user(Role.MANAGER, email="max@example.com", name="Max Manager")
        make_candidate(name="Robin Ridge", company="Northwind", title="SDR")
    editors = []
    for email in ("mia@example.com", "max@example.com"):
        editor = new_context().new_page()
        sign_in(editor, email)
        editor.get_by_role("navigation", name="Main").get_by_role("link", name="Candidates", exact=True).click()
        editor.get_by_role("link", name="Robin Ridge").click()
        editor.get_by_role("link", name="Edit record").click()
        expect(editor.get_by_role("heading", name="Edit Robin Ridge")).to_be_visible()
        editors.append(editor)
    first, second = editors

    first.get_by_label("Current title").fill("Account Executive")
    first.get_by_role("button", name="Save").click()
    expect(first.get_by_role("status").filter(has_text="Saved Robin Ridge.")).to_be_visible()

    second.get_by_label("Current title").fill("Senior SDR")
    second.get_by_label("Notes").fill("Asked for a bigger territory.")
    second.get_by_role("button", name="Save").click()
    expect(second.get_by_role("alert").filter(has_text="Someone else saved this record")).to_be_visible()
    expect(second.get_by_label("Current title")).to_have_value("Senior SDR")
    expect(second.get_by_label("Notes")).to_have_value("Asked for a bigger territory.")
    expect(second.get_by_text("Saved now: Robin Ridge")).to_contain_text("Account Executive")

    # Saving again, knowingly, replaces the first editor's version.
    second.get_by_role("button", name="Save").click()
    expect(second.get_by_role("status").filter(has_text="Saved Robin Ridge.")).to_be_visible()
    expect(second.get_by_role("main")).to_contain_text("Senior SDR")
