"""Every form of the web app, filled with hostile values: nothing crashes, nothing is shown unescaped.

Each case names a form's URL, who sends it, a hypothesis strategy per field, and
the pages that show what it saved. A POST must answer 200 or 400 with the form
and its errors, or 302 after a save; every page showing the values must render
them as text: no markup of theirs, and no ``javascript:`` link.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models import Candidate, Hire, Opening, Scorecard, Shortlist, TierRule, Trait, User, db
from tests.hostile.payloads import (
    HTML_PAYLOADS,
    SQL_PAYLOADS,
    URL_PAYLOADS,
    assert_shown_safely,
    examples,
    hostile_choice,
    hostile_date,
    hostile_number,
    hostile_or,
    hostile_text,
)

ANSWERS = {200, 201, 302, 400}
PAST = date.today() - timedelta(days=30)


def version_of(model, key: str) -> Callable:
    """A function returning the current version of the world's record ``key``, for a versioned form."""

    def current(world) -> dict:
        with world.app.app_context():
            return {"version": str(db.session.get(model, world.ids[key]).version)}

    return current


@dataclass(frozen=True)
class Case:
    """A form: where it is sent, by whom, what each field gets, and which pages show the result."""

    url: str
    role: str
    fields: dict
    shown: tuple[str, ...] = ()
    fixed: Callable | None = None  # values read just before the POST, e.g. the record's version
    count: int = 8
    stored: tuple | None = field(default=None)  # (model, column, form field): a save keeps the value as sent


def candidate_fields() -> dict:
    """The candidate form's fields (add and edit)."""
    return {
        "name": hostile_text(), "email": hostile_or("x@example.org", HTML_PAYLOADS, SQL_PAYLOADS),
        "alt_email": st.just(""), "phone": hostile_text(), "location": hostile_text(),
        "linkedin_url": st.sampled_from([*URL_PAYLOADS, "https://www.linkedin.com/in/x", "//evil.example"]),
        "company": hostile_text(), "title": hostile_text(), "segment": hostile_choice("smb"),
        "typical_deal_size": hostile_number(25000), "sales_cycle_days": hostile_number(30),
        "quota_years": hostile_number("2.5"), "past_attainment_pct": hostile_number(110),
        "source": hostile_choice("referral"), "referrer": hostile_text(), "tags": hostile_text(),
        "notes": hostile_text(), "external_id": hostile_text(long=False), "next_touch_on": hostile_date(),
        "consent_on": hostile_date(PAST), "consent_method": hostile_choice("email"),
        "consent_expires_on": hostile_date(date.today() + timedelta(days=300)),
    }  # fmt: skip


