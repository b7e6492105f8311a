"""Hired reps: recording a hire, the list, a rep's page and months, overrides, the A/B/C rule page."""

import html
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import render_template

from hiring.rep_tiers import current_rule, refresh_tiers
from models import (
    AuditEntry,
    Candidate,
    Hire,
    PeriodResult,
    PoolStatus,
    Role,
    StatusChange,
    Tier,
    TierRule,
    db,
    utcnow,
)
from tests.factories import make_candidate, make_user, sign_in_as
from tests.test_pool import count_queries

HIRED = date(2023, 1, 10)  # ramp: 2023-01 to 2023-03; observed from 2023-04


def period(index: int, start: date = HIRED) -> str:
    """The month ``index`` months after ``start``'s month, as YYYY-MM."""
    year, month = divmod(start.month - 1 + index, 12)
    return f"{start.year + year}-{month + 1:02d}"


def next_month() -> str:
    """The month after this one (in the future)."""
    return period(1, date.today())


def make_hire(name: str = "Rep", attainments=(), start: int = 3, quota: int = 1000, **fields) -> int:
    """Create a candidate hired on HIRED with one month per attainment (in %) from ``start``; return the hire id."""
    candidate = make_candidate(name=name, status=PoolStatus.HIRED)
    hire = Hire(candidate_id=candidate.id, **{"hired_on": HIRED, **fields})
    db.session.add(hire)
    db.session.flush()
    for index, pct in enumerate(attainments):
        booked = Decimal(quota * pct) / 100
        db.session.add(PeriodResult(hire_id=hire.id, period=period(start + index), quota=quota, booked=booked))
    refresh_tiers([hire])
    db.session.commit()
    return hire.id


def get_hire(app, hire_id: int) -> Hire:
    with app.app_context():
        hire = db.session.get(Hire, hire_id)
        hire.results  # noqa: B018 - load before leaving the context
        db.session.expunge(hire)
        return hire


def audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)).all()


def text_of(response) -> str:
    return html.unescape(response.text)


@pytest.fixture
def admin(app, client):
    """Sign in as an admin and return them."""
    with app.app_context():
        user = make_user(Role.ADMIN, name="Ada Admin")
    sign_in_as(client, user)
    return user


@pytest.fixture
def reps(app):
    """Four reps: an A, a B, a C and one too early to tell."""
    with app.app_context():
        return {
            "ana": make_hire("Ana Alvarez", [120, 115, 130, 110, 125, 140], role="AE", territory="West"),
            "ben": make_hire("Ben Brooks", [100, 80, 100, 105, 90, 100], role="SDR", territory="East"),
            "cy": make_hire("Cy Cole", [50, 60, 100, 70, 80, 90], role="AE", territory="North"),
            "dee": make_hire("Dee Dunn", [150, 150], hired_on=HIRED, role="AE", territory="South"),
        }


# Recording a hire


def test_record_hire_makes_the_candidate_a_hired_rep(app, client, manager):
    with app.app_context():
        candidate = make_candidate(name="Mia Lopez")
    assert "Record the hire of Mia Lopez" in client.get(f"/reps/hire/{candidate.id}").text
    form = {"hired_on": "2024-02-01", "role": "Account Executive", "territory": "Nordics", "segment": "mid_market"}
    response = client.post(f"/reps/hire/{candidate.id}", data=form)
    assert response.status_code == 302
    with app.app_context():
        hire = db.session.scalars(db.select(Hire)).one()
        assert response.headers["Location"] == f"/reps/{hire.id}"
        assert (hire.candidate_id, hire.hired_on, hire.role, hire.territory, hire.segment.value) == (
            candidate.id, date(2024, 2, 1), "Account Executive", "Nordics", "mid_market"
        )  # fmt: skip
        assert (hire.tier, hire.months_observed) == (None, 0)
        assert db.session.get(Candidate, candidate.id).status == PoolStatus.HIRED
        change = db.session.scalars(db.select(StatusChange)).one()
        assert (change.to_status, change.reason, change.changed_by_id) == (
            PoolStatus.HIRED,
            "Hire recorded",
            manager.id,
        )
        hire_id = hire.id
    (entry,) = audit(app, "hire.created")
    assert (entry.target_id, entry.details) == (str(hire_id), {"candidate_id": candidate.id})
    assert "Status: Prospect → Hired" in client.get(f"/candidates/{candidate.id}").text
    # A second submit (a double click, or a colleague) lands on the rep, with no second hire.
    again = client.post(f"/reps/hire/{candidate.id}", data=form, follow_redirects=True)
    assert "Mia Lopez is already a rep." in again.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Hire)) == 1


