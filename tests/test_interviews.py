"""Interview plans, filling scorecards, revisions, the combined view, and the independence rule."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from models import (
    AuditEntry,
    Interview,
    InterviewStatus,
    Recommendation,
    Role,
    Scorecard,
    ScorecardRevision,
    ScorecardStatus,
    ScorecardTemplate,
    TemplateItem,
    Trait,
    db,
)
from tests.factories import make_candidate, make_user, sign_in_as


@pytest.fixture
def setup(app, client, manager):
    """A candidate, two interviewers, and the seeded template's trait ids; the client is the manager."""
    with app.app_context():
        candidate = make_candidate(name="Ada Byron", company="Acme", notes="Manager-only note")
        first = make_user(Role.INTERVIEWER, name="Ivy First")
        second = make_user(Role.INTERVIEWER, name="Ian Second")
        template = db.session.scalars(db.select(ScorecardTemplate)).one()
        traits = {t.key: t.id for t in db.session.scalars(db.select(Trait))}
        template_id = template.id
    return {"candidate": candidate, "first": first, "second": second, "template": template_id, "traits": traits}


def plan(client, setup, when=None, interviewers=None):
    """Plan an interview through the candidate page's form; return the scorecard ids by interviewer id."""
    when = when or (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    interviewers = interviewers or [setup["first"].id, setup["second"].id]
    data = {"kind": "behavioural", "scheduled_at": when, "interviewers": interviewers, "template_id": setup["template"]}
    response = client.post(f"/interviews/plan/{setup['candidate'].id}", data=data)
    assert response.status_code == 302, response.text
    return dict(db.session.execute(db.select(Scorecard.interviewer_id, Scorecard.id)).all())


def as_user(app, user):
    client = app.test_client()
    sign_in_as(client, user)
    return client


def ratings(setup, **scores):
    """Form data for ratings by trait key (others not assessed), plus notes."""
    data = {}
    for key, trait_id in setup["traits"].items():
        data[f"rating_{trait_id}"] = str(scores.get(key, ""))
        data[f"note_{trait_id}"] = f"note on {key}" if key in scores else ""
    return data


def fill(client, card_id, action="submit", recommendation="yes", version=1, **scores):
    return client.post(
        f"/interviews/scorecards/{card_id}",
        data={**ratings(SETUP[0], **scores), "recommendation": recommendation, "action": action, "version": version,
              "answer_0": "Sharp discovery", "answer_1": ""},
    )  # fmt: skip


SETUP = []


@pytest.fixture
def cards(app, client, setup):
    SETUP[:] = [setup]
    with app.app_context():
        return plan(client, setup)


def test_plan_interview_gives_each_interviewer_a_draft(app, client, setup, cards):
    assert set(cards) == {setup["first"].id, setup["second"].id}
    with app.app_context():
        assert {c.status for c in db.session.scalars(db.select(Scorecard))} == {ScorecardStatus.DRAFT}
        assert db.session.scalar(db.select(AuditEntry.action).where(AuditEntry.action == "interview.planned"))
    page = client.get(f"/candidates/{setup['candidate'].id}").text
    assert "Behavioural interview" in page and "Ivy First" in page and "Draft" in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"interviewers": []}, "Choose at least one interviewer."),
        ({"scheduled_at": "tomorrow"}, "Not a valid datetime value."),
        ({"kind": "chat"}, "Not a valid choice."),
    ],
)
def test_plan_validation(app, client, setup, changes, message):
    data = {"kind": "behavioural", "scheduled_at": "2027-01-05T10:00", "interviewers": [setup["first"].id],
            "template_id": setup["template"], **changes}  # fmt: skip
    response = client.post(f"/interviews/plan/{setup['candidate'].id}", data=data)
    assert response.status_code == 400 and message in response.text


def test_my_interviews_shows_due_and_overdue(app, client, setup):
    SETUP[:] = [setup]
    with app.app_context():
        plan(client, setup, when="2020-01-01T09:00", interviewers=[setup["first"].id])
    page = as_user(app, setup["first"]).get("/interviews/mine").text
    assert "Ada Byron" in page and "Overdue: scorecard not submitted" in page
    assert "Ada Byron" not in as_user(app, setup["second"]).get("/interviews/mine").text


def test_draft_submit_and_lock(app, setup, cards):
    ivy = as_user(app, setup["first"])
    card = cards[setup["first"].id]
    page = ivy.get(f"/interviews/scorecards/{card}").text
    assert "Tell me about the last piece of feedback" in page  # the question beside the scale
    assert "Cannot name feedback they acted on" in page  # the anchor of a 1
    draft = fill(ivy, card, action="save", recommendation="", coachability=4)
    assert draft.status_code == 302
    missing = fill(ivy, card, action="submit", recommendation="", version=2, coachability=4)
    assert "Choose an overall recommendation before submitting." in missing.text
    assert re.search(r'value="4"\s+checked', missing.text)  # nothing typed is lost
    out_of_range = fill(ivy, card, action="submit", version=2, coachability=7)
    assert "Not a valid choice." in out_of_range.text
    assert fill(ivy, card, action="submit", version=2, coachability=4, drive=5).status_code == 302
    with app.app_context():
        scorecard = db.session.get(Scorecard, card)
        assert scorecard.submitted and scorecard.recommendation == Recommendation.YES
        assert {r.trait.key: r.score for r in scorecard.ratings if r.score} == {"coachability": 4, "drive": 5}
        assert scorecard.answers == {"Key take-aways": "Sharp discovery", "Concerns": ""}
    locked = ivy.get(f"/interviews/scorecards/{card}").text
    assert "It is locked" in locked and '<fieldset class="card mb-3" disabled>' in locked


