"""Shortlists: creating, sharing, adding from every place, ordering, comments, deleting, audit, merges."""

import html
import re
import threading
import time

import pytest
import sqlalchemy as sa

from hiring.merge import merge_candidates
from models import Application, AuditEntry, Candidate, Role, Shortlist, ShortlistEntry, User, db
from tests.factories import make_candidate, make_opening, make_user, sign_in_as

CONFLICT_START = "Someone else saved this record while you were editing it."


@pytest.fixture
def team(app, client):
    """An owner with a list of four candidates shared with one manager; another manager, an admin, an interviewer."""
    with app.app_context():
        users = {
            "owner": make_user(Role.MANAGER, name="Olga Owner"),
            "shared": make_user(Role.MANAGER, name="Sam Shared"),
            "other": make_user(Role.MANAGER, name="Otto Other"),
            "admin": make_user(Role.ADMIN, name="Ada Admin"),
            "interviewer": make_user(Role.INTERVIEWER, name="Ivy Interviewer"),
        }
        people = [make_candidate(name=name, company="Acme", title="AE") for name in ("Ann", "Ben", "Cat", "Dan")]
        list_id = make_shortlist(
            users["owner"].id, "Q3 enterprise AEs", [p.id for p in people], shared=[users["shared"].id]
        )
    ids = {key: user.id for key, user in users.items()}
    ids.update({p.name: p.id for p in people}, list=list_id)
    sign_in_as(client, users["owner"])
    return {"ids": ids, "users": users}


def make_shortlist(owner_id: int, name: str, candidate_ids=(), shared=(), opening_id=None, comments=None) -> int:
    """Create and commit a list with entries at positions 1..n; return its id."""
    shortlist = Shortlist(name=name, owner_id=owner_id, opening_id=opening_id, description="")
    shortlist.shared_with = db.session.scalars(sa.select(User).where(User.id.in_(shared))).all()
    db.session.add(shortlist)
    db.session.flush()
    for number, candidate_id in enumerate(candidate_ids, start=1):
        comment = (comments or {}).get(candidate_id, "")
        db.session.add(
            ShortlistEntry(shortlist_id=shortlist.id, candidate_id=candidate_id, position=number, comment=comment)
        )
    db.session.commit()
    return shortlist.id


def order(app, list_id: int) -> list[tuple[int, int]]:
    """(candidate id, position) of a list's entries, in order."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(ShortlistEntry.candidate_id, ShortlistEntry.position)
            .where(ShortlistEntry.shortlist_id == list_id)
            .order_by(ShortlistEntry.position, ShortlistEntry.id)
        )
        return [tuple(row) for row in rows]


def names_in_order(app, list_id: int) -> list[str]:
    """Names of a list's candidates in order, after checking that positions are exactly 1..n."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Candidate.name, ShortlistEntry.position)
            .join(ShortlistEntry, ShortlistEntry.candidate_id == Candidate.id)
            .where(ShortlistEntry.shortlist_id == list_id)
            .order_by(ShortlistEntry.position)
        ).all()
    assert [position for _, position in rows] == list(range(1, len(rows) + 1))
    return [name for name, _ in rows]


def audit(app, action: str) -> list[AuditEntry]:
    """Audit entries of an action, oldest first."""
    with app.app_context():
        return db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()


def listed(page_html: str) -> list[str]:
    """Names of the lists on the list page, in order."""
    return [html.unescape(name) for name in re.findall(r'<a href="/shortlists/\d+">([^<]+)</a>', page_html)]


def entry_id(app, list_id: int, candidate_id: int) -> int:
    """The id of a candidate's entry on a list."""
    with app.app_context():
        return db.session.scalar(
            sa.select(ShortlistEntry.id).where(
                ShortlistEntry.shortlist_id == list_id, ShortlistEntry.candidate_id == candidate_id
            )
        )


# Creating and editing -----------------------------------------------------------


