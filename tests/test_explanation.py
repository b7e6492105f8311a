"""The explanation a manager can hand to a candidate: what was assessed, the factors, that a person decided."""

from datetime import UTC, datetime

import pytest

from models import (
    AuditEntry,
    CandidateScore,
    Certainty,
    Decision,
    DecisionKind,
    ModelVersion,
    RaceEthnicity,
    Rating,
    Role,
    SelfIdentification,
    Sex,
    Tier,
    db,
)
from tests.factories import make_candidate, make_opening, make_scorecard, make_user, sign_in_as

REASONS = {
    "up": [{"key": "coachability", "label": "Coachability", "effect": 6.2, "value": "4.5 (2 ratings)"}],
    "down": [
        {"key": "drive", "label": "Drive", "effect": -3.1, "value": "2.0 (1 rating)"},
        {"key": "recommendations", "label": "Recommendations", "effect": -1.0, "value": "yes, no"},
    ],
    "certainty": ["only two interviews"],
}


@pytest.fixture
def assessed(app):
    """Ada, interviewed twice (one note), scored by model version 7, with two decisions by Dana and EEO answers."""
    with app.app_context():
        irene = make_user(Role.INTERVIEWER, name="Irene Interviewer")
        ian = make_user(Role.INTERVIEWER, name="Ian Asker")
        dana = make_user(Role.MANAGER, name="Dana Decider")
        ada = make_candidate(name="Ada Byron")
        first = make_scorecard(ada.id, irene.id, {"coachability": 4, "drive": 2, "resilience": None})
        make_scorecard(ada.id, ian.id, {"coachability": 5}, recommendation="no")
        make_scorecard(ada.id, ian.id, {"integrity": 1}, submitted=False)  # a draft is not evidence yet
        rating = db.session.scalars(db.select(Rating).where(Rating.scorecard_id == first)).first()
        rating.note = "Talked over me twice"
        version = ModelVersion(number=7, file_name="x.skops", file_sha256="0" * 64, rule={}, features=[], data={},
                               libraries={}, report={})  # fmt: skip
        db.session.add(version)
        db.session.flush()
        db.session.add(
            CandidateScore(candidate_id=ada.id, model_version_id=version.id, p_a=0.4, p_b=0.4, p_c=0.2, score=61.7,
                           predicted_tier=Tier.B, certainty=Certainty.MEDIUM, reasons=REASONS, interviews=2)
        )  # fmt: skip
        opening = make_opening(title="SMB Account Executive")
        db.session.add_all([
            Decision(candidate_id=ada.id, kind=DecisionKind.FORWARD, decided_by_id=dana.id, opening_id=opening.id,
                     decided_at=datetime(2025, 3, 4, 10, tzinfo=UTC), reason="Internal: strong referral",
                     model_version_number=7, model_tier=Tier.B, model_p_a=0.4, model_score=61.7),
            Decision(candidate_id=ada.id, kind=DecisionKind.REJECT, decided_by_id=dana.id,
                     decided_at=datetime(2025, 4, 5, 10, tzinfo=UTC), reason="Internal: budget"),
            SelfIdentification(candidate_id=ada.id, sex=Sex.FEMALE, race_ethnicity=RaceEthnicity.HISPANIC_LATINO),
        ])  # fmt: skip
        db.session.commit()
        return ada.id


def test_the_explanation_says_what_was_assessed_the_factors_and_that_people_decided(app, client, manager, assessed):
    app.config["AUTOMATED_ASSESSMENT_NOTICE"] = "Our notice: the model advises, people decide."
    response = client.get(f"/candidates/{assessed}/explanation")
    assert response.status_code == 200
    page = " ".join(response.text.split())  # whitespace as a reader sees it
    assert "How Bench assessed your application" in page and "For Ada Byron" in page
    assert "2 interviewers submitted 2 scorecards from 2 interviews" in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert '<td>Coachability</td><td class="text-end">2 interviewers</td>' in rows
    assert '<td>Drive</td><td class="text-end">1 interviewer</td>' in rows
    assert "Resilience" not in rows and "Integrity" not in rows  # not rated; only in a draft
    assert "version 7" in page and "expected fit of 62 out of 100" in page and "medium certainty" in page
    assert "Coachability: how the interviewers rated it raised the assessment" in page
    assert "Drive: how the interviewers rated it lowered the assessment" in page
    assert "overall recommendations lowered the assessment" in page
    assert "Every decision about your application was made by a person." in page
    assert "2025-03-04" in page and "Moved forward (by a person)" in page and "SMB Account Executive" in page
    assert "2025-04-05" in page and "Rejected (by a person)" in page
    assert "Our notice: the model advises, people decide." in page
    assert "@media print" in page and "d-print-none" in page
    # Nothing about individuals: no ratings, interviewer or decider names, notes, internal reasons or EEO answers.
    for secret in ("Irene Interviewer", "Ian Asker", "Dana Decider", "Talked over me", "Internal:", "4.5 (2",
                   "Female", "Hispanic", "Latino", "Strong no", "B-player"):  # fmt: skip
        assert secret not in page, secret
    with app.app_context():
        entry = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "candidate.explanation_viewed")
        ).one()
        assert (entry.target_type, entry.target_id, entry.details) == ("Candidate", str(assessed), {})


def test_an_unscored_candidate_is_told_no_automated_assessment_was_made(app, client, manager):
    with app.app_context():
        ada = make_candidate(name="Ada Byron")
    page = client.get(f"/candidates/{ada.id}/explanation").text
    assert "No automated assessment was made for you." in page
    assert "No interview scorecard has been submitted for you" in page
    assert "No decision about your application has been recorded yet." in page
    assert app.config["AUTOMATED_ASSESSMENT_NOTICE"][:40] in page


def test_a_score_shown_at_a_decision_but_gone_since_is_mentioned(app, client, manager, assessed):
    with app.app_context():
        db.session.execute(db.delete(CandidateScore))
        db.session.commit()
    page = client.get(f"/candidates/{assessed}/explanation").text
    assert "An automated assessment was shown to the person deciding" in page
    assert "No automated assessment was made" not in page


def test_the_candidate_page_links_to_the_explanation(client, manager, app):
    with app.app_context():
        ada = make_candidate(name="Ada Byron")
    page = client.get(f"/candidates/{ada.id}").text
    assert f'href="/candidates/{ada.id}/explanation"' in page


@pytest.mark.parametrize("role, status", [(Role.INTERVIEWER, 403), (Role.ADMIN, 200), (Role.MANAGER, 200)])
def test_only_managers_and_admins_see_an_explanation(app, client, role, status):
    with app.app_context():
        user = make_user(role)
        ada = make_candidate(name="Ada Byron")
    sign_in_as(client, user)
    assert client.get(f"/candidates/{ada.id}/explanation").status_code == status
    assert client.get("/candidates/999999/explanation").status_code == (404 if status == 200 else 403)
    with app.app_context():
        viewed = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "candidate.explanation_viewed"))
        assert len(viewed.all()) == (1 if status == 200 else 0)
