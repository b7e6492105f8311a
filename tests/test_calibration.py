"""Interviewer calibration: means, leniency against colleagues on the same candidates, blank share."""

from hiring.calibration import calibration
from models import Role
from tests.factories import make_candidate, make_scorecard, make_user, sign_in_as


def test_calibration_compares_each_interviewer_with_colleagues(app):
    with app.app_context():
        lenient, severe, fair = (make_user(Role.INTERVIEWER, name=n) for n in ("Len", "Sev", "Fay"))
        ada, bo = make_candidate(), make_candidate()
        make_scorecard(ada.id, lenient.id, {"drive": 5, "resilience": 5})
        make_scorecard(ada.id, severe.id, {"drive": 1, "resilience": None})
        make_scorecard(ada.id, fair.id, {"drive": 3, "resilience": 4})
        make_scorecard(bo.id, lenient.id, {"drive": 4, "resilience": None})
        make_scorecard(bo.id, fair.id, {"drive": 3, "resilience": 3})
        make_scorecard(bo.id, severe.id, {"drive": 2}, submitted=False)  # drafts do not count
        traits, rows = calibration()
    by_name = {row.interviewer.name: row for row in rows}
    drive = next(t.id for t in traits if t.name == "Drive")
    assert [row.interviewer.name for row in rows] == ["Fay", "Len", "Sev"]
    assert (by_name["Len"].scorecards, by_name["Sev"].scorecards) == (2, 1)
    # Len on drive: Ada 5 vs colleagues (1+3)/2=2 -> +3; Bo 4 vs 3 -> +1; mean offset +2.
    assert by_name["Len"].traits[drive].mean == 4.5
    assert by_name["Len"].traits[drive].offset == 2.0 and by_name["Len"].traits[drive].compared == 2
    # Sev on drive: Ada 1 vs (5+3)/2=4 -> -3.
    assert by_name["Sev"].traits[drive].offset == -3.0
    assert by_name["Sev"].blank_share == 0.5 and by_name["Fay"].blank_share == 0.0
    assert by_name["Len"].overall_offset > 0 > by_name["Sev"].overall_offset


def test_calibration_page(app, client, manager):
    with app.app_context():
        ivy = make_user(Role.INTERVIEWER, name="Ivy")
        make_scorecard(make_candidate().id, ivy.id, {"drive": 4})
    page = client.get("/interviews/calibration").text
    assert "Interviewer calibration" in page and '<th scope="row">Ivy</th>' in page and "4.00" in page
    interviewer_client = app.test_client()
    sign_in_as(interviewer_client, ivy)
    assert interviewer_client.get("/interviews/calibration").status_code == 403