def test_create_a_list_for_an_opening_shared_with_a_manager(app, client, team):
    ids = team["ids"]
    with app.app_context():
        opening = make_opening(title="Enterprise AE")
        make_user(Role.MANAGER, name="Gone Manager", active=False)
    form = client.get(f"/shortlists/new?opening={opening.id}").text
    assert f'<option selected value="{opening.id}">Enterprise AE</option>' in form
    # Active managers other than the owner; admins see every list anyway.
    assert re.findall(r'for="share-\d+">([^<]+)<', form) == ["Otto Other", "Sam Shared"]
    response = client.post(
        "/shortlists/new",
        data={"name": " Enterprise finalists ", "description": "Closers", "opening_id": opening.id,
              "share_ids": [ids["shared"], ids["other"]]},
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        shortlist = db.session.scalar(sa.select(Shortlist).where(Shortlist.name == "Enterprise finalists"))
        assert response.headers["Location"] == f"/shortlists/{shortlist.id}"
        assert (shortlist.owner_id, shortlist.opening_id, shortlist.description) == (
            ids["owner"],
            opening.id,
            "Closers",
        )
        assert sorted(user.id for user in shortlist.shared_with) == sorted([ids["other"], ids["shared"]])
    (created,) = audit(app, "shortlist.created")
    assert created.details == {"opening_id": opening.id, "shared": 2}
    assert audit(app, "shortlist.shared")[0].details == {"added": sorted([ids["shared"], ids["other"]]), "removed": []}
    page = client.get(f"/shortlists/{shortlist.id}").text
    assert "Nobody on this list yet." in page and "Enterprise AE" in page and "{# shortlist-export #}" not in page


@pytest.mark.parametrize("name", ["Q3 enterprise AEs", "q3 ENTERPRISE aes"])
def test_names_are_unique_across_bench_and_the_input_is_kept(app, client, team, name):
    sign_in_as(client, team["users"]["other"])  # even a list you cannot see takes its name
    response = client.post("/shortlists/new", data={"name": name, "description": "Kept text"})
    assert response.status_code == 400
    assert "Another shortlist already has this name." in response.text
    assert "Kept text" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Shortlist)) == 1


@pytest.mark.parametrize(
    "data, message",
    [({"name": ""}, "This field is required."), ({"name": "x" * 121}, "Field cannot be longer than 120 characters.")],
)
def test_invalid_details_are_refused(app, client, team, data, message):
    response = client.post("/shortlists/new", data={**data, "description": "Keep me"})
    assert response.status_code == 400
    assert message in response.text and "Keep me" in response.text


def test_owner_edits_and_shares_and_the_audit_says_what_changed(app, client, team):
    ids = team["ids"]
    url = f"/shortlists/{ids['list']}/edit"
    page = client.get(url).text
    assert re.search(rf'value="{ids["shared"]}" id="share-{ids["shared"]}" checked', page)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(url, data={"name": "Q3 finalists", "description": "", "version": version,
                                      "share_ids": [ids["other"]]})  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        shortlist = db.session.get(Shortlist, ids["list"])
        assert shortlist.name == "Q3 finalists" and [u.id for u in shortlist.shared_with] == [ids["other"]]
    assert audit(app, "shortlist.updated")[-1].details == {"fields": ["name"]}
    assert audit(app, "shortlist.shared")[-1].details == {"added": [ids["other"]], "removed": [ids["shared"]]}
    # The unshared manager no longer finds it; the newly shared one does.
    sign_in_as(client, team["users"]["shared"])
    assert client.get(f"/shortlists/{ids['list']}").status_code == 404
    sign_in_as(client, team["users"]["other"])
    assert client.get(f"/shortlists/{ids['list']}").status_code == 200


