"""Comparing 2 to 5 candidates side by side: ratings, flags, recommendations, fit, notes, roles, no EEO data."""

import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from models import (
    CandidateScore,
    Certainty,
    DisabilityStatus,
    Hire,
    ModelVersion,
    RaceEthnicity,
    Role,
    Scorecard,
    SelfIdentification,
    Sex,
    Tier,
    VeteranStatus,
    db,
)
from tests.factories import make_candidate, make_scorecard, make_user, sign_in_as
from tests.test_pool import count_queries

RATINGS = "Combined trait ratings, spread and number of ratings per candidate"
FIT = "Predicted fit of each candidate, with certainty and reasons"
BACKGROUND = "Sales background of each candidate"


class TableReader(HTMLParser):
    """Collect the tables of a page by caption: each a list of rows, each a list of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self._name = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._name] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    """The page's tables by caption."""
    reader = TableReader()
    reader.feed(html)
    return reader.tables


def row(table: list[list[str]], label: str) -> list[str]:
    """The cells of the row headed ``label`` (without the heading; soft hyphens ignored)."""
    return next(cells[1:] for cells in table if cells and cells[0].replace("\u00ad", "") == label)


def compare_url(*ids) -> str:
    """The comparison page of these candidate ids."""
    return "/compare?" + "&".join(f"ids={candidate_id}" for candidate_id in ids)


@pytest.fixture
def raters(app):
    """Three interviewers' ids."""
    with app.app_context():
        return [make_user(Role.INTERVIEWER, name=f"Rater {n}").id for n in range(3)]


@pytest.fixture
def pair(app, manager, raters):
    """Ada (two scorecards that disagree on coachability) and Bo (one scorecard, with a full background)."""
    with app.app_context():
        ada = make_candidate(name="Ada Byron", title="AE", company="Initech", location="Lyon", notes="Met at SaaStr.")
        bo = make_candidate(
            name="Bo Diddley", segment="enterprise", typical_deal_size=120000, sales_cycle_days=90,
            quota_years=4.5, past_attainment_pct=118, attainment_verified=True,
        )  # fmt: skip
        make_scorecard(ada.id, raters[0], {"coachability": 4, "drive": 5, "resilience": 4}, "strong_yes")
        make_scorecard(ada.id, raters[1], {"coachability": 2, "drive": 5, "resilience": 3}, "no")
        make_scorecard(bo.id, raters[2], {"coachability": 3, "drive": 2, "resilience": None}, "yes")
    return ada, bo


def test_two_candidates_side_by_side(client, pair):
    ada, bo = pair
    response = client.get(compare_url(ada.id, bo.id))
    assert response.status_code == 200
    html = response.text
    assert f'href="/candidates/{ada.id}"' in html and f'href="/candidates/{bo.id}"' in html
    assert "AE at Initech" in html and "Lyon" in html
    ratings = tables(html)[RATINGS]
    assert row(ratings, "Coachability") == ["3 Disagreement spread 2 · 2 ratings", "3 spread 0 · 1 rating"]
    assert row(ratings, "Drive") == ["5 spread 0 · 2 ratings", "2 spread 0 · 1 rating"]
    assert row(ratings, "Resilience") == ["3.5 spread 1 · 2 ratings", "not rated"]
    assert row(ratings, "Recommendations") == [
        "Strong yes: 1 Yes: 0 No: 1 Strong no: 0",
        "Strong yes: 0 Yes: 1 No: 0 Strong no: 0",
    ]
    assert row(ratings, "Scorecards")[0] == "2: Rater 0, Rater 1"
    # The chart, with its numbers readable as a table.
    assert 'id="ratings-chart"' in html
    chart = tables(html)["Combined rating (mean of the ratings given, 1–5) by trait"]
    assert ["Coachability", "3", "3"] in chart and ["Resilience", "3.5", "not rated"] in chart
    background = tables(html)[BACKGROUND]
    assert row(background, "Segment") == ["—", "Enterprise"]
    assert row(background, "Typical deal size") == ["—", "120,000 USD"]
    assert row(background, "Sales cycle") == ["—", "90 days"]
    assert row(background, "Years carrying quota") == ["—", "4.5"]
    assert row(background, "Past attainment") == ["—", "118 % verified"]
    assert "Met at SaaStr." in html
    # Nobody is scored: the candidate page's words, and the oversight note.
    assert html.count("No fit score:") == 2
    assert "Advice, not a decision." in html


