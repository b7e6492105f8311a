"""The candidate pages: add, duplicates on add, edit with conflicts, status, touches, timeline, saved views."""

import re
from datetime import date, timedelta

import pytest

from models import AuditEntry, Candidate, PoolStatus, Role, StatusChange, Touch, TouchKind, db, utcnow
from tests.factories import make_candidate, make_user, sign_in_as

GOOD = {"name": "Mia Lopez", "email": "Mia@Globex.com", "company": "Globex", "title": "AE", "status": "prospect"}


def get_candidate(app, candidate_id) -> Candidate:
    with app.app_context():
        candidate = db.session.get(Candidate, candidate_id)
        candidate.tag_names  # noqa: B018 - load before detaching
        db.session.expunge(candidate)
        return candidate


def test_add_candidate_with_every_field(app, client, manager):
    data = {
        **GOOD, "alt_email": "mia@home.example", "phone": "(415) 555-0100", "location": "Austin, TX",
        "linkedin_url": "https://www.linkedin.com/in/mialopez", "segment": "mid_market", "typical_deal_size": "45000",
        "sales_cycle_days": "60", "quota_years": "4.5", "past_attainment_pct": "118", "attainment_verified": "y",
        "source": "referral", "referrer": "Leo Park", "owner_id": str(manager.id), "tags": "SaaS; closer, saas",
        "notes": "Met at SaaStr.", "external_id": "LEV-1", "next_touch_on": "2026-12-01", "consent_on": "2026-11-01",
        "consent_method": "email", "consent_expires_on": "2028-11-01",
    }  # fmt: skip
    response = client.post("/candidates/new", data=data)
    assert response.status_code == 302
    candidate_id = int(response.headers["Location"].rsplit("/", 1)[1])
    c = get_candidate(app, candidate_id)
    assert (c.name, c.email, c.phone_normalized, c.linkedin_key) == (
        "Mia Lopez", "mia@globex.com", "+14155550100", "linkedin.com/in/mialopez"
    )  # fmt: skip
    assert (c.segment.value, c.typical_deal_size, str(c.quota_years), c.past_attainment_pct) == (
        "mid_market", 45000, "4.5", 118
    )  # fmt: skip
    assert c.attainment_verified and c.source.value == "referral" and c.owner_id == manager.id
    assert c.tag_names == ["closer", "saas"]
    assert (c.next_touch_on, c.consent_expires_on) == (date(2026, 12, 1), date(2028, 11, 1))
    assert c.status == PoolStatus.PROSPECT
    page = client.get(f"/candidates/{candidate_id}").text
    shown = ["Mia Lopez", "mia@globex.com, mia@home.example", "45,000 USD", "118 % (verified)", "Referral by Leo Park"]
    for text in [*shown, "Added to the pool as Prospect", "2028-11-01"]:
        assert text in page, text
    with app.app_context():
        assert db.session.scalar(db.select(AuditEntry.action).where(AuditEntry.target_id == str(candidate_id))) == (
            "candidate.created"
        )


@pytest.mark.parametrize(
    "changes, field_error",
    [
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"next_touch_on": "01/12/2026"}, "Not a valid date value."),
        ({"status": "asleep"}, "Not a valid choice."),
        ({"typical_deal_size": "lots"}, "Not a valid integer value."),
        ({"past_attainment_pct": "-5"}, "Number must be between 0 and 1000."),
        ({"source": "referral"}, "Say who referred this candidate."),
        ({"consent_on": "2026-11-01"}, "Say how consent was obtained."),
        ({"consent_on": "2026-11-01", "consent_method": "email", "consent_expires_on": "2026-10-01"},
         "The expiry date must be after the consent date."),
    ],
)  # fmt: skip
def test_add_candidate_validation_keeps_input(app, client, manager, changes, field_error):
    response = client.post("/candidates/new", data={**GOOD, **changes})
    assert response.status_code == 200
    assert field_error in response.text
    assert 'value="Globex"' in response.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Candidate)) == 0