def test_an_edit_saved_meanwhile_is_detected_and_the_input_kept(app, client, team):
    ids = team["ids"]
    url = f"/shortlists/{ids['list']}/edit"
    version = re.search(r'name="version" type="hidden" value="(\d+)"', client.get(url).text).group(1)
    sign_in_as(client, team["users"]["admin"])
    assert client.post(url, data={"name": "Admin's name", "version": version}).status_code == 302
    sign_in_as(client, team["users"]["owner"])
    response = client.post(url, data={"name": "My name", "description": "My text", "version": version})
    assert response.status_code == 400
    text = html.unescape(response.text)
    assert CONFLICT_START in text and "My text" in text
    assert "Saved now: name <strong>Admin's name</strong>" in text  # what the colleague saved, beside the input
    new_version = re.search(r'name="version" type="hidden" value="(\d+)"', response.text).group(1)
    assert new_version == str(int(version) + 1)
    assert client.post(url, data={"name": "My name", "version": new_version}).status_code == 302
    with app.app_context():
        assert db.session.get(Shortlist, ids["list"]).name == "My name"


def test_adding_entries_does_not_make_an_edit_conflict(app, client, team):
    ids = team["ids"]
    url = f"/shortlists/{ids['list']}/edit"
    version = re.search(r'name="version" type="hidden" value="(\d+)"', client.get(url).text).group(1)
    with app.app_context():
        extra = make_candidate(name="Eve").id
    sign_in_as(client, team["users"]["shared"])
    client.post("/shortlists/add", data={"shortlist_id": ids["list"], "ids": [extra]})
    sign_in_as(client, team["users"]["owner"])
    assert client.post(url, data={"name": "Renamed", "version": version}).status_code == 302


# Who may do what -------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, view, manage",
    [("owner", 200, 200), ("shared", 200, 403), ("other", 404, 404), ("admin", 200, 200)],
)
def test_owner_shared_manager_other_manager_and_admin(app, client, team, who, view, manage):
    ids = team["ids"]
    sign_in_as(client, team["users"][who])
    base = f"/shortlists/{ids['list']}"
    assert client.get(base).status_code == view
    assert client.get(base + "/edit").status_code == manage
    assert client.get(base + "/delete").status_code == manage
    assert client.post(base + "/edit", data={"name": "Taken over", "version": 1}).status_code in (
        (302,) if manage == 200 else (manage,)
    )
    first = entry_id(app, ids["list"], ids["Ann"])
    entry_routes = [
        (base + f"/entries/{first}/comment", {"comment": "Good"}),
        (base + f"/entries/{first}/move", {"to": "down"}),
        ("/shortlists/add", {"shortlist_id": ids["list"], "ids": [ids["Ann"]]}),
    ]
    for url, data in entry_routes:
        assert client.post(url, data=data).status_code == (302 if view == 200 else 404), url
    assert client.post(base + f"/entries/{first}/remove").status_code == (302 if view == 200 else 404)
    with app.app_context():
        entries = db.session.scalar(sa.select(sa.func.count()).where(ShortlistEntry.shortlist_id == ids["list"]))
        assert entries == (3 if view == 200 else 4)
    assert client.post(base + "/delete").status_code == (302 if manage == 200 else manage)
    with app.app_context():
        assert (db.session.get(Shortlist, ids["list"]) is None) is (manage == 200)