CASES = {
    "sign in": Case("/sign-in", "anonymous", {"email": hostile_text(), "password": hostile_text()}, count=6),
    "change password": Case(
        "/account/password",
        "manager",
        {"current_password": hostile_text(), "password": hostile_text(), "confirm": hostile_text()},
        count=5,
    ),
    "accept invitation": Case(
        "/invitation/{invitation}", "anonymous", {"password": hostile_text(), "confirm": hostile_text()}, count=5
    ),
    "new API token": Case(
        "/account/tokens",
        "manager",
        {"name": hostile_text(), "read_only": hostile_choice("y")},
        shown=("/account/tokens",),
        count=6,
    ),
    "invite user": Case(
        "/admin/users/new",
        "admin",
        {
            "email": hostile_or("new@example.com", HTML_PAYLOADS, SQL_PAYLOADS),
            "name": hostile_text(),
            "role": hostile_choice("interviewer"),
        },
        shown=("/admin/users/",),
    ),  # fmt: skip
    "edit user": Case(
        "/admin/users/{interviewer}",
        "admin",
        {"name": hostile_text(), "role": hostile_choice("interviewer")},
        shown=("/admin/users/", "/admin/users/{interviewer}", "/candidates/{candidate}"),
        fixed=version_of(User, "interviewer"),
        stored=(User, "name", "name"),
    ),
    "add candidate": Case(
        "/candidates/new",
        "manager",
        {**candidate_fields(), "status": hostile_choice("prospect"), "confirm_duplicate": st.just("yes")},
        shown=("/candidates/",),
        count=12,
        stored=(Candidate, "name", "name"),
    ),  # fmt: skip
    "edit candidate": Case(
        "/candidates/{candidate}/edit",
        "manager",
        candidate_fields(),
        shown=(
            "/candidates/{candidate}",
            "/candidates/",
            "/candidates/duplicates",
            "/compare?ids={candidate}&ids={other}",
            "/openings/{opening}",
            "/shortlists/{shortlist}",
            "/exports/pool/file?format=print&columns=name&columns=notes&columns=linkedin",
            "/candidates/{candidate}/resume.json",
        ),
        fixed=version_of(Candidate, "candidate"),
        count=12,
    ),  # fmt: skip
    "change status": Case(
        "/candidates/{candidate}/status",
        "manager",
        {"status": hostile_choice("declined"), "reason": hostile_text()},
        shown=("/candidates/{candidate}", "/decisions/"),
    ),
    "log touch": Case(
        "/candidates/{candidate}/touches",
        "manager",
        {"kind": hostile_choice("call"), "summary": hostile_text(), "next_touch_on": hostile_date()},
        shown=("/candidates/{candidate}",),
    ),
    "next touch": Case("/candidates/{candidate}/next-touch", "manager", {"next_touch_on": hostile_date()}, count=6),
    "bulk action": Case(
        "/candidates/bulk",
        "manager",
        {
            "ids": hostile_number("{candidate}"),
            "action": hostile_choice("tag"),
            "tag": hostile_text(),
            "next_touch_on": hostile_date(),
            "owner": hostile_choice("{manager}"),
            "opening": hostile_choice("{opening}"),
            "back": st.sampled_from(
                [
                    "/candidates/?q=1",
                    "/candidates/\r\nSet-Cookie: x=1",
                    "javascript:alert(1)",
                    "//evil.example/",
                    "/candidates/" + "x" * 5000,
                ]
            ),
        },
        shown=("/candidates/", "/candidates/{candidate}"),
    ),  # fmt: skip
    "save view": Case(
        "/candidates/views", "manager", {"name": hostile_text(), "query": hostile_text()}, shown=("/candidates/",)
    ),
    "new opening": Case(
        "/openings/new",
        "manager",
        {
            "title": hostile_text(),
            "territory": hostile_text(),
            "segment": hostile_choice("smb"),
            "headcount": hostile_number(2),
            "status": hostile_choice("open"),
            "hiring_manager_id": hostile_choice("{manager}"),
            "stages": st.builds(lambda a, b: f"{a}\n{b}", hostile_text(long=False), hostile_text(long=False)),
        },
        shown=("/openings/",),
        stored=(Opening, "title", "title"),
    ),  # fmt: skip
    "edit opening": Case(
        "/openings/{opening}/edit",
        "manager",
        {
            "title": hostile_text(),
            "territory": hostile_text(),
            "segment": hostile_choice("smb"),
            "headcount": hostile_number(2),
            "status": hostile_choice("open"),
            "hiring_manager_id": hostile_choice("{manager}"),
            "stages": st.builds(lambda text: "sourced\n" + text, hostile_text()),
        },
        shown=("/openings/", "/openings/{opening}", "/candidates/{candidate}"),
        fixed=version_of(Opening, "opening"),
    ),  # fmt: skip
    "move on board": Case(
        "/openings/applications/{application}/move",
        "manager",
        {"stage": hostile_choice("screen"), "reason": hostile_text()},
        shown=("/openings/{opening}", "/decisions/"),
        count=6,
    ),
    "plan interview": Case(
        "/interviews/plan/{candidate}",
        "manager",
        {
            "kind": hostile_choice("behavioural"),
            "scheduled_at": hostile_or(
                "2025-01-02T10:00",
                ["2025-01-02", "2025-13-02T10:00", "9999-12-31T23:59", "0001-01-01T00:00"],
                SQL_PAYLOADS,
            ),
            "interviewers": hostile_choice("{interviewer}"),
            "template_id": hostile_choice("1"),
            "opening_id": hostile_choice(""),
        },
        shown=("/candidates/{candidate}", "/interviews/mine"),
        count=6,
    ),  # fmt: skip
    "scorecard": Case(
        "/interviews/scorecards/{scorecard}",
        "interviewer",
        {
            "recommendation": hostile_choice("yes"),
            "reason": hostile_text(),
            "action": hostile_choice("draft"),
            "rating_1": hostile_choice("3"),
            "note_1": hostile_text(),
            "answer_0": hostile_text(),
            "answer_1": hostile_text(),
        },
        shown=("/interviews/scorecards/{scorecard}", "/interviews/mine"),
        fixed=version_of(Scorecard, "scorecard"),
    ),  # fmt: skip
    "new trait": Case(
        "/admin/traits/new",
        "admin",
        {
            "key": hostile_or("k_{n}", [], SQL_PAYLOADS, HTML_PAYLOADS),
            "name": hostile_text(),
            "description": hostile_text(),
            "questions": hostile_text(),
            "anchor_1": hostile_text(),
            "anchor_2": hostile_text(),
            "anchor_3": hostile_text(),
            "anchor_4": st.just(""),
            "anchor_5": hostile_text(),
        },
        shown=("/admin/traits/", "/admin/traits/?status=all", "/admin/templates/new"),
        stored=(Trait, "name", "name"),
    ),  # fmt: skip
    "new template": Case(
        "/admin/templates/new",
        "admin",
        {
            "name": hostile_text(),
            "prompts": hostile_text(),
            "items-0-trait_id": hostile_number(1),
            "items-0-include": st.just("y"),
            "items-0-position": hostile_number(1),
            "items-0-group": hostile_text(),
        },
        shown=("/admin/templates/",),
    ),  # fmt: skip
    "tier rule": Case(
        "/admin/tier-rule/",
        "admin",
        {
            "ramp_months": hostile_number(3),
            "min_observed_months": hostile_number(6),
            "quota_months_hit": hostile_number(2),
            "quota_months_of": hostile_number(3),
            "a_attainment_pct": hostile_number(110),
        },
        shown=("/admin/tier-rule/", "/reps/"),
        fixed=lambda world: {"version": _rule_version(world)},
        count=6,
    ),  # fmt: skip
    "record hire": Case(
        "/reps/hire/{candidate}",
        "manager",
        {
            "hired_on": hostile_date(PAST),
            "role": hostile_text(),
            "territory": hostile_text(),
            "segment": hostile_choice("smb"),
            "reason": hostile_text(),
        },
        shown=("/reps/", "/candidates/{candidate}", "/decisions/"),
        count=6,
    ),  # fmt: skip
    "edit hire": Case(
        "/reps/{hire}",
        "manager",
        {
            "hired_on": hostile_date(date(2023, 1, 16)),
            "left_on": hostile_date(date(2023, 1, 1)),
            "role": hostile_text(),
            "territory": hostile_text(),
            "segment": hostile_choice("smb"),
        },
        shown=("/reps/", "/reps/{hire}"),
        fixed=version_of(Hire, "hire"),
    ),  # fmt: skip
    "rep month": Case(
        "/reps/{hire}/results",
        "manager",
        {
            "period": hostile_or("2023-05", ["2023-13", "1999-01", "2023-5", "9999-12", "2023-05-01"], SQL_PAYLOADS),
            "quota": hostile_number("10000.50"),
            "booked": hostile_number("12000"),
        },
        shown=("/reps/{hire}",),
    ),  # fmt: skip
    "rep override": Case(
        "/reps/{hire}/override",
        "manager",
        {"tier": hostile_choice("A"), "reason": hostile_text()},
        shown=("/reps/", "/reps/{hire}"),
        count=6,
    ),
    "new shortlist": Case(
        "/shortlists/new",
        "manager",
        {
            "name": hostile_text(),
            "description": hostile_text(),
            "opening_id": hostile_choice(""),
            "share_ids": hostile_choice("{interviewer}"),
        },
        shown=("/shortlists/",),
        stored=(Shortlist, "description", "description"),
    ),  # fmt: skip
    "edit shortlist": Case(
        "/shortlists/{shortlist}/edit",
        "manager",
        {"name": hostile_text(), "description": hostile_text(), "opening_id": hostile_choice("{opening}")},
        shown=(
            "/shortlists/",
            "/shortlists/{shortlist}",
            "/exports/shortlists/{shortlist}",
            "/exports/shortlists/{shortlist}/file?format=print&columns=name",
        ),
        fixed=version_of(Shortlist, "shortlist"),
    ),  # fmt: skip
    "add to shortlist": Case(
        "/shortlists/add",
        "manager",
        {
            "shortlist_id": hostile_choice("{shortlist}"),
            "ids": hostile_number("{other}"),
            "back": st.sampled_from(["/shortlists/", "javascript:alert(1)", "//evil.example", "/x\r\nSet-Cookie: a=b"]),
        },
        shown=("/shortlists/{shortlist}",),
        count=6,
    ),  # fmt: skip
    "shortlist comment": Case(
        "/shortlists/{shortlist}/entries/{entry}/comment",
        "manager",
        {"comment": hostile_text()},
        shown=("/shortlists/{shortlist}",),
    ),
    "shortlist move": Case(
        "/shortlists/{shortlist}/entries/{entry}/move",
        "manager",
        {"to": hostile_choice("position"), "position": hostile_number(1)},
        count=6,
    ),
    "self-identification": Case(
        "/admin/self-identification/candidates/{candidate}",
        "admin",
        {
            "sex": hostile_choice("female"),
            "race_ethnicity": hostile_choice("asian"),
            "veteran": hostile_choice(""),
            "disability": hostile_choice(""),
        },
        shown=("/admin/self-identification/",),
        count=6,
    ),  # fmt: skip
    "renew consent": Case(
        "/consents/{other}/renew",
        "manager",
        {"given_on": hostile_date(PAST), "method": hostile_choice("email")},
        count=6,
    ),
    "erase": Case("/admin/candidates/{hired}/erase", "admin", {"confirm": hostile_text()}, count=5),
    "merge": Case(
        "/candidates/{candidate}/merge/{other}",
        "manager",
        {
            "survivor": hostile_choice("{candidate}"),
            "candidate_version": hostile_number(1),
            "other_version": hostile_number(1),
            "take_name": hostile_choice("{other}"),
            "take_notes": hostile_choice("both"),
        },
        count=6,
    ),  # fmt: skip
}


