"""Hiring journeys in the browser: a manager opens a role and plans interviews; interviewers score independently."""

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Locator, Page, expect

from models import InterviewKind, Role
from tests.browser.helpers import sign_in
from tests.factories import make_candidate, make_interview, make_user

OPENING = "Enterprise AE, Nordics"


def nav_link(page: Page, name: str) -> Locator:
    """A link of the main navigation bar."""
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def stage_column(page: Page, stage: str) -> Locator:
    """One stage's column on an opening's board (its heading is the stage name and a count)."""
    return page.get_by_role("region", name=re.compile(rf"^{stage} \d+$"))


def move_on_board(page: Page, name: str, stage: str, reason: str = "") -> None:
    """Move a candidate's card to a stage with the card's own form."""
    page.get_by_label(f"Move {name} to").select_option(label=stage.capitalize())
    if reason:
        page.get_by_label(f"Reason for moving {name}").fill(reason)
    page.get_by_role("article").filter(has_text=name).get_by_role("button", name="Move", exact=True).click()


def test_a_manager_opens_a_role_fills_its_board_and_plans_interviews(live_app, new_context):
    with live_app.app_context():
        make_user(Role.MANAGER, email="mia@example.com", name="Mia Manager")
        make_user(Role.INTERVIEWER, email="ivy@example.com", name="Ivy Interviewer")
        make_user(Role.INTERVIEWER, email="ian@example.com", name="Ian Interviewer")
        for name in ("Ada Closer", "Ben Hunter", "Cy Elsewhere"):
            make_candidate(name=name)
    page = new_context().new_page()
    sign_in(page, "mia@example.com")

    # Open the role.
    nav_link(page, "Openings").click()
    page.get_by_role("link", name="Open a role").click()
    page.get_by_label("Title").fill(OPENING)
    page.get_by_label("Territory").fill("Nordics")
    page.get_by_label("Status").select_option(label="Open")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text(f"Created the opening {OPENING}.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(OPENING)
    expect(page.get_by_text("0 candidates")).to_be_visible()

    # Add two pool candidates to it from the pool list.
    page.get_by_role("link", name="Add from the pool").click()
    expect(page.get_by_role("heading", name="Candidates", level=1)).to_be_visible()
    page.get_by_label("Select Ada Closer").check()
    page.get_by_label("Select Ben Hunter").check()
    bulk = page.get_by_role("group", name="With the selected candidates")
    bulk.get_by_label("Action").select_option(label="Add to opening")
    bulk.get_by_label("Opening").select_option(label=OPENING)
    bulk.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Done: 2 of 2 selected candidates changed.")).to_be_visible()

    # Both start at the first stage of the board; the third candidate stays only in the pool.
    nav_link(page, "Openings").click()
    page.get_by_role("link", name=OPENING).click()
    expect(page.get_by_text("2 candidates")).to_be_visible()
    sourced = stage_column(page, "sourced")
    expect(sourced.get_by_role("link", name="Ada Closer")).to_be_visible()
    expect(sourced.get_by_role("link", name="Ben Hunter")).to_be_visible()
    expect(page.get_by_role("link", name="Cy Elsewhere")).to_have_count(0)

    # Move them along the board.
    move_on_board(page, "Ada Closer", "screen")
    expect(page.get_by_text("Moved Ada Closer to screen.")).to_be_visible()
    move_on_board(page, "Ada Closer", "interviews")
    expect(page.get_by_text("Moved Ada Closer to interviews.")).to_be_visible()
    expect(stage_column(page, "interviews").get_by_role("link", name="Ada Closer")).to_be_visible()
    expect(stage_column(page, "sourced").get_by_role("link", name="Ada Closer")).to_have_count(0)
    # Rejecting needs a reason: without one nothing moves, and the choice stays on the card.
    move_on_board(page, "Ben Hunter", "rejected")
    expect(page.get_by_text("Ben Hunter was not moved.")).to_be_visible()
    expect(page.get_by_label("Move Ben Hunter to")).to_have_value("rejected")
    expect(stage_column(page, "sourced").get_by_role("link", name="Ben Hunter")).to_be_visible()
    move_on_board(page, "Ben Hunter", "rejected", reason="No enterprise experience")
    expect(page.get_by_text("Moved Ben Hunter to rejected.")).to_be_visible()
    expect(stage_column(page, "rejected").get_by_role("link", name="Ben Hunter")).to_be_visible()

    # Plan an interview with two interviewers from the candidate's page.
    stage_column(page, "interviews").get_by_role("link", name="Ada Closer").click()
    expect(page.get_by_role("heading", name="Ada Closer", level=1)).to_be_visible()
    openings = page.get_by_role("region", name="Openings", exact=True)
    expect(openings.get_by_role("link", name=OPENING)).to_be_visible()
    expect(openings).to_contain_text("interviews")
    interviews = page.get_by_role("region", name="Interviews", exact=True)
    expect(interviews.get_by_text("No interviews planned.")).to_be_visible()
    interviews.get_by_text("Plan an interview").click()
    interviews.get_by_label("Type").select_option(label="Role-play / mock call")
    when = (datetime.now(UTC) + timedelta(days=3)).replace(hour=10, minute=0)
    interviews.get_by_label("When (UTC)").fill(when.strftime("%Y-%m-%dT%H:%M"))
    interviews.get_by_label("Interviewers").select_option(
        label=["Ivy Interviewer (interviewer)", "Ian Interviewer (interviewer)"]
    )
    interviews.get_by_label("For opening").select_option(label=OPENING)
    interviews.get_by_role("button", name="Plan interview").click()
    expect(page.get_by_text("Role-play / mock call planned with 2 interviewer(s).")).to_be_visible()
    interviews = page.get_by_role("region", name="Interviews", exact=True)
    expect(interviews).to_contain_text(f"Role-play / mock call · {when:%Y-%m-%d %H:%M} UTC")
    expect(interviews).to_contain_text("Ivy Interviewer: Draft")
    expect(interviews).to_contain_text("Ian Interviewer: Draft")

    # Each interviewer finds it under My interviews.
    ivy = new_context().new_page()
    sign_in(ivy, "ivy@example.com")
    nav_link(ivy, "My interviews").click()
    expect(ivy.get_by_role("link", name=re.compile("Ada Closer"))).to_contain_text("Role-play / mock call")


def tab_to(page: Page, target: Locator, limit: int = 60) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user would; fail if it is never reached."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def rate_with_keyboard(page: Page, trait: str, score: int, note: str) -> None:
    """Tab into a trait's ratings, arrow down to ``score`` (from "Not assessed"), Tab to its note and type it."""
    group = page.get_by_role("group", name=trait, exact=True)
    tab_to(page, group.get_by_role("radio", name="Not assessed"))
    for _ in range(score):
        page.keyboard.press("ArrowDown")
    expect(group.get_by_role("radio", name=re.compile(rf"^{score}\b"))).to_be_checked()
    page.keyboard.press("Tab")
    expect(group.get_by_label("Note")).to_be_focused()
    page.keyboard.type(note)


def fill_scorecard_with_keyboard(page: Page, ratings: dict[str, tuple[int, str]], take_away: str, choose) -> None:
    """Fill a scorecard and submit it with Tab, arrow keys, Space, typing and Enter only."""
    for trait, (score, note) in ratings.items():
        rate_with_keyboard(page, trait, score, note)
    tab_to(page, page.get_by_label("Key take-aways"))
    page.keyboard.type(take_away)
    recommendation = page.get_by_role("group", name="Overall recommendation")
    # No recommendation is chosen yet, so Tab lands on the first one.
    tab_to(page, recommendation.get_by_role("radio", name="Strong no"))
    choose(page)
    tab_to(page, page.get_by_role("button", name="Submit scorecard"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Scorecard submitted.")).to_be_visible()


def test_interviewers_score_with_the_keyboard_and_independently(live_app, new_context):
    with live_app.app_context():
        ivy = make_user(Role.INTERVIEWER, email="ivy@example.com", name="Ivy Interviewer")
        ian = make_user(Role.INTERVIEWER, email="ian@example.com", name="Ian Interviewer")
        ada = make_candidate(name="Ada Closer", company="Northwind", title="Account Executive")
        # A panel held an hour ago, with a draft scorecard for each interviewer.
        make_interview(ada.id, [ivy.id, ian.id], InterviewKind.PANEL, datetime.now(UTC) - timedelta(hours=1))
    ivy_notes = ("Ivy: crisp discovery questions", "Ivy: asked for feedback twice")
    ian_notes = ("Ian: rambled through the pitch", "Ian: argued with every suggestion")

    # The first interviewer opens her scorecard and fills it without the mouse.
    first = new_context().new_page()
    sign_in(first, "ivy@example.com")
    nav_link(first, "My interviews").click()
    first.get_by_role("link", name=re.compile("Ada Closer")).click()
    expect(first.get_by_role("heading", name=re.compile("Ada Closer"), level=1)).to_be_visible()

    def yes(page: Page) -> None:
        page.keyboard.press("ArrowRight")  # Strong no → No
        page.keyboard.press("ArrowRight")  # No → Yes
        expect(page.get_by_role("radio", name="Yes", exact=True)).to_be_checked()

    fill_scorecard_with_keyboard(
        first,
        {"Communication and listening": (4, ivy_notes[0]), "Coachability": (5, ivy_notes[1])},
        "Ivy's take-away: a natural closer",
        yes,
    )
    expect(first.get_by_role("heading", level=1)).to_contain_text("Submitted")

    # The second interviewer cannot see any of it before submitting, wherever they look.
    second = new_context().new_page()
    sign_in(second, "ian@example.com")
    seen_pages = []
    expect(second.get_by_role("heading", level=1)).to_contain_text("Hello, Ian Interviewer")
    seen_pages.append(second.content())
    nav_link(second, "My interviews").click()
    own_card = second.get_by_role("link", name=re.compile("Ada Closer"))
    expect(own_card).to_contain_text("Overdue: scorecard not submitted")  # the panel was an hour ago
    seen_pages.append(second.content())
    own_card.click()
    expect(second.get_by_text("become visible to you once you submit yours")).to_be_visible()
    expect(second.get_by_role("table")).to_have_count(0)  # no combined ratings table
    expect(second.get_by_role("heading", name=re.compile("All submitted scorecards"))).to_have_count(0)
    seen_pages.append(second.content())
    # The candidate's own page is the pool's, closed to interviewers.
    response = second.goto(f"/candidates/{ada.id}")
    assert response.status == 403
    seen_pages.append(second.content())
    for html in seen_pages:
        for secret in (*ivy_notes, "Ivy's take-away", "Ivy Interviewer"):
            assert secret not in html

    # They fill and submit their own scorecard, with the keyboard too.
    second.go_back()
    expect(second.get_by_role("heading", level=1)).to_contain_text("Ada Closer")

    def no(page: Page) -> None:
        page.keyboard.press("Space")  # choose Strong no
        page.keyboard.press("ArrowRight")  # Strong no → No
        expect(page.get_by_role("radio", name="No", exact=True)).to_be_checked()

    fill_scorecard_with_keyboard(
        second,
        {"Communication and listening": (2, ian_notes[0]), "Coachability": (2, ian_notes[1])},
        "Ian's take-away: not yet",
        no,
    )

    # Now both scorecards show side by side, with the first interviewer's ratings and notes.
    others = second.get_by_role("region", name="All submitted scorecards for Ada Closer")
    expect(others).to_be_visible()
    table = others.get_by_role("table")
    expect(table.get_by_role("columnheader", name=re.compile("Ivy Interviewer"))).to_be_visible()
    expect(table.get_by_role("columnheader", name=re.compile("Ian Interviewer"))).to_be_visible()
    communication = table.get_by_role("row", name=re.compile("^Communication"))
    expect(communication.get_by_role("cell")).to_have_text(
        [re.compile(rf"^4\s*{ivy_notes[0]}"), re.compile(rf"^2\s*{ian_notes[0]}"), "3", "2"]
    )
    coachability = table.get_by_role("row", name=re.compile("^Coachability"))
    expect(coachability).to_contain_text("Disagreement")
    expect(coachability.get_by_role("cell")).to_have_text(
        [re.compile(rf"^5\s*{ivy_notes[1]}"), re.compile(rf"^2\s*{ian_notes[1]}"), "3.5", "3"]
    )
    expect(others).to_contain_text("Ivy's take-away: a natural closer")
    expect(others).to_contain_text("Strong no 0 · No 1 · Yes 1 · Strong yes 0")