def test_interviewers_may_not_use_shortlists(app, client, team):
    ids = team["ids"]
    sign_in_as(client, team["users"]["interviewer"])
    first = entry_id(app, ids["list"], ids["Ann"])
    for url in ("/shortlists/", "/shortlists/new", f"/shortlists/{ids['list']}", f"/shortlists/{ids['list']}/edit",
                f"/shortlists/{ids['list']}/delete"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    for url in ("/shortlists/add", "/shortlists/new", f"/shortlists/{ids['list']}/entries/{first}/move",
                f"/shortlists/{ids['list']}/entries/{first}/remove", f"/shortlists/{ids['list']}/delete"):  # fmt: skip
        assert client.post(url, data={"shortlist_id": ids["list"], "ids": [ids["Ann"]], "to": "up"}).status_code == 403
    assert len(order(app, ids["list"])) == 4


def test_an_entry_of_another_list_is_not_found(app, client, team):
    ids = team["ids"]
    with app.app_context():
        mine = make_shortlist(ids["owner"], "Other list", [ids["Ann"]])
    foreign = entry_id(app, ids["list"], ids["Ann"])
    for action, data in (("move", {"to": "down"}), ("comment", {"comment": "x"}), ("remove", {})):
        assert client.post(f"/shortlists/{mine}/entries/{foreign}/{action}", data=data).status_code == 404


# The list page ------------------------------------------------------------------------


def test_list_page_shows_mine_and_shared_filters_sorts_and_pages(app, client, team):
    ids = team["ids"]
    with app.app_context():
        opening = make_opening(title="SMB AE")
        make_shortlist(ids["owner"], "Alpha", [ids["Ann"]], opening_id=opening.id)
        make_shortlist(ids["shared"], "Shared to Olga", [ids["Ann"], ids["Ben"]], shared=[ids["owner"]])
        make_shortlist(ids["other"], "Otto's secret", [ids["Ann"]])
    page = client.get("/shortlists/?sort=name").text
    assert listed(page) == ["Alpha", "Q3 enterprise AEs", "Shared to Olga"]
    assert "<td>Sam Shared</td>" in page and "<td>You</td>" in page  # the owner reads "You"
    assert listed(client.get("/shortlists/?show=mine&sort=name").text) == ["Alpha", "Q3 enterprise AEs"]
    assert listed(client.get("/shortlists/?show=shared").text) == ["Shared to Olga"]
    assert listed(client.get(f"/shortlists/?opening={opening.id}").text) == ["Alpha"]
    assert listed(client.get("/shortlists/?opening=none&sort=name").text) == ["Q3 enterprise AEs", "Shared to Olga"]
    assert listed(client.get("/shortlists/?q=enterprise").text) == ["Q3 enterprise AEs"]
    assert listed(client.get("/shortlists/?sort=-size").text) == ["Q3 enterprise AEs", "Shared to Olga", "Alpha"]
    assert listed(client.get("/shortlists/?sort=size").text) == ["Alpha", "Shared to Olga", "Q3 enterprise AEs"]
    bad = client.get("/shortlists/?sort=nonsense&q=keep-me")
    assert bad.status_code == 400 and "keep-me" in bad.text
    app.config["PAGE_SIZE"] = 2
    first, second = client.get("/shortlists/?sort=name").text, client.get("/shortlists/?sort=name&page=2").text
    assert listed(first) == ["Alpha", "Q3 enterprise AEs"] and listed(second) == ["Shared to Olga"]
    assert "Showing 1–2 of 3 shortlists" in first
    sign_in_as(client, team["users"]["admin"])
    app.config["PAGE_SIZE"] = 50
    page = client.get("/shortlists/?sort=name").text
    assert "All shortlists" in page
    assert listed(page) == ["Alpha", "Otto's secret", "Q3 enterprise AEs", "Shared to Olga"]


def test_the_list_page_runs_a_bounded_number_of_queries(app, client, team):
    ids = team["ids"]
    with app.app_context():
        for number in range(8):
            make_shortlist(ids["owner"], f"List {number}", [ids["Ann"]], shared=[ids["shared"], ids["other"]])
    statements = []

    def count(*args):
        statements.append(1)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/shortlists/").status_code == 200
            few = len(statements)
            statements.clear()
            for number in range(8, 20):
                make_shortlist(ids["owner"], f"List {number}", [ids["Ben"]], shared=[ids["shared"]])
            statements.clear()
            assert client.get("/shortlists/").status_code == 200
            assert len(statements) == few
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)


# Adding -----------------------------------------------------------------------------------