def test_double_submit_from_two_tabs_is_refused_and_keeps_input(app, setup, cards):
    ivy = as_user(app, setup["first"])
    card = cards[setup["first"].id]
    assert fill(ivy, card, version=1, coachability=4).status_code == 302
    second_tab = fill(ivy, card, version=1, coachability=2, recommendation="no")
    assert second_tab.status_code == 200
    assert "This scorecard was submitted already (from another tab or window)" in second_tab.text
    assert re.search(r'value="2"\s+checked', second_tab.text)  # the second tab's input is kept
    assert 'name="reason"' in second_tab.text  # ready to become a revision, if that is what was meant
    with app.app_context():
        assert db.session.get(Scorecard, card).recommendation == Recommendation.YES
        assert db.session.scalar(db.select(db.func.count()).select_from(ScorecardRevision)) == 0


def test_someone_elses_scorecard_is_forbidden(app, setup, cards):
    ivy = as_user(app, setup["first"])
    other_card = cards[setup["second"].id]
    assert ivy.get(f"/interviews/scorecards/{other_card}").status_code == 403
    assert fill(ivy, other_card).status_code == 403
    assert ivy.get("/interviews/scorecards/999999").status_code == 404


def test_cancelled_interview_cannot_be_submitted(app, client, setup, cards):
    with app.app_context():
        interview_id = db.session.scalar(db.select(Interview.id))
    client.post(f"/interviews/{interview_id}/cancel")
    with app.app_context():
        assert db.session.get(Interview, interview_id).status == InterviewStatus.CANCELLED
    ivy = as_user(app, setup["first"])
    response = fill(ivy, cards[setup["first"].id], coachability=3)
    assert "This interview was cancelled" in response.text and re.search(r'value="3"\s+checked', response.text)
    with app.app_context():
        assert db.session.get(Scorecard, cards[setup["first"].id]).status == ScorecardStatus.DRAFT


def test_revision_after_submit_needs_a_reason_and_keeps_the_trail(app, client, setup, cards):
    ivy = as_user(app, setup["first"])
    card = cards[setup["first"].id]
    fill(ivy, card, coachability=4)
    no_reason = fill(ivy, card, action="revise", version=2, coachability=2)
    assert "Say why you are changing a submitted scorecard." in no_reason.text
    revised = ivy.post(
        f"/interviews/scorecards/{card}",
        data={**ratings(setup, coachability=2), "recommendation": "no", "action": "revise", "version": 2,
              "reason": "Mixed up two candidates"},
    )  # fmt: skip
    assert revised.status_code == 302
    with app.app_context():
        revision = db.session.scalars(db.select(ScorecardRevision)).one()
        assert revision.reason == "Mixed up two candidates"
        assert revision.snapshot["ratings"]["coachability"][0] == 4 and revision.snapshot["recommendation"] == "yes"
        assert db.session.get(Scorecard, card).revision == 1
        assert "scorecard.revised" in db.session.scalars(db.select(AuditEntry.action)).all()
    page = client.get(f"/candidates/{setup['candidate'].id}").text
    assert "Changes after submission" in page and "Mixed up two candidates" in page


def test_independence_from_every_angle(app, setup, cards):
    ivy, ian = as_user(app, setup["first"]), as_user(app, setup["second"])
    candidate_id = setup["candidate"].id
    fill(ian, cards[setup["second"].id], coachability=1, recommendation="strong_no")
    # Ivy has not submitted: Ian's ratings are nowhere she can reach.
    own_page = ivy.get(f"/interviews/scorecards/{cards[setup['first'].id]}").text
    assert "Ian Second" not in own_page and "note on coachability" not in own_page
    assert "All submitted scorecards" not in own_page
    for url in [f"/candidates/{candidate_id}", "/candidates/", "/candidates/?q=ada", "/candidates/export.csv",
                f"/interviews/scorecards/{cards[setup['second'].id]}"]:  # fmt: skip
        response = ivy.get(url)
        assert response.status_code == 403, url
        assert "note on coachability" not in response.text
    assert "Manager-only note" not in own_page  # interviewers get what they need to interview, not the notes
    # Once her own is in, she sees both.
    fill(ivy, cards[setup["first"].id], coachability=4)
    after = ivy.get(f"/interviews/scorecards/{cards[setup['first'].id]}").text
    assert "All submitted scorecards for Ada Byron" in after and "Ian Second" in after
    assert "<td><strong>Strong no</strong></td>" in after and "note on coachability" in after