@pytest.mark.parametrize(
    "form, message",
    [
        ({"hired_on": ""}, "Give the date of the hire."),
        ({"hired_on": "2999-01-01"}, "2999-01-01 is in the future."),
        ({"hired_on": "2024-01-01", "role": "x" * 121}, "Field cannot be longer than 120 characters."),
    ],
)
def test_record_hire_is_validated_and_keeps_the_input(app, client, manager, form, message):
    with app.app_context():
        candidate = make_candidate(name="Mia Lopez")
    response = client.post(f"/reps/hire/{candidate.id}", data={"territory": "Nordics", **form})
    assert response.status_code == 400
    assert message in text_of(response)
    assert 'value="Nordics"' in response.text
    with app.app_context():
        assert db.session.scalars(db.select(Hire)).all() == []


def test_candidate_panel_shows_the_form_or_the_rep(app, manager, reps):
    with app.app_context():
        candidate = make_candidate(name="Mia Lopez")
        ana = db.session.get(Hire, reps["ana"])
        ana.tier_override = Tier.B
        with app.test_request_context():
            blank = render_template("reps/_candidate_panel.html", candidate=candidate, hire=None)
            rep = render_template("reps/_candidate_panel.html", candidate=ana.candidate, hire=ana)
    assert f'action="/reps/hire/{candidate.id}"' in blank and "Record hire" in blank
    assert 'name="hired_on"' in blank
    assert f'href="/reps/{reps["ana"]}"' in rep and "2023-01-10" in rep
    assert "B-player" in rep and "overridden" in rep and "Excelling" in rep


# Who may see reps


@pytest.mark.parametrize("url", ["/reps/", "/reps/{ana}", "/admin/tier-rule/"])
def test_interviewers_may_not_see_rep_performance(app, client, reps, url):
    with app.app_context():
        interviewer = make_user(Role.INTERVIEWER)
    url = url.format(**reps)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/sign-in?next=")
    sign_in_as(client, interviewer)
    assert client.get(url).status_code == 403
    assert client.post(f"/reps/{reps['ana']}/override", data={"tier": "C", "reason": "x"}).status_code == 403
    assert client.post(f"/reps/{reps['ana']}/results", data={"period": "2023-05"}).status_code == 403


# The list


def listed(response) -> list[str]:
    """The rep names on the list page, in order."""
    names = []
    for row in response.text.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]:
        names.append(row.split('">')[1].split("</a>")[0])
    return names


def test_list_shows_every_column_and_the_rule(app, client, manager, reps):
    response = client.get("/reps/")
    assert response.status_code == 200
    text = text_of(response)
    with app.app_context():
        assert current_rule().describe() in text
    assert listed(response) == ["Ana Alvarez", "Ben Brooks", "Cy Cole", "Dee Dunn"]
    assert "6 of 6" in text and "123.3 %" in text and "A-player" in text and "Excelling" in text
    assert "4 of 6" in text and "B-player" in text
    assert "1 of 6" in text and "C-player" in text
    assert "Too early to tell" in text and "2 of 2" in text
    assert "%/month" in text