def test_add_from_the_pool_list_appends_in_order_and_skips_duplicates(app, client, team):
    ids = team["ids"]
    with app.app_context():
        new = [make_candidate(name=name).id for name in ("Eve", "Fay")]
    page = client.get("/candidates/").text
    assert 'formaction="/shortlists/add"' in page and 'name="shortlist_id"' in page
    assert f'<option value="{ids["list"]}">Q3 enterprise AEs</option>' in page
    back = "/candidates/?q=a&sort=name"
    # What the pool's bulk form sends: its own fields too.
    data = {"ids": [new[1], ids["Ben"], new[0], new[1]], "shortlist_id": ids["list"], "back": back,
            "action": "tag", "tag": "", "owner": "", "opening": ""}  # fmt: skip
    response = client.post("/shortlists/add", data=data)
    assert response.status_code == 302 and response.headers["Location"] == back
    assert names_in_order(app, ids["list"]) == ["Ann", "Ben", "Cat", "Dan", "Fay", "Eve"]
    text = html.unescape(client.get(back).text)
    assert "Added 2 candidates to “Q3 enterprise AEs”." in text
    assert "1 of the selected candidates was already on “Q3 enterprise AEs”; nothing changed for them." in text
    (added,) = audit(app, "shortlist.entry_added")
    assert added.details == {"candidate_ids": [new[1], new[0]], "count": 2}
    assert added.target_id == str(ids["list"])
    # All already on it: nothing changes, nothing is audited.
    client.post("/shortlists/add", data={"ids": [ids["Ann"], new[0]], "shortlist_id": ids["list"], "back": back})
    assert names_in_order(app, ids["list"]) == ["Ann", "Ben", "Cat", "Dan", "Fay", "Eve"]
    assert "2 of the selected candidates were already on" in html.unescape(client.get(back).text)
    assert len(audit(app, "shortlist.entry_added")) == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"ids": []}, "Candidates: This field is required."),
        ({"ids": list(range(1, 502))}, "Candidates: Add at most 500 candidates at a time."),
        ({"shortlist_id": ""}, "Choose a shortlist."),
    ],
)
def test_bad_additions_are_refused_with_a_message(app, client, team, data, message):
    ids = team["ids"]
    form = {"shortlist_id": ids["list"], "ids": [ids["Ann"]], "back": "/candidates/", **data}
    response = client.post("/shortlists/add", data=form)
    assert response.status_code == 302 and response.headers["Location"] == "/candidates/"
    assert message in html.unescape(client.get("/candidates/").text)
    assert len(order(app, ids["list"])) == 4


def test_add_never_redirects_to_another_site_and_ignores_unknown_candidates(app, client, team):
    ids = team["ids"]
    data = {"shortlist_id": ids["list"], "ids": [ids["Ann"] + 1000], "back": "//evil.example/"}
    response = client.post("/shortlists/add", data=data)
    assert response.headers["Location"] == "/shortlists/"
    assert len(order(app, ids["list"])) == 4


def test_five_hundred_at_once_are_added(app, client, team):
    ids = team["ids"]
    with app.app_context():
        db.session.execute(sa.insert(Candidate), [{"name": f"Bulk {n}", "notes": ""} for n in range(500)])
        db.session.commit()
        bulk = db.session.scalars(sa.select(Candidate.id).where(Candidate.name.like("Bulk %"))).all()
    response = client.post("/shortlists/add", data={"shortlist_id": ids["list"], "ids": bulk})
    assert response.status_code == 302
    positions = [position for _, position in order(app, ids["list"])]
    assert positions == list(range(1, 505))


def test_add_from_an_opening_board(app, client, team):
    ids = team["ids"]
    with app.app_context():
        opening = make_opening(title="Mid-market AE")
        for_opening = make_shortlist(ids["owner"], "Mid-market picks", opening_id=opening.id)
        db.session.add(Application(candidate_id=ids["Cat"], opening_id=opening.id, stage="sourced"))
        db.session.commit()
    board = client.get(f"/openings/{opening.id}").text
    assert f'href="/shortlists/?opening={opening.id}"' in board
    assert f'href="/shortlists/new?opening={opening.id}"' in board
    # The list of this opening is chosen by default.
    assert f'<option value="{for_opening}" selected>Mid-market picks</option>' in board
    back = re.search(r'name="back" value="([^"]+)"', board).group(1)
    response = client.post("/shortlists/add", data={"shortlist_id": for_opening, "ids": [ids["Cat"]], "back": back})
    assert response.status_code == 302 and response.headers["Location"] == f"/openings/{opening.id}"
    assert order(app, for_opening) == [(ids["Cat"], 1)]
    assert listed(client.get(f"/shortlists/?opening={opening.id}").text) == ["Mid-market picks"]