def test_add_flags_a_likely_duplicate_before_saving(app, client, manager):
    with app.app_context():
        existing = make_candidate(name="Mia López", email="mia.lopez@globex.com", company="Globex")
    first = client.post("/candidates/new", data=GOOD)
    assert first.status_code == 200
    assert "This may be someone already in the pool" in first.text
    assert f'href="/candidates/{existing.id}"' in first.text and "similar name at the same company" in first.text
    assert 'name="confirm_duplicate" type="hidden" value="yes"' in first.text
    second = client.post("/candidates/new", data={**GOOD, "confirm_duplicate": "yes"})
    assert second.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Candidate)) == 2


def test_duplicate_external_id_is_refused(app, client, manager):
    with app.app_context():
        make_candidate(external_id="LEV-1")
    response = client.post("/candidates/new", data={**GOOD, "external_id": "LEV-1"})
    assert "Another candidate already has this external id." in response.text


def test_edit_and_conflict_between_two_managers(app, client, manager):
    with app.app_context():
        candidate = make_candidate(name="Mia Lopez", company="Globex", tags=["saas"])
    form = {"name": "Mia Lopez", "company": "Initech", "tags": "saas, enterprise", "version": "1"}
    assert client.post(f"/candidates/{candidate.id}/edit", data=form).status_code == 302
    c = get_candidate(app, candidate.id)
    assert (c.company, c.tag_names, c.version) == ("Initech", ["enterprise", "saas"], 2)
    # A second manager started from version 1 too: refused, input kept, record untouched.
    stale = client.post(f"/candidates/{candidate.id}/edit", data={**form, "company": "Hooli", "version": "1"})
    assert stale.status_code == 200
    assert "Someone else saved this record" in stale.text.replace("&#39;", "'")
    assert 'value="Hooli"' in stale.text
    assert 'name="version" type="hidden" value="2"' in stale.text
    assert get_candidate(app, candidate.id).company == "Initech"


def test_logging_a_touch_does_not_conflict_with_an_open_edit(app, client, manager):
    with app.app_context():
        candidate = make_candidate(name="Mia Lopez")
    client.post(f"/candidates/{candidate.id}/touches", data={"kind": "call", "summary": "Left a voicemail"})
    edit = client.post(f"/candidates/{candidate.id}/edit", data={"name": "Mia L.", "version": "1"})
    assert edit.status_code == 302


def test_status_change_is_kept_in_history_with_reason(app, client, manager):
    with app.app_context():
        candidate = make_candidate(name="Mia Lopez")
    refused = client.post(f"/candidates/{candidate.id}/status", data={"status": "rejected", "reason": ""})
    assert refused.status_code == 400
    assert "Give a reason for declining or rejecting." in refused.text
    response = client.post(f"/candidates/{candidate.id}/status", data={"status": "rejected", "reason": "No B2B"})
    assert response.status_code == 302
    with app.app_context():
        change = db.session.scalars(db.select(StatusChange)).one()
        assert (change.from_status, change.to_status, change.reason, change.changed_by_id) == (
            PoolStatus.PROSPECT, PoolStatus.REJECTED, "No B2B", manager.id
        )  # fmt: skip
    page = client.get(f"/candidates/{candidate.id}").text
    assert "Status: Prospect → Rejected" in page and "No B2B" in page and "Max Manager" in page


def test_one_click_touch_moves_last_touch_and_sets_next(app, client, manager):
    with app.app_context():
        candidate = make_candidate(name="Mia Lopez")
    next_week = (date.today() + timedelta(days=7)).isoformat()
    response = client.post(
        f"/candidates/{candidate.id}/touches", data={"kind": "meeting", "summary": "Coffee", "next_touch_on": next_week}
    )
    assert response.status_code == 302
    c = get_candidate(app, candidate.id)
    assert c.last_touch_at is not None and c.next_touch_on.isoformat() == next_week
    page = client.get(f"/candidates/{candidate.id}").text
    assert "Meeting logged." in page and "Coffee" in page
    bad = client.post(f"/candidates/{candidate.id}/touches", data={"kind": "fax", "summary": "Keep me"})
    assert bad.status_code == 400 and "Keep me" in bad.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Touch)) == 1