@pytest.mark.parametrize(
    "query, names",
    [
        ("tier=A", ["Ana Alvarez"]),
        ("tier=C", ["Cy Cole"]),
        ("tier=early", ["Dee Dunn"]),
        ("profile=excelling", ["Ana Alvarez"]),
        ("q=brOOk", ["Ben Brooks"]),
        ("q=%25", []),
        ("overridden=yes", []),
        ("overridden=no", ["Ana Alvarez", "Ben Brooks", "Cy Cole", "Dee Dunn"]),
        ("sort=-on_target", ["Dee Dunn", "Ana Alvarez", "Ben Brooks", "Cy Cole"]),  # too early, but the numbers count
        ("sort=on_target", ["Cy Cole", "Ben Brooks", "Ana Alvarez", "Dee Dunn"]),
        ("sort=-at_quota", ["Dee Dunn", "Ana Alvarez", "Ben Brooks", "Cy Cole"]),  # 2 of 2, 6 of 6, 4 of 6, 1 of 6
        ("sort=at_quota", ["Cy Cole", "Ben Brooks", "Ana Alvarez", "Dee Dunn"]),
        ("sort=territory", ["Ben Brooks", "Cy Cole", "Dee Dunn", "Ana Alvarez"]),
        ("sort=-name", ["Dee Dunn", "Cy Cole", "Ben Brooks", "Ana Alvarez"]),
        ("sort=tier", ["Ana Alvarez", "Ben Brooks", "Cy Cole", "Dee Dunn"]),
        ("sort=-months_observed", ["Cy Cole", "Ben Brooks", "Ana Alvarez", "Dee Dunn"]),  # ties: newest first
        ("sort=profile", ["Ben Brooks", "Cy Cole", "Ana Alvarez", "Dee Dunn"]),  # developing ... excelling, none
    ],
)
def test_list_filters_and_sorts(client, manager, reps, query, names):
    assert listed(client.get(f"/reps/?{query}")) == names


def test_list_filters_and_sorts_by_the_overridden_tier(app, client, manager, reps):
    client.post(f"/reps/{reps['cy']}/override", data={"tier": "A", "reason": "Carried the launch"})
    assert listed(client.get("/reps/?overridden=yes")) == ["Cy Cole"]
    assert listed(client.get("/reps/?tier=A")) == ["Ana Alvarez", "Cy Cole"]
    assert listed(client.get("/reps/?tier=C")) == []
    assert listed(client.get("/reps/?sort=-tier")) == ["Ben Brooks", "Cy Cole", "Ana Alvarez", "Dee Dunn"]
    text = text_of(client.get("/reps/?tier=A"))
    assert "overridden" in text and "the rule gives C-player" in text


def test_list_pages_with_the_page_size(app, client, manager, reps):
    app.config["PAGE_SIZE"] = 3
    first = client.get("/reps/")
    assert listed(first) == ["Ana Alvarez", "Ben Brooks", "Cy Cole"]
    assert "Showing 1–3 of 4 reps." in first.text
    assert listed(client.get("/reps/?page=2")) == ["Dee Dunn"]


def test_bad_filter_values_are_shown_not_crashed_on(client, manager, reps):
    response = client.get("/reps/?tier=Z&sort=nonsense")
    assert response.status_code == 200
    assert "Not a valid choice" in response.text


@pytest.mark.parametrize("url", ["/reps/?sort=-tier", "/reps/?q=e&tier=A", "/reps/{ana}"])
def test_pages_run_a_bounded_number_of_queries(app, client, manager, reps, url):
    url = url.format(**reps)
    before = count_queries(app, client, url)
    with app.app_context():
        for number in range(8):
            make_hire(f"Extra {number}", [120, 110, 130, 125, 115, 140], role="AE")
        hire = db.session.get(Hire, reps["ana"])
        for index in range(9, 15):  # more months on the rep's page too
            db.session.add(PeriodResult(hire_id=hire.id, period=period(index), quota=1000, booked=1200))
        db.session.commit()
    assert count_queries(app, client, url) == before


# A rep's page


def test_rep_page_shows_the_numbers_behind_the_tier(client, manager, reps):
    text = text_of(client.get(f"/reps/{reps['ben']}"))
    assert "By the rule: <strong>B-player</strong>" in text
    assert (
        "B: quota hit in 4 of 6 observed months (at least 2 of every 3), but mean attainment 95.8 %, under the 110 %"
        in (text)
    )
    assert "4 of 6 observed" in text and "95.8 %" in text
    assert "Profile" in text and "on target" not in text.split("Profile")[0][-10:]
    for month, mark in (("2023-04", "at quota"), ("2023-05", "below quota")):
        row = text.split(f"<td>{month}</td>")[1].split("</tr>")[0]
        assert mark in row
    assert "1,000.00" in text and "80.0 %" in text