def test_add_from_a_candidate_page_and_see_the_lists_they_are_on(app, client, team):
    ids = team["ids"]
    with app.app_context():
        eve = make_candidate(name="Eve").id
        make_shortlist(ids["owner"], "Second list")
        make_shortlist(ids["other"], "Not shared with me", [eve])
    page = client.get(f"/candidates/{eve}").text
    assert "Not on any of your shortlists." in page and "Not shared with me" not in page
    assert 'id="add-to-shortlist"' in page and "Second list" in page
    back = f"/candidates/{eve}"
    response = client.post("/shortlists/add", data={"shortlist_id": ids["list"], "ids": [eve], "back": back})
    assert response.headers["Location"] == back
    page = client.get(back).text
    assert f'href="/shortlists/{ids["list"]}">Q3 enterprise AEs</a>' in page
    # A list they are on is not offered again.
    assert f'<option value="{ids["list"]}">Q3 enterprise AEs' not in page
    assert order(app, ids["list"])[-1] == (eve, 5)


# Ordering ------------------------------------------------------------------------------------


def test_reorder_up_down_and_to_a_position_keeps_positions_one_to_n(app, client, team):
    ids = team["ids"]
    base = f"/shortlists/{ids['list']}/entries"

    def move(name, **data):
        return client.post(f"{base}/{entry_id(app, ids['list'], ids[name])}/move", data=data)

    response = move("Cat", to="up")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/shortlists/{ids['list']}#entry-{entry_id(app, ids['list'], ids['Cat'])}"
    assert names_in_order(app, ids["list"]) == ["Ann", "Cat", "Ben", "Dan"]
    move("Ann", to="down")
    assert names_in_order(app, ids["list"]) == ["Cat", "Ann", "Ben", "Dan"]
    move("Cat", to="up")  # already first: nothing moves
    move("Dan", to="down")  # already last
    assert names_in_order(app, ids["list"]) == ["Cat", "Ann", "Ben", "Dan"]
    move("Dan", to="position", position="1")
    assert names_in_order(app, ids["list"]) == ["Dan", "Cat", "Ann", "Ben"]
    move("Dan", to="position", position="99")  # past the end: to the end
    assert names_in_order(app, ids["list"]) == ["Cat", "Ann", "Ben", "Dan"]
    moved = audit(app, "shortlist.entry_moved")
    assert len(moved) == 4  # not the moves that moved nothing
    assert moved[0].details == {
        "entry_id": entry_id(app, ids["list"], ids["Cat"]), "candidate_id": ids["Cat"], "from": 3, "to": 2,
    }  # fmt: skip


@pytest.mark.parametrize(
    "data, message",
    [
        ({"to": "position", "position": "0"}, "Positions start at 1."),
        ({"to": "position", "position": "two"}, "Not a valid integer value."),
        ({"to": "position", "position": ""}, "Give the position to move to."),
        ({"to": "sideways"}, "Not a valid choice."),
    ],
)
def test_bad_moves_are_refused_and_the_input_kept(app, client, team, data, message):
    ids = team["ids"]
    entry = entry_id(app, ids["list"], ids["Ben"])
    response = client.post(f"/shortlists/{ids['list']}/entries/{entry}/move", data=data)
    assert response.status_code == 400
    assert message in response.text
    if data.get("position"):
        assert f'value="{data["position"]}"' in response.text
    assert names_in_order(app, ids["list"]) == ["Ann", "Ben", "Cat", "Dan"]


def test_gaps_left_by_erased_candidates_close_on_the_next_change(app, client, team):
    ids = team["ids"]
    with app.app_context():
        db.session.execute(sa.delete(Candidate).where(Candidate.id == ids["Ben"]))  # cascades to the entry
        db.session.commit()
    page = client.get(f"/shortlists/{ids['list']}").text
    assert page.count('class="fw-semibold">') >= 3
    client.post(f"/shortlists/{ids['list']}/entries/{entry_id(app, ids['list'], ids['Dan'])}/move", data={"to": "up"})
    assert names_in_order(app, ids["list"]) == ["Ann", "Dan", "Cat"]


