"""Finding likely duplicates by e-mail, phone, LinkedIn URL and similar name at the same company."""

import pytest

from hiring.duplicates import find_duplicates, name_similarity
from tests.factories import make_candidate


@pytest.mark.parametrize(
    "a, b, similar",
    [
        ("Jon Smith", "John Smith", True),
        ("Ana López", "ana lopez", True),
        ("Lopez Ana", "Ana Lopez", True),
        ("John Johnson", "Jon Johnson", True),
        ("Catherine Foster", "Katherine Foster", True),
        ("Ana Lopez", "Anna Lopes", False),
        ("Mia Wong", "Leo Wong", False),
    ],
)
def test_name_similarity(a, b, similar):
    assert (name_similarity(a, b) >= 0.85) is similar


@pytest.mark.parametrize(
    "fields, reasons",
    [
        ({"emails": ["MIA@globex.com "]}, ("same e-mail",)),
        ({"emails": ["mia.private@mail.example"]}, ("same e-mail",)),  # the second address matches too
        ({"phone": "+1 (415) 555-0100"}, ("same phone",)),
        ({"linkedin_url": "linkedin.com/in/mialopez/"}, ("same LinkedIn URL",)),
        ({"name": "Mía Lopez", "company": "GLOBEX"}, ("similar name at the same company",)),
        ({"name": "Mia Lopez", "company": "Initech"}, None),
        ({"name": "Leo Park", "company": "Globex"}, None),
        ({"emails": ["other@globex.com"], "phone": "415 555 0199"}, None),
    ],
)
def test_find_duplicates(app, fields, reasons):
    with app.app_context():
        existing = make_candidate(
            name="Mia Lopez",
            email="mia@globex.com",
            alt_email="mia.private@mail.example",
            phone="415-555-0100",
            linkedin_url="https://www.linkedin.com/in/MiaLopez",
            company="Globex",
        )
        matches = find_duplicates(**fields)
        assert [(m.candidate.id, m.reasons) for m in matches] == ([(existing.id, reasons)] if reasons else [])
        assert find_duplicates(**fields, exclude_id=existing.id) == []


def test_all_reasons_are_reported(app):
    with app.app_context():
        make_candidate(name="Mia Lopez", email="mia@globex.com", phone="415-555-0100", company="Globex")
        (match,) = find_duplicates(name="Mia Lopez", emails=["mia@globex.com"], phone="4155550100", company="Globex")
        assert match.reasons == ("same e-mail", "same phone", "similar name at the same company")