def _rule_version(world) -> str:
    with world.app.app_context():
        return str(db.session.scalars(db.select(TierRule)).first().version)


def fill(template: str, world, number: int) -> str:
    """Put the world's ids (and a number, for unique values) into a URL or value template."""
    if "{" not in template:
        return template
    try:
        return template.format(n=number, invitation=world.invitation, **world.ids)
    except (KeyError, IndexError, ValueError):  # a payload with braces of its own
        return template


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_values_never_crash_a_form_or_reach_a_page_unescaped(world, name):
    """Hostile values in every field: 200/400 with errors or 302 after a save; pages show them as text."""
    case = CASES[name]
    client = world.client(case.role)
    numbers = iter(range(1_000_000))

    @examples(case.count)
    @given(data=st.fixed_dictionaries(case.fields))
    def run(data):
        number = next(numbers)
        sent = {key: fill(value, world, number) for key, value in data.items()}
        form = {**sent, **(case.fixed(world) if case.fixed else {})}
        response = client.post(fill(case.url, world, number), data=form)
        assert response.status_code in ANSWERS, response.text[:500]
        assert_shown_safely(response.text, list(sent.values()))
        pages = [fill(page, world, number) for page in case.shown]
        if response.status_code == 302 and response.location.startswith("/"):
            # Where the form sends the user: a "back" value the user typed may name a page that does not exist.
            pages.append(response.location)
        for page in pages:
            shown = client.get(page)
            assert shown.status_code in (200, 302) or page == response.location, (page, shown.status_code)
            assert_shown_safely(shown.get_data(as_text=True), list(sent.values()))
        if case.stored and response.status_code == 302:
            model, column, key = case.stored
            with world.app.app_context():
                values = set(db.session.scalars(db.select(getattr(model, column))))
            # Stored as typed (only trimmed), never interpreted: an SQL payload is just text.
            assert sent[key].strip() in values or sent[key] in values

    run()