def test_rep_page_says_too_early_to_tell(app, client, manager):
    with app.app_context():
        hire_id = make_hire("Early Ed", [0, 0, 0, 120, 130], start=0)
    text = text_of(client.get(f"/reps/{hire_id}"))
    assert "Too early to tell: 2 of 6 months observed." in text
    assert "The rule waits for 6 observed months after the ramp." in text
    row = text.split("<td>2023-01</td>")[1].split("</tr>")[0]
    assert "ramp" in row


def test_months_outside_the_reps_time_are_shown_as_not_counted(app, client, manager):
    with app.app_context():
        hire_id = make_hire("Left Lee", [120] * 8, left_on=date(2023, 9, 30))
    text = text_of(client.get(f"/reps/{hire_id}"))
    row = text.split("<td>2023-10</td>")[1].split("</tr>")[0]
    assert "not counted" in row
    assert "6 of 6 observed" in text


# Entering months


@pytest.mark.parametrize(
    "data, message",
    [
        ({"period": ""}, "Give the month, as YYYY-MM."),
        ({"period": "2023/05"}, "“2023/05” is not a month. Write it as YYYY-MM (for example 2025-03)."),
        ({"period": "2023-13"}, "“2023-13” is not a month."),
        ({"period": "2022-12"}, "2022-12 is before the rep was hired (2023-01-10)."),
        ({"period": "NEXT"}, "is in the future. Enter results of months that have started."),
        ({"quota": ""}, "Give the quota."),
        ({"quota": "0"}, "The quota must be more than 0."),
        ({"quota": "-5"}, "The quota must be more than 0."),
        ({"quota": "12,500"}, "“12,500” has a comma. Write the quota without thousands separators"),
        ({"quota": "lots"}, "“lots” is not a number. Write the quota like 12500 or 12500.50."),
        ({"quota": "100.555"}, "“100.555” has more than 2 decimals."),
        ({"quota": "1000000000000"}, "is too large: the most is 999,999,999,999.99."),
        ({"booked": ""}, "Give the amount booked (0 if nothing)."),
        ({"booked": "-1"}, "The booked cannot be negative."),
        ({"booked": "1.5e3"}, "“1.5e3” is not a number."),
    ],
)
def test_month_entry_is_validated_with_clear_messages_and_keeps_the_input(app, client, manager, reps, data, message):
    form = {"period": "2023-05", "quota": "1000", "booked": "950.50", **data}
    if form["period"] == "NEXT":
        form["period"] = next_month()
    response = client.post(f"/reps/{reps['dee']}/results", data=form)
    assert response.status_code == 400
    assert message in text_of(response)
    for name, value in form.items():
        assert f'name="{name}" ' in response.text and f'value="{value}"' in text_of(response)
    assert len(get_hire(app, reps["dee"]).results) == 2


def test_month_after_the_rep_left_is_refused(app, client, manager):
    with app.app_context():
        hire_id = make_hire("Left Lee", left_on=date(2023, 6, 15))
    response = client.post(f"/reps/{hire_id}/results", data={"period": "2023-07", "quota": "10", "booked": "1"})
    assert "2023-07 is after the rep left (2023-06-15)." in text_of(response)
    ok = client.post(f"/reps/{hire_id}/results", data={"period": "2023-06", "quota": "10", "booked": "1"})
    assert ok.status_code == 302