def test_concurrent_moves_never_give_two_entries_one_position(app, client, team):
    """A move waits for another change of the same list to commit, then works on what it saved."""
    ids = team["ids"]
    cat = entry_id(app, ids["list"], ids["Cat"])
    responses = []
    with app.app_context():
        entries = ShortlistEntry.__table__
        lists = Shortlist.__table__
        with db.engine.connect() as other_request:
            other_request.begin()
            # Another request locks the list first and is about to put Dan on top.
            other_request.execute(sa.update(lists).where(lists.c.id == ids["list"]).values(description="busy"))
            thread = threading.Thread(
                target=lambda: responses.append(client.post(f"/shortlists/{ids['list']}/entries/{cat}/move",
                                                            data={"to": "up"}))
            )  # fmt: skip
            thread.start()
            time.sleep(0.5)
            assert thread.is_alive(), "the move did not wait for the other change of the list"
            for name, position in (("Dan", 1), ("Ann", 2), ("Ben", 3), ("Cat", 4)):
                other_request.execute(
                    sa.update(entries).where(entries.c.candidate_id == ids[name]).values(position=position)
                )
            other_request.commit()
        thread.join(timeout=20)
    assert responses and responses[0].status_code == 302
    assert names_in_order(app, ids["list"]) == ["Dan", "Ann", "Cat", "Ben"]


# Comments, removing, deleting ------------------------------------------------------------------


def test_comments_are_saved_per_entry_and_audited_without_the_text(app, client, team):
    ids = team["ids"]
    ann = entry_id(app, ids["list"], ids["Ann"])
    url = f"/shortlists/{ids['list']}/entries/{ann}/comment"
    assert client.post(url, data={"comment": "  Best closer we met this year.  "}).status_code == 302
    with app.app_context():
        assert db.session.get(ShortlistEntry, ann).comment == "Best closer we met this year."
    page = client.get(f"/shortlists/{ids['list']}").text
    assert ">Best closer we met this year.</textarea>" in page
    client.post(url, data={"comment": "Best closer we met this year."})  # unchanged: not audited again
    client.post(url, data={"comment": ""})
    with app.app_context():
        assert db.session.get(ShortlistEntry, ann).comment == ""
    commented = audit(app, "shortlist.entry_commented")
    assert [entry.details for entry in commented] == [
        {"entry_id": ann, "candidate_id": ids["Ann"], "characters": 29},
        {"entry_id": ann, "candidate_id": ids["Ann"], "characters": 0},
    ]


def test_too_long_a_comment_is_refused_with_the_input_kept(app, client, team):
    ids = team["ids"]
    ann = entry_id(app, ids["list"], ids["Ann"])
    text = "Strong & <steady> " + "x" * 1000
    response = client.post(f"/shortlists/{ids['list']}/entries/{ann}/comment", data={"comment": text})
    assert response.status_code == 400
    assert "Field cannot be longer than 1000 characters." in response.text
    assert html.escape(text, quote=False) in response.text.replace("&#34;", '"')
    assert 'aria-invalid="true" aria-describedby="comment-' in response.text
    with app.app_context():
        assert db.session.get(ShortlistEntry, ann).comment == ""
    assert audit(app, "shortlist.entry_commented") == []


def test_remove_an_entry_closes_the_gap(app, client, team):
    ids = team["ids"]
    ben = entry_id(app, ids["list"], ids["Ben"])
    response = client.post(f"/shortlists/{ids['list']}/entries/{ben}/remove")
    assert response.status_code == 302
    assert names_in_order(app, ids["list"]) == ["Ann", "Cat", "Dan"]
    assert "Removed Ben from “Q3 enterprise AEs”." in html.unescape(client.get(f"/shortlists/{ids['list']}").text)
    (removed,) = audit(app, "shortlist.entry_removed")
    assert removed.details == {"entry_id": ben, "candidate_id": ids["Ben"]}
    assert client.post(f"/shortlists/{ids['list']}/entries/{ben}/remove").status_code == 404