def test_five_candidates_keep_the_order_asked_for(app, client, manager, raters):
    with app.app_context():
        people = [make_candidate(name=f"Person {n}") for n in range(5)]
        for n, person in enumerate(people[:4]):
            make_scorecard(person.id, raters[0], {"drive": n + 1})
            make_scorecard(person.id, raters[1], {"drive": n + 1 if n % 2 else 5})
    order = [people[4], *people[:4]]
    response = client.get(compare_url(*(person.id for person in order)))
    assert response.status_code == 200
    ratings = tables(response.text)[RATINGS]
    assert ratings[0][1:] == [person.name for person in order]
    assert row(ratings, "Drive") == [
        "not rated",
        "3 Disagreement spread 4 · 2 ratings",
        "2 spread 0 · 2 ratings",
        "4 Disagreement spread 2 · 2 ratings",
        "4 spread 0 · 2 ratings",
    ]
    assert "Not interviewed yet: there is no submitted scorecard, so there is no fit score." in response.text


def add_version(active: bool = True) -> ModelVersion:
    """A model version row (no file behind it), as training would leave."""
    version = ModelVersion(number=7, file_name="missing.skops", file_sha256="0" * 64, rule={}, features=[], data={},
                           libraries={}, report={"n_reps": 40, "accuracy_words": "It was right 7 times in 10."},
                           active=active)  # fmt: skip
    db.session.add(version)
    db.session.flush()
    return version


def test_fit_shown_with_reasons_and_certainty(app, client, pair):
    ada, bo = pair
    with app.app_context():
        version = add_version()
        reasons = {
            "up": [{"key": "drive", "label": "Drive", "effect": 6.2, "value": "5.0"}],
            "down": [{"key": "coachability", "label": "Coachability", "effect": -3.1, "value": "3.0"}],
            "certainty": ["interviewers disagree on coachability"],
        }
        db.session.add(
            CandidateScore(candidate_id=ada.id, model_version_id=version.id, p_a=0.72, p_b=0.2, p_c=0.08, score=81.4,
                           predicted_tier=Tier.A, certainty=Certainty.MEDIUM, reasons=reasons, interviews=2)
        )  # fmt: skip
        hired = make_candidate(name="Hal Hired")
        make_scorecard(hired.id, make_user(Role.INTERVIEWER).id, {"drive": 4})
        db.session.add(Hire(candidate_id=hired.id, hired_on=date(2024, 1, 2)))
        db.session.commit()
    response = client.get(compare_url(ada.id, bo.id, hired.id))
    assert response.status_code == 200
    fit = tables(response.text)[FIT]
    assert row(fit, "Predicted tier")[0] == "A-player"
    assert row(fit, "Expected fit") == ["81 of 100"]  # the others' one cell spans the fit rows
    assert row(fit, "P(A)") == ["72 %"]
    assert row(fit, "Certainty") == ["Medium interviewers disagree on coachability"]
    assert row(fit, "Pushes fit up") == ["▲ Drive: 5.0 (+6.2)"]
    assert row(fit, "Pulls fit down") == ["▼ Coachability: 3.0 (-3.1)"]
    # Bo is interviewed but unscored: why, as the candidate page says it; a hire is judged by results.
    assert row(fit, "Predicted tier")[1].startswith("No fit score: Model version 7 is unavailable")
    assert row(fit, "Predicted tier")[2] == "Hired: a rep is judged by their results, not by a predicted fit."
    assert "Advice, not a decision." in response.text and "version 7" in response.text


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "No candidate was picked."),
        ("ids={a}", "You picked 1."),
        ("ids={a}&ids={a}", "You picked 1."),  # the same candidate twice is one candidate
        ("ids=1&ids=2&ids=3&ids=4&ids=5&ids=6", "You picked 6."),
        ("ids={a}&ids=x", "a candidate id is not valid"),
        ("ids={a}&ids=99999999999999999999", "a candidate id is not valid"),  # not a 500 on PostgreSQL
    ],
)
def test_too_few_or_too_many_is_a_400_with_a_message(client, pair, query, message):
    ada, _ = pair
    response = client.get("/compare?" + query.format(a=ada.id) + "&back=/candidates/?q=saas")
    assert response.status_code == 400
    assert "Pick 2 to 5 candidates to compare side by side." in response.text
    assert message in response.text
    assert 'href="/candidates/?q=saas"' in response.text  # back to the list it came from