def test_entering_months_refreshes_the_tier_and_replaces_a_month(app, client, manager, reps):
    # Dee has 2023-04 and 2023-05 at 150 %; four more months make six observed.
    for index in range(5, 9):
        response = client.post(
            f"/reps/{reps['dee']}/results", data={"period": period(index), "quota": "1000", "booked": "1200"}
        )
        assert response.status_code == 302
    page = client.get(f"/reps/{reps['dee']}")
    assert "Saved 2023-09. By the rule, Dee Dunn is now A-player." in text_of(page)
    hire = get_hire(app, reps["dee"])
    assert (hire.tier, hire.months_observed, hire.months_at_quota, hire.on_target_pct) == (Tier.A, 6, 6, 130.0)
    assert hire.version == 1  # derived columns leave the version alone: no conflict for an open edit
    # The same month again replaces it, and says what it was.
    client.post(f"/reps/{reps['dee']}/results", data={"period": "2023-09", "quota": "1000", "booked": "0"})
    client.post(f"/reps/{reps['dee']}/results", data={"period": "2023-08", "quota": "1000", "booked": "0"})
    text = text_of(client.get(f"/reps/{reps['dee']}"))
    assert "Replaced 2023-08: it was quota 1,000.00 and booked 1,200.00. By the rule, Dee Dunn is now B-player." in text
    hire = get_hire(app, reps["dee"])
    assert (hire.tier, len(hire.results), hire.months_at_quota, hire.on_target_pct) == (Tier.B, 6, 4, 90.0)
    assert [(r.period, r.booked) for r in hire.results][-2:] == [("2023-08", 0), ("2023-09", 0)]
    entries = audit(app, "hire.result_saved")
    assert [e.details for e in entries][-2:] == [
        {"period": "2023-09", "replaced": True},
        {"period": "2023-08", "replaced": True},
    ]
    assert (entries[0].details, entries[0].actor_id) == ({"period": "2023-06", "replaced": False}, manager.id)


def test_a_colleague_entering_the_same_month_at_the_same_moment_is_caught(app, client, manager, reps, monkeypatch):
    from hiring import reps as reps_module

    real_store = reps_module.store_month

    def store_racing_a_colleague(hire, period, quota, booked):
        message = real_store(hire, period, quota, booked)  # found no such month: will insert
        with db.engine.begin() as connection:  # the colleague's request commits first
            connection.execute(
                sa.insert(PeriodResult.__table__).values(
                    hire_id=hire.id, period=period, quota=5, booked=5, updated_at=utcnow()
                )
            )
        return message

    monkeypatch.setattr(reps_module, "store_month", store_racing_a_colleague)
    response = client.post(f"/reps/{reps['dee']}/results", data={"period": "2023-06", "quota": "9", "booked": "9"})
    assert response.status_code == 302
    text = text_of(client.get(f"/reps/{reps['dee']}"))
    assert "Someone entered 2023-06 a moment ago. Enter it again to replace theirs." in text
    assert [(r.period, r.quota) for r in get_hire(app, reps["dee"]).results][-1] == ("2023-06", 5)
    assert audit(app, "hire.result_saved") == []


def test_deleting_a_month_refreshes_the_tier(app, client, manager, reps):
    response = client.post(f"/reps/{reps['ben']}/results/2023-05/delete", follow_redirects=True)
    assert "Deleted 2023-05. By the rule, Ben Brooks is now too early to tell." in text_of(response)
    hire = get_hire(app, reps["ben"])
    assert ([r.period for r in hire.results], hire.tier) == (
        ["2023-04", "2023-06", "2023-07", "2023-08", "2023-09"],
        None,
    )
    assert [e.details for e in audit(app, "hire.result_deleted")] == [{"period": "2023-05"}]
    assert client.post(f"/reps/{reps['ben']}/results/2023-05/delete").status_code == 404
    assert client.post(f"/reps/{reps['ben']}/results/junk/delete").status_code == 404


# Overrides