def test_delete_asks_first_and_keeps_the_candidates(app, client, team):
    ids = team["ids"]
    page = client.get(f"/shortlists/{ids['list']}/delete").text
    assert "Delete “Q3 enterprise AEs”?" in html.unescape(page) and "4 entries" in page
    response = client.post(f"/shortlists/{ids['list']}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/shortlists/"
    with app.app_context():
        assert db.session.get(Shortlist, ids["list"]) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ShortlistEntry)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 4
    (deleted,) = audit(app, "shortlist.deleted")
    assert (deleted.target_id, deleted.details) == (str(ids["list"]), {"entries": 4})


def test_the_detail_page_shows_entries_fit_and_the_compare_form(app, client, team):
    ids = team["ids"]
    page = client.get(f"/shortlists/{ids['list']}").text
    assert re.findall(r'<a href="/candidates/\d+">([^<]+)</a>', page) == ["Ann", "Ben", "Cat", "Dan"]
    assert '<form id="compare-form" method="get" action="/compare"' in page
    assert page.count('form="compare-form"') == 4
    assert "not scored" in page and "AE at Acme" in page
    assert "Edit and share" in page and "Delete…" in page
    sign_in_as(client, team["users"]["shared"])
    page = client.get(f"/shortlists/{ids['list']}").text
    assert "Edit and share" not in page and "Save comment" in page


def test_audit_details_hold_ids_and_counts_only(app, client, team):
    ids = team["ids"]
    ann = entry_id(app, ids["list"], ids["Ann"])
    client.post(f"/shortlists/{ids['list']}/entries/{ann}/comment", data={"comment": "Secret remark about Ann"})
    client.post(f"/shortlists/{ids['list']}/entries/{ann}/move", data={"to": "down"})
    client.post("/shortlists/new", data={"name": "Named after Ann"})
    with app.app_context():
        details = " ".join(str(entry.details) for entry in db.session.scalars(sa.select(AuditEntry)))
    assert "Ann" not in details and "Secret" not in details and "Q3" not in details


# Merging two records of one person --------------------------------------------------------------


def test_merge_moves_entries_and_joins_the_comments_of_one_person_on_one_list(app, team):
    ids = team["ids"]
    with app.app_context():
        twin = make_candidate(name="Ann Twin").id
        both = make_shortlist(
            ids["owner"], "Both on it", [ids["Ben"], twin, ids["Cat"], ids["Ann"]],
            comments={twin: "Met at SaaStr", ids["Ann"]: "Referred by Jo"},
        )  # fmt: skip
        only_twin = make_shortlist(ids["owner"], "Only the twin", [ids["Ben"], twin], comments={twin: "Call back"})
        merge_candidates(db.session.get(Candidate, ids["Ann"]), db.session.get(Candidate, twin), {})
        db.session.commit()
        kept = db.session.scalars(
            sa.select(ShortlistEntry).where(
                ShortlistEntry.candidate_id == ids["Ann"], ShortlistEntry.shortlist_id == both
            )
        ).one()
        assert kept.comment == "Referred by Jo / Met at SaaStr"
        merged = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "candidate.merged"))
        assert merged.details["shortlist_entries"] == 2
    # The survivor takes the better of the two positions; the list stays 1..n.
    assert names_in_order(app, both) == ["Ben", "Ann", "Cat"]
    assert names_in_order(app, only_twin) == ["Ben", "Ann"]
    assert names_in_order(app, ids["list"]) == ["Ann", "Ben", "Cat", "Dan"]


def test_merged_comments_stay_within_the_column(app, team):
    ids = team["ids"]
    with app.app_context():
        twin = make_candidate(name="Ann Twin").id
        both = make_shortlist(
            ids["owner"], "Long", [ids["Ann"], twin], comments={ids["Ann"]: "a" * 990, twin: "b" * 50}
        )
        merge_candidates(db.session.get(Candidate, ids["Ann"]), db.session.get(Candidate, twin), {})
        db.session.commit()
        comment = db.session.scalar(sa.select(ShortlistEntry.comment).where(ShortlistEntry.shortlist_id == both))
    assert len(comment) == 1000 and comment.startswith("a" * 990 + " / b")
