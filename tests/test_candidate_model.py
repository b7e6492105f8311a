"""Candidate records: normalised contact details and full-text search on both databases."""

import pytest

from models import Candidate, db
from models.contact import normalize_linkedin, normalize_phone
from models.search import matches_search
from tests.factories import make_candidate


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("(415) 555-0100", "+14155550100"),
        ("+44 20 7946 0958", "+442079460958"),
        ("0044 20 7946 0958", "+442079460958"),
        ("415.555.0100 ", "+14155550100"),
        ("12", "12"),
        ("", None),
    ],
)
def test_phone_numbers_are_normalised(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("https://www.linkedin.com/in/Mia-Lopez/", "linkedin.com/in/mia-lopez"),
        ("http://de.linkedin.com/in/mia-lopez?trk=x", "linkedin.com/in/mia-lopez"),
        ("linkedin.com/in/mia-lopez", "linkedin.com/in/mia-lopez"),
        ("https://mia.example/", "mia.example"),
    ],
)
def test_linkedin_urls_are_normalised(raw, expected):
    assert normalize_linkedin(raw) == expected


def test_candidate_normalises_on_assignment(app):
    with app.app_context():
        candidate = make_candidate(
            email=" Mia@Example.COM ", phone="(415) 555-0100", linkedin_url="https://www.linkedin.com/in/Mia/"
        )
    assert (candidate.email, candidate.phone_normalized, candidate.linkedin_key) == (
        "mia@example.com",
        "+14155550100",
        "linkedin.com/in/mia",
    )


def search(app, query):
    with app.app_context():
        clause = matches_search(query, db.engine.dialect.name)
        return db.session.scalars(db.select(Candidate.name).where(clause).order_by(Candidate.name)).all()


def test_search_finds_words_in_every_indexed_field_by_prefix(app):
    with app.app_context():
        make_candidate(
            name="José Álvarez",
            email="jose@acme.io",
            company="Acme Robotics",
            title="Enterprise AE",
            tags=["saas", "fintech"],
            notes="Met at SaaStr; strong closer",
            location="Austin",
            phone="415 555 0100",
            external_id="OC-42",
        )
        make_candidate(name="Mia Lopez", email="mia@globex.com", company="Globex", title="SDR")
    for query in [
        "jose",
        "JOSÉ",
        "alv",
        "acme",
        "robotics",
        "enterprise",
        "saas",
        "fintech",
        "saastr",
        "closer",
        "austin",
        "jose@acme.io",
        "4155550100",
        "oc-42",
        "José Acme",
    ]:
        assert search(app, query) == ["José Álvarez"], query
    assert search(app, "globex") == ["Mia Lopez"]
    assert search(app, "acme globex") == []
    assert search(app, "nothing") == []


def test_search_follows_edits_and_deletions(app):
    with app.app_context():
        candidate = make_candidate(name="Mia Lopez", company="Globex")
        row = db.session.get(Candidate, candidate.id)
        row.company = "Initech"
        db.session.commit()
    assert search(app, "globex") == []
    assert search(app, "initech") == ["Mia Lopez"]
    with app.app_context():
        db.session.delete(db.session.get(Candidate, candidate.id))
        db.session.commit()
    assert search(app, "initech") == []


@pytest.mark.parametrize("query", ["", "   ", "!!!", '" OR 1=1 --', "* NEAR(", "a:*|b"])
def test_search_treats_operators_as_plain_text(app, query):
    with app.app_context():
        make_candidate(name="Mia Lopez")
    result = search(app, query) if matches_search(query, "sqlite") is not None else None
    assert result in (None, [])