def test_override_needs_a_reason_and_is_audited(app, client, manager, reps):
    refused = client.post(f"/reps/{reps['cy']}/override", data={"tier": "B", "reason": "  "})
    assert refused.status_code == 400
    assert "Give the reason for the override." in text_of(refused)
    assert get_hire(app, reps["cy"]).tier_override is None

    response = client.post(f"/reps/{reps['cy']}/override", data={"tier": "B", "reason": "Territory was reassigned"})
    assert response.status_code == 302
    hire = get_hire(app, reps["cy"])
    assert (hire.tier, hire.tier_override, hire.effective_tier) == (Tier.C, Tier.B, Tier.B)
    assert (hire.override_reason, hire.override_by_id, hire.version) == ("Territory was reassigned", manager.id, 1)
    (entry,) = audit(app, "hire.tier_overridden")
    assert entry.details == {"from": None, "to": "B", "rule_tier": "C"}
    text = text_of(client.get(f"/reps/{reps['cy']}"))
    assert (
        "By the rule: <strong>C-player</strong>" in text
        and "Overridden to <strong>B-player</strong>" in text
        and "Territory was reassigned" in text
    )

    client.post(f"/reps/{reps['cy']}/override", data={"tier": "A", "reason": "Best quarter"})
    assert audit(app, "hire.tier_overridden")[-1].details == {"from": "B", "to": "A", "rule_tier": "C"}
    cleared = client.post(f"/reps/{reps['cy']}/override", data={"tier": ""}, follow_redirects=True)
    assert "Cleared the override" in text_of(cleared)
    hire = get_hire(app, reps["cy"])
    assert (hire.tier_override, hire.override_reason, hire.override_by_id, hire.effective_tier) == (
        None,
        "",
        None,
        Tier.C,
    )
    assert audit(app, "hire.override_cleared")[0].details == {"from": "A", "to": None, "rule_tier": "C"}
    nothing = client.post(f"/reps/{reps['cy']}/override", data={"tier": ""}, follow_redirects=True)
    assert "There is no override to clear." in nothing.text


# Hire details


def test_two_editors_of_the_hire_details_conflict_cleanly(app, client, manager, reps):
    form = {"hired_on": "2023-01-10", "role": "Senior AE", "territory": "West", "segment": "", "version": "1"}
    assert client.post(f"/reps/{reps['ana']}", data=form).status_code == 302
    hire = get_hire(app, reps["ana"])
    assert (hire.role, hire.version) == ("Senior AE", 2)
    assert [e.details for e in audit(app, "hire.updated")] == [{"fields": ["role"]}]
    stale = client.post(f"/reps/{reps['ana']}", data={**form, "role": "Team lead", "version": "1"})
    assert stale.status_code == 200
    assert "Someone else saved this record" in text_of(stale)
    assert 'value="Team lead"' in stale.text and 'name="version" type="hidden" value="2"' in stale.text
    assert get_hire(app, reps["ana"]).role == "Senior AE"
    # A month entered or a tier overridden meanwhile is no conflict.
    client.post(f"/reps/{reps['ana']}/override", data={"tier": "B", "reason": "Coaching"})
    client.post(f"/reps/{reps['ana']}/results", data={"period": "2023-10", "quota": "1", "booked": "1"})
    assert client.post(f"/reps/{reps['ana']}", data={**form, "version": "2"}).status_code == 302


def test_editing_the_hire_dates_refreshes_the_tier(app, client, manager, reps):
    form = {"hired_on": "2023-03-01", "left_on": "", "role": "AE", "territory": "West", "version": "1"}
    response = client.post(f"/reps/{reps['ana']}", data=form, follow_redirects=True)
    assert "By the rule, Ana Alvarez is now too early to tell." in text_of(response)
    hire = get_hire(app, reps["ana"])
    assert (hire.hired_on, hire.tier, hire.months_observed) == (date(2023, 3, 1), None, 4)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"hired_on": "2999-01-01"}, "2999-01-01 is in the future."),
        ({"left_on": "2999-01-01"}, "2999-01-01 is in the future."),
        ({"left_on": "2022-12-31"}, "The rep cannot leave (2022-12-31) before being hired (2023-01-10)."),
        ({"hired_on": "soon"}, "Not a valid date value."),
    ],
)
def test_hire_details_are_validated(app, client, manager, reps, data, message):
    form = {"hired_on": "2023-01-10", "role": "AE", "territory": "West", "version": "1", **data}
    response = client.post(f"/reps/{reps['ana']}", data=form)
    assert response.status_code == 400
    assert message in text_of(response)
    assert get_hire(app, reps["ana"]).version == 1


# The rule


RULE = {
    "ramp_months": "3",
    "min_observed_months": "6",
    "quota_months_hit": "2",
    "quota_months_of": "3",
    "a_attainment_pct": "110",
    "version": "1",
}


