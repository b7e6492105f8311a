"""The pool list: search, every filter, sorting, paging, going cold, bulk actions and CSV export."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from hiring.export import safe_cell
from hiring.pool import pool_page, pool_query
from models import (
    Application,
    AuditEntry,
    Candidate,
    CandidateScore,
    Certainty,
    ModelVersion,
    PoolStatus,
    Role,
    Segment,
    Source,
    Tier,
    db,
)
from tests.factories import make_candidate, make_opening, make_user, sign_in_as

TODAY = date.today()


@pytest.fixture
def pool(app, client):
    """Sign in as a manager over a small, varied pool; return the ids by first name."""
    with app.app_context():
        manager = make_user(Role.MANAGER, name="Max Manager")
        other = make_user(Role.MANAGER, name="Olga Other")
        opening = make_opening(title="SMB AE")
        long_ago = datetime.now(UTC) - timedelta(days=90)
        people = {
            "ada": make_candidate(name="Ada Byron", company="Acme", title="AE", status=PoolStatus.ENGAGED,
                                  source=Source.REFERRAL, referrer="X", segment=Segment.SMB, owner_id=manager.id,
                                  tags=["saas"], next_touch_on=TODAY - timedelta(days=1), location="Austin"),
            "bo": make_candidate(name="Bo Chen", company="Globex", title="SDR", status=PoolStatus.PROSPECT,
                                 source=Source.EVENT, segment=Segment.ENTERPRISE, owner_id=other.id,
                                 tags=["saas", "fintech"], next_touch_on=TODAY + timedelta(days=10),
                                 last_touch_at=datetime.now(UTC)),
            "cy": make_candidate(name="Cy Diaz", company="Initech", title="Senior AE", status=PoolStatus.NOT_NOW,
                                 source=Source.INBOUND, notes="Strong closer", last_touch_at=long_ago),
            "di": make_candidate(name="Di Evans", company="Acme", status=PoolStatus.REJECTED,
                                 next_touch_on=TODAY - timedelta(days=3)),
        }  # fmt: skip
        db.session.add(Application(candidate_id=people["bo"].id, opening_id=opening.id, stage="screen"))
        db.session.add(Application(candidate_id=people["cy"].id, opening_id=opening.id, stage="sourced"))
        db.session.commit()
    sign_in_as(client, manager)
    ids = {key: c.id for key, c in people.items()}
    ids.update(manager=manager.id, other=other.id, opening=opening.id)
    return ids


def listed(client, query=""):
    """Return the candidate names shown on the list page, in order, and the page text."""
    response = client.get("/candidates/" + query)
    assert response.status_code == 200
    return re.findall(r'<a href="/candidates/\d+">([^<]+)</a>', response.text), response.text


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?sort=name", ["Ada Byron", "Bo Chen", "Cy Diaz", "Di Evans"]),
        ("?sort=-name", ["Di Evans", "Cy Diaz", "Bo Chen", "Ada Byron"]),
        ("?q=acme&sort=name", ["Ada Byron", "Di Evans"]),
        ("?q=closer", ["Cy Diaz"]),
        ("?q=saas&sort=name", ["Ada Byron", "Bo Chen"]),
        ("?status=not_now", ["Cy Diaz"]),
        ("?source=event", ["Bo Chen"]),
        ("?segment=smb", ["Ada Byron"]),
        ("?tag=fintech", ["Bo Chen"]),
        ("?owner=none&sort=name", ["Cy Diaz", "Di Evans"]),
        ("?opening={opening}&sort=name", ["Bo Chen", "Cy Diaz"]),
        ("?opening={opening}&stage=screen", ["Bo Chen"]),
        ("?stage=sourced", ["Cy Diaz"]),
        ("?touch=due", ["Ada Byron"]),  # Di is overdue too, but rejected: no longer kept warm
        ("?touch=cold&sort=name", ["Ada Byron", "Cy Diaz"]),  # due, or untouched for 30+ days
        ("?touch=none&sort=name", ["Cy Diaz"]),
        ("?q=saas&tag=fintech&status=prospect", ["Bo Chen"]),
        ("?q=saas&status=not_now", []),
        ("?sort=-next_touch", ["Bo Chen", "Ada Byron", "Di Evans", "Cy Diaz"]),  # empty dates last
        ("?sort=company", ["Ada Byron", "Di Evans", "Bo Chen", "Cy Diaz"]),  # ties keep the order of adding
        ("?sort=owner", ["Ada Byron", "Bo Chen", "Cy Diaz", "Di Evans"]),
    ],
)
def test_search_filters_and_sorts(client, pool, query, expected):
    names, _ = listed(client, query.format(**pool))
    assert names == expected


def test_owner_filter_by_user(client, pool):
    names, _ = listed(client, f"?owner={pool['other']}")
    assert names == ["Bo Chen"]


def test_paging_edges_and_total(app, client, pool):
    app.config["PAGE_SIZE"] = 3
    names, text = listed(client, "?sort=name")
    assert names == ["Ada Byron", "Bo Chen", "Cy Diaz"] and "Showing 1–3 of 4 candidates." in text
    names, text = listed(client, "?sort=name&page=2")
    assert names == ["Di Evans"] and "Showing 4–4 of 4 candidates." in text
    assert 'href="/candidates/?sort=name&amp;page=1"' in text  # the query is kept in page links
    names, text = listed(client, "?sort=name&page=9")
    assert names == [] and "Page 9 is past the end: there are 4 candidates." in text
    names, text = listed(client, "?q=nobody-matches-this")
    assert "No candidates match." in text


@pytest.mark.parametrize("query", ["?status=asleep", "?sort=shoe_size", "?touch=later", "?opening=abc"])
def test_bad_filters_are_explained(client, pool, query):
    names, text = listed(client, query)
    assert names == [] and "Not a valid choice." in text


def test_bulk_actions(app, client, pool):
    back = "/candidates/?sort=name"
    ids = [pool["ada"], pool["cy"]]
    response = client.post("/candidates/bulk", data={"ids": ids, "action": "tag", "tag": " Hunter ", "back": back})
    assert response.headers["Location"] == back
    client.post("/candidates/bulk", data={"ids": ids, "action": "owner", "owner": str(pool["other"])})
    client.post("/candidates/bulk", data={"ids": ids, "action": "next_touch", "next_touch_on": "2027-02-01"})
    client.post("/candidates/bulk", data={"ids": ids, "action": "opening", "opening": str(pool["opening"])})
    with app.app_context():
        for candidate_id in ids:
            c = db.session.get(Candidate, candidate_id)
            assert "hunter" in c.tag_names and c.owner_id == pool["other"] and c.next_touch_on == date(2027, 2, 1)
        stages = db.session.execute(
            db.select(Application.candidate_id, Application.stage).where(Application.opening_id == pool["opening"])
        ).all()
        assert sorted(stages) == sorted([(pool["ada"], "sourced"), (pool["bo"], "screen"), (pool["cy"], "sourced")])
        actions = db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.action.like("candidates.bulk%")))
        assert len(actions.all()) == 3
    page = client.get("/candidates/").text
    assert re.findall(r"Done: [^<]*", page) == [
        *["Done: 2 of 2 selected candidates changed."] * 3,
        "Done: 1 of 2 selected candidates changed.",  # Cy was already considered for the opening
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "tag"}, "Choose the tag to apply."),
        ({"action": "tag", "tag": "x", "ids": []}, "This field is required."),
        ({"action": "fly", "tag": "x"}, "Not a valid choice."),
    ],
)
def test_bulk_action_errors(client, pool, data, message):
    data = {"ids": [pool["ada"]], **data}
    response = client.post("/candidates/bulk", data=data, follow_redirects=True)
    assert message in response.text


def test_export_is_the_filtered_list_as_safe_csv(app, client, pool):
    with app.app_context():
        make_candidate(name='=HYPERLINK("http://evil")', company="+cmd", tags=["saas"], notes="@SUM(A1)")
    response = client.get("/candidates/export.csv?tag=saas&sort=name")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["name"] for row in rows] == ['\'=HYPERLINK("http://evil")', "Ada Byron", "Bo Chen"]
    assert rows[0]["company"] == "'+cmd" and rows[0]["notes"] == "'@SUM(A1)"
    assert rows[2]["tags"] == "fintech; saas" and rows[1]["status"] == "engaged"
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "candidates.exported")).one()
        assert entry.details == {"filters": ["sort", "tag"]}


@pytest.mark.parametrize(
    "value, expected", [("=1+1", "'=1+1"), ("-2", "'-2"), ("\tx", "'\tx"), ("@x", "'@x"), ("ok", "ok"), (None, "")]
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_going_cold_respects_the_configured_days(app, client, pool):
    app.config["GOING_COLD_DAYS"] = 200
    names, _ = listed(client, "?touch=cold&sort=name")
    assert names == ["Ada Byron"]  # Cy's 90 days no longer count as cold


def count_queries(app, client, url) -> int:
    """Return how many SQL statements one request runs."""
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*args):
        statements.append(args[2])

    db.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        db.event.remove(engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize("url", ["/candidates/?sort=owner", "/candidates/?q=saas", "/candidates/{ada}"])
def test_pages_run_a_bounded_number_of_queries(app, client, pool, url):
    """No N+1: the query count does not grow with the rows shown."""
    url = url.format(**pool)
    before = count_queries(app, client, url)
    with app.app_context():
        for number in range(12):
            make_candidate(name=f"Extra {number}", tags=["saas", f"t{number}"], owner_id=pool["manager"])
    assert count_queries(app, client, url) == before


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("get", "/candidates/?owner=%20", None),
        ("get", "/candidates/export.csv?opening=%20", None),
        ("post", "/candidates/bulk", {"action": "owner", "owner": " "}),
        ("post", "/candidates/bulk", {"action": "opening", "opening": " "}),
    ],
)
def test_whitespace_filter_values_do_not_crash(client, pool, method, url, data):
    if data is not None:
        data = {**data, "ids": [pool["ada"]]}
    response = getattr(client, method)(url, data=data, follow_redirects=True)
    assert response.status_code == 200
    if data is not None:
        assert "Choose the" in response.text


def test_status_change_audit_names_the_previous_status(app, client, pool):
    client.post(f"/candidates/{pool['bo']}/status", data={"status": "engaged"})
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "candidate.status_changed")).one()
        assert entry.details == {"from": "prospect", "to": "engaged"}


@pytest.mark.parametrize("sort", ["company", "-company", "owner", "-owner", "fit", "-p_a", "name", "-next_touch"])
@pytest.mark.parametrize("q", ["", "pipeline"])
def test_list_pages_follow_the_sorted_order_with_empty_values_last(app, monkeypatch, sort, q):
    """Page after page, the list shows candidates in the export's order: empty values last, ties by id."""
    monkeypatch.setattr("hiring.pool.MANY_MATCHES", 2)  # the query shape of a word most candidates have
    with app.app_context():
        owners = [make_user(Role.MANAGER, name=name) for name in ("Zoe", "Abe")]
        scores = add_scores_version()
        for number in range(7):
            candidate = make_candidate(
                name=f"Person {number % 3}", notes="pipeline" if number != 3 else "",
                company=None if number % 3 == 0 else f"Co {number % 2}",
                owner_id=None if number % 4 == 0 else owners[number % 2].id,
                next_touch_on=None if number % 2 else date(2026, 1, 1 + number % 3),
            )  # fmt: skip
            if number % 3:
                scores(candidate.id, number)
        filters = {"sort": sort, "q": q}
        expected = [c.id for c in db.session.scalars(pool_query(filters))]
        with app.test_request_context():
            shown = [c.id for page in (1, 2, 3) for c in pool_page(filters, page=page, per_page=3).items]
            assert pool_page(filters, page=1, per_page=3).total == len(expected)
    assert shown == expected
    assert len(expected) == (6 if q else 7)


def add_scores_version():
    """Create a model version; return a function that stores a fit score for a candidate."""
    version = ModelVersion(number=1, file_name="x.skops", file_sha256="0" * 64, rule={}, features=[], data={},
                           libraries={}, report={})  # fmt: skip
    db.session.add(version)
    db.session.commit()

    def score(candidate_id: int, number: int) -> None:
        db.session.add(CandidateScore(candidate_id=candidate_id, model_version_id=version.id, p_a=number % 2 / 2,
                                      p_b=0.2, p_c=0.3, score=number % 2, predicted_tier=Tier.B,
                                      certainty=Certainty.LOW, reasons={}, interviews=1))  # fmt: skip
        db.session.commit()

    return score