def test_next_touch_alone_can_be_set_and_cleared(app, client, manager):
    with app.app_context():
        candidate = make_candidate()
    client.post(f"/candidates/{candidate.id}/next-touch", data={"next_touch_on": "2027-01-15"})
    assert get_candidate(app, candidate.id).next_touch_on == date(2027, 1, 15)
    client.post(f"/candidates/{candidate.id}/next-touch", data={"next_touch_on": ""})
    assert get_candidate(app, candidate.id).next_touch_on is None
    assert client.post(f"/candidates/{candidate.id}/next-touch", data={"next_touch_on": "soon"}).status_code == 400


def test_saved_views_belong_to_their_user(app, client, manager):
    client.post("/candidates/views", data={"name": "Cold SaaS", "query": "tag=saas&touch=cold"})
    assert 'href="/candidates/?tag=saas&amp;touch=cold">Cold SaaS</a>' in client.get("/candidates/").text
    with app.app_context():
        other = make_user(Role.MANAGER)
    other_client = app.test_client()
    sign_in_as(other_client, other)
    assert "Cold SaaS" not in other_client.get("/candidates/").text
    with app.app_context():
        view_id = db.session.scalar(db.text("SELECT id FROM saved_view"))
    assert other_client.post(f"/candidates/views/{view_id}/delete").status_code == 404
    assert client.post(f"/candidates/views/{view_id}/delete").status_code == 302
    assert ">Cold SaaS</a>" not in client.get("/candidates/").text


def test_interviewers_cannot_see_the_pool(app, client):
    with app.app_context():
        interviewer = make_user(Role.INTERVIEWER)
        candidate = make_candidate()
    sign_in_as(client, interviewer)
    assert client.get("/candidates/").status_code == 403
    assert client.get(f"/candidates/{candidate.id}").status_code == 403


def test_a_double_click_logs_the_touch_once(app, client, manager):
    with app.app_context():
        candidate = make_candidate()
    for _ in range(2):
        client.post(f"/candidates/{candidate.id}/touches", data={"kind": "call", "summary": "Voicemail"})
    page = client.get(f"/candidates/{candidate.id}").text
    assert "That call was logged a moment ago; it is not logged twice." in page
    client.post(f"/candidates/{candidate.id}/touches", data={"kind": "call", "summary": "Spoke at last"})
    with app.app_context():
        assert db.session.scalars(db.select(Touch.summary).order_by(Touch.id)).all() == ["Voicemail", "Spoke at last"]


def test_the_timeline_pages_by_50_newest_first(app, client, manager):
    with app.app_context():
        candidate = make_candidate(name="Busy Bea")
        start = utcnow() - timedelta(days=200)
        db.session.add_all(
            Touch(
                candidate_id=candidate.id, kind=TouchKind.CALL, summary=f"Call number {n}", at=start + timedelta(days=n)
            )
            for n in range(1, 121)
        )
        db.session.commit()
    calls = lambda text: [int(n) for n in re.findall(r"Call number (\d+)<", text)]  # noqa: E731 - a one-line reader

    first = client.get(f"/candidates/{candidate.id}").text
    assert calls(first) == list(range(120, 70, -1))
    assert "Older activity" in first and "Newer activity" not in first
    second = client.get(f"/candidates/{candidate.id}?timeline=2").text
    assert calls(second) == list(range(70, 20, -1))
    assert "(from entry 51)" in second and "Older activity" in second and "Newer activity" in second
    last = client.get(f"/candidates/{candidate.id}?timeline=3").text
    assert calls(last) == list(range(20, 0, -1))
    assert "Older activity" not in last and "Newer activity" in last

    # Nonsense and pages past the end: the newest page, or a way back to it; never an error.
    assert calls(client.get(f"/candidates/{candidate.id}?timeline=abc").text) == calls(first)
    assert calls(client.get(f"/candidates/{candidate.id}?timeline=-4").text) == calls(first)
    for page in ("9", "1001", "99999999999999999999"):  # the last past any database integer
        beyond = client.get(f"/candidates/{candidate.id}?timeline={page}")
        assert beyond.status_code == 200 and calls(beyond.text) == []
        assert "No activity this far back." in beyond.text
        assert f'href="/candidates/{candidate.id}#timeline-heading">Newer activity' in beyond.text