def test_managers_read_the_rule_and_only_admins_change_it(app, client, manager, reps):
    page = client.get("/admin/tier-rule/")
    assert page.status_code == 200
    assert "quota hit in at least 2 of every 3 observed months" in page.text
    assert "Only admins can change the rule." in page.text and 'name="ramp_months"' not in page.text
    assert client.post("/admin/tier-rule/", data={**RULE, "a_attainment_pct": "50"}).status_code == 403
    with app.app_context():
        assert db.session.get(TierRule, 1).a_attainment_pct == 110


def test_saving_the_rule_recomputes_every_tier(app, client, admin, reps):
    assert 'name="ramp_months"' in client.get("/admin/tier-rule/").text
    # Ben's mean is 95.8 %: at 95 % he is an A-player, like Ana; Cy stays C, Dee too early.
    response = client.post("/admin/tier-rule/", data={**RULE, "a_attainment_pct": "95"}, follow_redirects=True)
    assert "Saved the rule. Every tier was recomputed: 1 rep changed tier." in text_of(response)
    assert "mean attainment of at least 95 %" in response.text
    with app.app_context():
        rule = db.session.get(TierRule, 1)
        assert (rule.a_attainment_pct, rule.version, rule.updated_by_id) == (95, 2, admin.id)
        assert current_rule().a_attainment_pct == 95
    assert [get_hire(app, reps[name]).tier for name in ("ana", "ben", "cy", "dee")] == [Tier.A, Tier.A, Tier.C, None]
    assert get_hire(app, reps["ben"]).version == 1
    (entry,) = audit(app, "tier_rule.updated")
    assert entry.details == {"fields": ["a_attainment_pct"], "reps_changed_tier": 1}
    # Back to 110 % (Ben is B again), and two observed months are enough (Dee is A); Cy hit 1 of 6, still C.
    changed = {**RULE, "min_observed_months": "2", "quota_months_hit": "1", "quota_months_of": "2", "version": "2"}
    response = client.post("/admin/tier-rule/", data=changed, follow_redirects=True)
    assert "2 reps changed tier." in text_of(response)
    assert [get_hire(app, reps[name]).tier for name in ("ana", "ben", "cy", "dee")] == [Tier.A, Tier.B, Tier.C, Tier.A]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"ramp_months": "25"}, "Give a whole number from 0 to 24."),
        ({"ramp_months": "-1"}, "Give a whole number from 0 to 24."),
        ({"min_observed_months": "0"}, "Give a whole number from 1 to 60."),
        ({"min_observed_months": "61"}, "Give a whole number from 1 to 60."),
        ({"quota_months_hit": "4"}, "Cannot be more than the months it is out of (3)."),
        ({"quota_months_of": "13"}, "Give a whole number from 1 to 12."),
        ({"quota_months_hit": "0"}, "Give a whole number from 1 to 12."),
        ({"a_attainment_pct": "49"}, "Give a whole number from 50 to 300."),
        ({"a_attainment_pct": "301"}, "Give a whole number from 50 to 300."),
        ({"a_attainment_pct": ""}, "Give a whole number."),
        ({"ramp_months": "two"}, "Not a valid integer value."),
    ],
)
def test_rule_is_validated(app, client, admin, data, message):
    response = client.post("/admin/tier-rule/", data={**RULE, **data})
    assert response.status_code == 400
    assert message in text_of(response)
    with app.app_context():
        assert db.session.get(TierRule, 1).version == 1


def test_two_admins_editing_the_rule_conflict(app, client, admin, reps):
    assert client.post("/admin/tier-rule/", data={**RULE, "ramp_months": "2"}).status_code == 302
    stale = client.post("/admin/tier-rule/", data={**RULE, "ramp_months": "4"})
    assert stale.status_code == 200
    assert "Someone else saved this record" in text_of(stale)
    assert 'value="4"' in stale.text and 'name="version" type="hidden" value="2"' in stale.text
    with app.app_context():
        assert db.session.get(TierRule, 1).ramp_months == 2
    unchanged = client.post(
        "/admin/tier-rule/", data={**RULE, "ramp_months": "2", "version": "2"}, follow_redirects=True
    )
    assert "Nothing changed." in unchanged.text