def test_combined_view_for_managers(app, client, setup, cards):
    ivy, ian = as_user(app, setup["first"]), as_user(app, setup["second"])
    fill(ivy, cards[setup["first"].id], coachability=4, drive=3, recommendation="strong_yes")
    fill(ian, cards[setup["second"].id], coachability=2, drive=3, recommendation="yes")
    page = client.get(f"/candidates/{setup['candidate'].id}").text
    coachability = page.split('<th scope="row">Coachability')[1].split("</tr>")[0]
    assert "Disagreement" in coachability and "<td>3</td>" in coachability and "<td>2</td>" in coachability
    drive = page.split('<th scope="row">Drive')[1].split("</tr>")[0]
    assert "Disagreement" not in drive and "<td>3</td>" in drive
    assert "Strong yes 1" in page and "Yes 1" in page and "No 0" in page
    assert "Scorecard: Behavioural interview" in page  # in the timeline
    assert "Cancel this interview" not in page  # every scorecard is in: nothing left to cancel
    assert "note on coachability" in coachability


def test_template_version_is_kept_by_the_scorecard(app, setup, cards):
    with app.app_context():
        template = db.session.get(ScorecardTemplate, setup["template"])
        assert {c.template_id for c in db.session.scalars(db.select(Scorecard))} == {template.id}
        assert db.session.scalar(db.select(db.func.count()).select_from(TemplateItem)) == 10


def test_home_page_shows_what_needs_each_user(app, client, setup):
    SETUP[:] = [setup]
    with app.app_context():
        plan(client, setup, when="2020-01-01T09:00", interviewers=[setup["first"].id])
        plan(client, setup, interviewers=[setup["first"].id])
    assert "<strong>1</strong> candidates; <strong>0</strong> going cold." in client.get("/").text
    home = as_user(app, setup["first"]).get("/").text
    assert "<strong>2</strong> to fill" in home and "1 overdue" in home
    assert "The pool" not in home


def test_a_submitted_card_does_not_open_colleagues_scores_of_another_interview(app, client, setup):
    """Independence is per interview: Ivy's phone screen being in does not show her the panel's scores."""
    SETUP[:] = [setup]
    with app.app_context():
        screen = plan(client, setup, when="2026-01-05T09:00", interviewers=[setup["first"].id])
        screen_card = screen[setup["first"].id]
    client.post(
        f"/interviews/plan/{setup['candidate'].id}",
        data={"kind": "panel", "scheduled_at": "2026-01-09T09:00", "template_id": setup["template"],
              "interviewers": [setup["first"].id, setup["second"].id]},
    )  # fmt: skip
    with app.app_context():
        panel = dict(
            db.session.execute(
                db.select(Scorecard.interviewer_id, Scorecard.id).where(Scorecard.id != screen_card)
            ).all()
        )
    ivy, ian = as_user(app, setup["first"]), as_user(app, setup["second"])
    fill(ian, panel[setup["second"].id], coachability=1)
    fill(ivy, screen_card, coachability=4)
    panel_page = ivy.get(f"/interviews/scorecards/{panel[setup['first'].id]}").text
    assert "Ian Second" not in panel_page and "All submitted scorecards" not in panel_page


def test_two_tabs_saving_drafts_with_only_rating_changes_conflict(app, setup, cards):
    ivy = as_user(app, setup["first"])
    card = cards[setup["first"].id]
    assert fill(ivy, card, action="save", recommendation="", version=1, coachability=5).status_code == 302
    # Two tabs opened at version 2; both change ratings only (the scorecard row itself stays the same).
    assert fill(ivy, card, action="save", recommendation="", version=2, coachability=5, drive=3).status_code == 302
    second_tab = fill(ivy, card, action="save", recommendation="", version=2, coachability=5, resilience=2)
    assert second_tab.status_code == 200
    assert "Someone else saved this record" in second_tab.text.replace("&#39;", "'")
    with app.app_context():
        scores = {r.trait.key: r.score for r in db.session.get(Scorecard, card).ratings if r.score}
    assert scores == {"coachability": 5, "drive": 3}


@pytest.mark.parametrize("field", ["rating", "recommendation"])
def test_whitespace_values_are_treated_as_empty_not_a_crash(app, setup, cards, field):
    ivy = as_user(app, setup["first"])
    card = cards[setup["first"].id]
    data = {**ratings(setup), "recommendation": "", "action": "save", "version": 1}
    data["recommendation" if field == "recommendation" else f"rating_{setup['traits']['drive']}"] = " "
    assert ivy.post(f"/interviews/scorecards/{card}", data=data).status_code == 302


def test_planning_the_same_interview_twice_adds_it_once(app, client, setup, cards):
    when = "2027-03-01T10:00"
    for _ in range(2):
        client.post(
            f"/interviews/plan/{setup['candidate'].id}",
            data={"kind": "panel", "scheduled_at": when, "interviewers": [setup["first"].id],
                  "template_id": setup["template"]},
        )  # fmt: skip
    page = client.get(f"/candidates/{setup['candidate'].id}").text
    assert "This interview is already planned" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Interview)) == 2  # the fixture's + one