def test_back_never_leaves_the_site(client, pair):
    ada, _ = pair
    response = client.get(f"/compare?ids={ada.id}&back=https://evil.example/")
    assert "evil.example" not in response.text and 'href="/candidates/"' in response.text


def test_an_unknown_candidate_is_404(client, pair):
    ada, _ = pair
    assert client.get(compare_url(ada.id, 999999)).status_code == 404


def test_duplicate_ids_collapse(client, pair):
    ada, bo = pair
    response = client.get(compare_url(ada.id, bo.id, ada.id))
    assert response.status_code == 200
    assert tables(response.text)[RATINGS][0][1:] == ["Ada Byron", "Bo Diddley"]


def test_ids_from_the_pool_lists_bulk_form(client, pair):
    """The bulk form sends all its fields; the page keeps only the ids (and the way back) in the address."""
    ada, bo = pair
    page = client.get("/candidates/").text
    assert re.search(r'formaction="/compare"\s+formmethod="get"', page)
    response = client.get(
        f"/compare?csrf_token=secret&back=/candidates/?sort=name&ids={ada.id}&ids={bo.id}&action=&tag=&owner="
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/compare"
    assert parse_qs(location.query) == {"ids": [str(ada.id), str(bo.id)], "back": ["/candidates/?sort=name"]}
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize("role, status", [(Role.INTERVIEWER, 403), (Role.ADMIN, 200), (Role.MANAGER, 200)])
def test_roles(app, client, pair, role, status):
    ada, bo = pair
    with app.app_context():
        user = make_user(role)
    sign_in_as(client, user)
    assert client.get(compare_url(ada.id, bo.id)).status_code == status
    assert client.get(compare_url(ada.id)).status_code == (403 if role == Role.INTERVIEWER else 400)


def test_signed_out_is_sent_to_sign_in(app, pair):
    ada, bo = pair
    response = app.test_client().get(compare_url(ada.id, bo.id))
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_no_self_identification_on_the_page(app, client, pair):
    ada, bo = pair
    with app.app_context():
        db.session.add(
            SelfIdentification(
                candidate_id=ada.id,
                sex=Sex.NON_BINARY,
                race_ethnicity=RaceEthnicity.NATIVE_HAWAIIAN_PACIFIC,
                veteran=VeteranStatus.PROTECTED,
                disability=DisabilityStatus.YES,
            )
        )
        db.session.commit()
    html = client.get(compare_url(ada.id, bo.id)).text
    for label in ("Non-binary", "Native Hawaiian", "Protected veteran", "Has a disability", "Self-identification"):
        assert label not in html


def test_interview_notes_are_shortened(app, client, pair):
    ada, bo = pair
    with app.app_context():
        card = db.session.scalar(db.select(Scorecard).where(Scorecard.candidate_id == ada.id))
        card.answers = {"Tell us about a lost deal": "Lost it to price. " + "x" * 400}
        card.ratings[0].note = "Took the feedback at once."
        candidate = db.session.get(type(ada), ada.id)
        candidate.notes = "Referred by Kim. " + "y" * 600
        db.session.commit()
    html = client.get(compare_url(ada.id, bo.id)).text
    assert "Lost it to price." in html and "x" * 300 not in html
    assert "Took the feedback at once." in html
    assert "Referred by Kim." in html and "y" * 300 not in html


def test_queries_do_not_grow_with_candidates_or_scorecards(app, client, manager, raters):
    with app.app_context():
        people = [make_candidate() for _ in range(5)]
        make_scorecard(people[0].id, raters[0], {"drive": 3})
        make_scorecard(people[1].id, raters[0], {"drive": 4})
    small = count_queries(app, client, compare_url(people[0].id, people[1].id))
    with app.app_context():
        for person in people:
            for rater in raters:
                make_scorecard(person.id, rater, {"drive": 3, "coachability": 4})
    large = count_queries(app, client, compare_url(*(person.id for person in people)))
    assert large == small, (small, large)
