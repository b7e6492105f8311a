"""Admin pages for traits and versioned scorecard templates: validation, locking, versioning, access, audit."""

from html.parser import HTMLParser

import pytest

from hiring.forms import CONFLICT_MESSAGE
from hiring.traits import new_template, save_template, trait_in_use
from models import (
    AuditEntry,
    Interview,
    InterviewKind,
    Rating,
    Role,
    Scorecard,
    ScorecardStatus,
    ScorecardTemplate,
    Trait,
    db,
    utcnow,
)
from tests.factories import make_candidate, make_user, sign_in_as

SEEDED_KEYS = [
    "coachability", "resilience", "drive", "ownership", "process",
    "deal_judgment", "communication", "integrity", "learning", "collaboration",
]  # fmt: skip
SEEDED_ORDER = [
    "communication", "deal_judgment", "process", "ownership",
    "coachability", "resilience", "drive", "integrity",
    "learning", "collaboration",
]  # fmt: skip
TRAIT = {
    "key": "grit",
    "name": "Grit",
    "description": "Keeps going on long enterprise cycles.",
    "questions": "Tell me about your longest deal.\n\n  What kept you on it?  ",
    "anchor_1": "Gave up on long deals.",
    "anchor_2": "",
    "anchor_3": "Stayed with one long deal to the end.",
    "anchor_4": "",
    "anchor_5": "Runs several long cycles at once and closes them.",
}


@pytest.fixture
def admin(app, client):
    """Sign in as an admin and return them."""
    with app.app_context():
        user = make_user(Role.ADMIN, name="Ada Admin")
    sign_in_as(client, user)
    return user


class FormReader(HTMLParser):
    """Collect what a browser would submit from the page's POST forms (the sign-out form included)."""

    def __init__(self):
        super().__init__()
        self.data, self.textarea = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("name") != "csrf_token":
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.data[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.data[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data


def read_form(client, url: str) -> dict:
    """GET a page and return the fields its form would submit."""
    reader = FormReader()
    reader.feed(client.get(url).text)
    # A browser drops the line break that starts a textarea's content.
    return {name: value.removeprefix("\r\n").removeprefix("\n") for name, value in reader.data.items()}


def row_of(data: dict, trait_id: int) -> str:
    """Return the field prefix ("items-3-") of a trait's row on the template form."""
    return next(
        name.removesuffix("trait_id")
        for name, value in data.items()
        if name.endswith("-trait_id") and value == str(trait_id)
    )


def trait_ids(app) -> dict[str, int]:
    """The ids of all traits, by key."""
    with app.app_context():
        return dict(db.session.execute(db.select(Trait.key, Trait.id)).all())


def add_trait(**overrides) -> Trait:
    """Create and commit a trait (inside an app context)."""
    fields = {"key": "grit", "name": "Grit", "questions": "Why?", "anchors": {"1": "a", "3": "b", "5": "c"}}
    fields.update(overrides)
    trait = Trait(**fields)
    db.session.add(trait)
    db.session.commit()
    return trait


def add_scorecard(template_id: int, trait_ids: list[int], status=ScorecardStatus.SUBMITTED) -> Scorecard:
    """Create an interview on a template version and one scorecard with ratings of the given traits."""
    candidate = make_candidate()
    interviewer = make_user(Role.INTERVIEWER)
    interview = Interview(
        candidate_id=candidate.id, kind=InterviewKind.BEHAVIOURAL, scheduled_at=utcnow(), template_id=template_id
    )
    db.session.add(interview)
    db.session.flush()
    scorecard = Scorecard(
        interview_id=interview.id, interviewer_id=interviewer.id, candidate_id=candidate.id, template_id=template_id,
        status=status, submitted_at=utcnow() if status == ScorecardStatus.SUBMITTED else None,
        ratings=[Rating(trait_id=trait_id, score=4) for trait_id in trait_ids],
    )  # fmt: skip
    db.session.add(scorecard)
    db.session.commit()
    return scorecard


def audit_actions(app) -> list[tuple[str, str, dict]]:
    """Every audit entry as (action, target id, details), oldest first."""
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
        return [(entry.action, entry.target_id, entry.details) for entry in entries]


def items_of(template: ScorecardTemplate) -> list[tuple[str, str, int]]:
    """A template's items as (trait key, group, position), in order."""
    return [(item.trait.key, item.group, item.position) for item in template.items]


# Traits


def test_the_ten_seeded_traits_are_listed(client, admin):
    page = client.get("/admin/traits/").text
    assert "Showing 1–10 of 10 traits." in page
    for key in SEEDED_KEYS:
        assert f"<code>{key}</code>" in page
    assert "Communication and listening" in page and "Retired" not in page.split("<tbody>")[1]


def test_trait_list_filters_retired_sorts_and_pages(app, client, admin):
    with app.app_context():
        add_trait(key="zz_closing", name="Asking for the close")
        db.session.execute(db.update(Trait).where(Trait.key == "drive").values(retired=True))
        db.session.commit()
    active = client.get("/admin/traits/").text
    assert "Showing 1–10 of 10 traits." in active and "<code>drive</code>" not in active
    assert active.index("Asking for the close") < active.index("Coachability")
    retired = client.get("/admin/traits/?status=retired").text
    assert "Showing 1–1 of 1 traits." in retired and "<code>drive</code>" in retired
    by_key = client.get("/admin/traits/?status=all&sort=key").text
    assert "of 11 traits" in by_key and by_key.index("<code>coachability</code>") < by_key.index("zz_closing")
    app.config["PAGE_SIZE"] = 4
    second = client.get("/admin/traits/?status=all&sort=key&page=3").text
    assert "Showing 9–11 of 11 traits." in second and "zz_closing" in second and "coachability" not in second
    assert client.get("/admin/traits/?sort=nonsense&status=gone").status_code == 200


def test_trait_list_counts_ratings(app, client, admin):
    ids = trait_ids(app)
    with app.app_context():
        template_id = db.session.scalar(db.select(ScorecardTemplate.id))
        add_scorecard(template_id, [ids["drive"]])
        add_scorecard(template_id, [ids["drive"], ids["process"]], status=ScorecardStatus.DRAFT)
    page = client.get("/admin/traits/?sort=key").text
    drive_row = page.split("<code>drive</code>")[1].split("</tr>")[0]
    process_row = page.split("<code>process</code>")[1].split("</tr>")[0]
    assert "<td>2</td>" in drive_row and "<td>1</td>" in process_row


def test_create_trait_normalises_questions_and_anchors_and_audits(app, client, admin):
    response = client.post("/admin/traits/new", data=TRAIT)
    assert response.status_code == 302
    with app.app_context():
        trait = db.session.scalars(db.select(Trait).where(Trait.key == "grit")).one()
        assert trait.questions == "Tell me about your longest deal.\nWhat kept you on it?"
        assert trait.anchors == {
            "1": "Gave up on long deals.",
            "3": "Stayed with one long deal to the end.",
            "5": "Runs several long cycles at once and closes them.",
        }
        assert (trait.name, trait.retired) == ("Grit", False)
        assert response.headers["Location"] == f"/admin/traits/{trait.id}"
    assert audit_actions(app) == [("trait.created", str(trait.id), {})]
    page = client.get(response.headers["Location"]).text
    assert "Added the trait Grit." in page and "On no scorecard template." in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"key": "Grit Score"}, "Use 2 to 40 lowercase letters, digits and underscores"),
        ({"key": "g"}, "Use 2 to 40 lowercase letters, digits and underscores"),
        ({"key": "g" * 41}, "Use 2 to 40 lowercase letters, digits and underscores"),
        ({"key": "deal-judgment"}, "Use 2 to 40 lowercase letters, digits and underscores"),
        ({"key": "drive"}, "Another trait already has this key."),
        ({"key": ""}, "This field is required."),
        ({"name": " "}, "This field is required."),
        ({"name": "N" * 81}, "Field cannot be longer than 80 characters."),
        ({"description": "D" * 1001}, "Field cannot be longer than 1000 characters."),
        ({"questions": " \n  "}, "Add at least one question."),
        ({"questions": "Fine?\n" + "Q" * 301}, "A question may have at most 300 characters."),
        ({"anchor_1": ""}, "This field is required."),
        ({"anchor_3": "  "}, "This field is required."),
        ({"anchor_5": ""}, "This field is required."),
        ({"anchor_2": "A" * 501}, "Field cannot be longer than 500 characters."),
        ({"anchor_5": "A" * 501}, "Field cannot be longer than 500 characters."),
    ],
)
def test_trait_validation_keeps_input(app, client, admin, changes, message):
    data = {**TRAIT, "name": "Grit under pressure", **changes}
    response = client.post("/admin/traits/new", data=data)
    assert response.status_code == 200
    assert message in response.text
    kept = [value.splitlines()[0] for name, value in data.items() if value.strip() and name not in changes]
    assert all(line in response.text for line in kept)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Trait)) == 10


def test_edit_trait_and_audit_changed_fields(app, client, admin):
    ids = trait_ids(app)
    data = read_form(client, f"/admin/traits/{ids['drive']}")
    assert data["anchor_3"].startswith("Sets own goals") and data["version"] == "1"
    data.update(name="Drive and ambition", anchor_2="", anchor_4="Exceeds targets often.")
    response = client.post(f"/admin/traits/{ids['drive']}", data=data)
    assert response.headers["Location"] == f"/admin/traits/{ids['drive']}"
    with app.app_context():
        trait = db.session.get(Trait, ids["drive"])
        assert (trait.name, trait.key, trait.version) == ("Drive and ambition", "drive", 2)
        assert sorted(trait.anchors) == ["1", "3", "4", "5"] and trait.anchor(4) == "Exceeds targets often."
    assert audit_actions(app)[-1] == ("trait.updated", str(ids["drive"]), {"fields": ["name", "anchors"]})


def test_editing_a_stale_trait_is_a_conflict_that_keeps_the_input(app, client, admin):
    ids = trait_ids(app)
    url = f"/admin/traits/{ids['drive']}"
    data = read_form(client, url)
    with app.app_context():  # a colleague saves first
        db.session.get(Trait, ids["drive"]).name = "Hunger"
        db.session.commit()
    response = client.post(url, data={**data, "name": "Ambition"})
    assert response.status_code == 200
    assert CONFLICT_MESSAGE in response.text
    assert 'value="Ambition"' in response.text and "Saved now: <strong>Hunger</strong>" in response.text
    with app.app_context():
        assert db.session.get(Trait, ids["drive"]).name == "Hunger"
    again = FormReader()
    again.feed(response.text)
    assert again.data["version"] == "2"
    assert client.post(url, data={**data, "name": "Ambition", "version": "2"}).status_code == 302
    with app.app_context():
        assert db.session.get(Trait, ids["drive"]).name == "Ambition"


def test_key_cannot_change_once_ratings_use_it(app, client, admin):
    ids = trait_ids(app)
    url = f"/admin/traits/{ids['drive']}"
    assert client.post(url, data={**read_form(client, url), "key": "ambition"}).status_code == 302
    with app.app_context():
        assert db.session.get(Trait, ids["drive"]).key == "ambition"
        add_scorecard(db.session.scalar(db.select(ScorecardTemplate.id)), [ids["drive"]])
    page = client.get(url).text
    assert "Ratings already use this key, so it can no longer change." in page and "readonly" in page
    data = read_form(client, url)
    response = client.post(url, data={**data, "key": "drive"})
    assert "Ratings already use this key, so it cannot change." in response.text
    assert client.post(url, data={**data, "name": "Ambition"}).status_code == 302
    with app.app_context():
        assert (db.session.get(Trait, ids["drive"]).key, db.session.get(Trait, ids["drive"]).name) == (
            "ambition", "Ambition"
        )  # fmt: skip


def test_retire_and_restore(app, client, admin):
    ids = trait_ids(app)
    response = client.post(f"/admin/traits/{ids['drive']}/retire", follow_redirects=True)
    assert "Retired Drive; it can no longer be added to templates." in response.text
    assert "It stays on 1 current template(s) until you take it off there." in response.text
    with app.app_context():
        assert db.session.get(Trait, ids["drive"]).retired is True
    assert "<code>drive</code>" in client.get("/admin/traits/?status=retired").text
    assert "Drive" not in client.get("/admin/templates/new").text  # not offered for new templates
    assert "Restored Drive" in client.post(f"/admin/traits/{ids['drive']}/restore", follow_redirects=True).text
    with app.app_context():
        assert db.session.get(Trait, ids["drive"]).retired is False
    assert [action for action, *_ in audit_actions(app)] == ["trait.retired", "trait.restored"]


def test_delete_is_refused_while_rated_or_on_a_template(app, client, admin):
    ids = trait_ids(app)
    with app.app_context():
        template = db.session.scalars(db.select(ScorecardTemplate)).one()
        add_scorecard(template.id, [ids["drive"]])
        rated_only = add_trait(key="rated_only", name="Rated only")
        add_scorecard(template.id, [rated_only.id])
        rated_id = rated_only.id
        assert trait_in_use(db.session.get(Trait, ids["integrity"]))  # on the template, never rated
        assert trait_in_use(rated_only)
    for trait_id in (ids["integrity"], rated_id):
        response = client.post(f"/admin/traits/{trait_id}/delete", follow_redirects=True)
        assert "so it cannot be deleted. Retire it instead." in response.text
        assert f'action="/admin/traits/{trait_id}/delete"' not in response.text
    with app.app_context():
        assert db.session.get(Trait, ids["integrity"]) is not None and db.session.get(Trait, rated_id) is not None
    assert not [entry for entry in audit_actions(app) if entry[0] == "trait.deleted"]


def test_delete_an_unused_trait(app, client, admin):
    with app.app_context():
        trait = add_trait(key="unused", name="Unused")
        trait_id = trait.id
        assert not trait_in_use(trait)
    page = client.get(f"/admin/traits/{trait_id}").text
    assert f'action="/admin/traits/{trait_id}/delete"' in page
    response = client.post(f"/admin/traits/{trait_id}/delete")
    assert response.headers["Location"] == "/admin/traits/"
    assert "Deleted the trait Unused." in client.get("/admin/traits/").text
    with app.app_context():
        assert db.session.get(Trait, trait_id) is None
    assert audit_actions(app) == [("trait.deleted", str(trait_id), {"key": "unused"})]


# Scorecard templates


def seeded_template(app) -> int:
    """The id of the seeded "Sales rep interview" v1."""
    with app.app_context():
        return db.session.scalar(db.select(ScorecardTemplate.id).where(ScorecardTemplate.name == "Sales rep interview"))


def test_template_list_and_form_show_the_seeded_template(app, client, admin):
    template_id = seeded_template(app)
    listing = client.get("/admin/templates/").text
    assert "Sales rep interview" in listing and "<td>v1</td>" in listing and "<td>10</td>" in listing
    page = client.get(f"/admin/templates/{template_id}").text
    assert "No scorecard has been submitted on version 1 yet, so saving changes it in place." in page
    data = read_form(client, f"/admin/templates/{template_id}")
    assert data["name"] == "Sales rep interview" and data["prompts"] == "Key take-aways\nConcerns"
    ids = trait_ids(app)
    assert data[row_of(data, ids["communication"]) + "position"] == "1"
    assert data[row_of(data, ids["communication"]) + "group"] == "Sales skills"
    assert data[row_of(data, ids["collaboration"]) + "include"] == "y"


def test_template_edit_in_place_while_no_scorecard_is_submitted(app, client, admin):
    template_id = seeded_template(app)
    ids = trait_ids(app)
    with app.app_context():
        draft = add_scorecard(template_id, [ids["drive"]], status=ScorecardStatus.DRAFT)
        extra = add_trait(key="prospecting", name="Prospecting")
        draft_id, extra_id = draft.id, extra.id
    url = f"/admin/templates/{template_id}"
    assert "The 1 draft scorecard(s) on it will show your changes." in client.get(url).text
    data = read_form(client, url)
    data.pop(row_of(data, ids["collaboration"]) + "include")  # take it off
    data[row_of(data, ids["learning"]) + "group"] = "Sales skills"
    data[row_of(data, ids["learning"]) + "position"] = "0"  # first
    row = row_of(data, extra_id)
    data.update({row + "include": "y", row + "group": "Team and growth"})  # blank position: last
    data.update(name="Sales rep interview (2027)", prompts="Key take-aways\nConcerns\nWould you hire?")
    response = client.post(url, data=data)
    assert response.headers["Location"] == url
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ScorecardTemplate)) == 1
        template = db.session.get(ScorecardTemplate, template_id)
        assert (template.name, template.version_number, template.is_current) == ("Sales rep interview (2027)", 1, True)
        assert template.prompts == ["Key take-aways", "Concerns", "Would you hire?"]
        assert [key for key, _, _ in items_of(template)] == ["learning", *SEEDED_ORDER[:8], "prospecting"]
        assert [position for *_, position in items_of(template)] == list(range(1, 11))
        assert db.session.get(Scorecard, draft_id).template_id == template_id
    assert audit_actions(app)[-1] == ("template.updated", str(template_id), {"fields": ["name", "prompts", "traits"]})
    assert "Saved Sales rep interview (2027)." in client.get(url).text


def test_saving_a_used_version_creates_the_next_one(app, client, admin):
    template_id = seeded_template(app)
    ids = trait_ids(app)
    with app.app_context():
        old_items = items_of(db.session.get(ScorecardTemplate, template_id))
        scorecard = add_scorecard(template_id, [ids["drive"], ids["integrity"]])
        scorecard_id = scorecard.id
    url = f"/admin/templates/{template_id}"
    page = client.get(url).text
    assert "Scorecards already submitted on version 1 keep it; saving creates version 2." in page
    data = read_form(client, url)
    data.pop(row_of(data, ids["integrity"]) + "include")
    data["prompts"] = "Key take-aways"
    response = client.post(url, data=data)
    with app.app_context():
        old = db.session.get(ScorecardTemplate, template_id)
        new = db.session.scalars(db.select(ScorecardTemplate).where(ScorecardTemplate.id != template_id)).one()
        assert response.headers["Location"] == f"/admin/templates/{new.id}"
        assert (old.is_current, old.version_number, old.prompts) == (False, 1, ["Key take-aways", "Concerns"])
        assert items_of(old) == old_items
        assert (new.is_current, new.version_number, new.family_id, new.prompts) == (
            True, 2, template_id, ["Key take-aways"]
        )  # fmt: skip
        assert [key for key, _, _ in items_of(new)] == [key for key in SEEDED_ORDER if key != "integrity"]
        assert new.created_by_id == admin.id
        card = db.session.get(Scorecard, scorecard_id)
        assert card.template_id == template_id and len(card.template.items) == 10
        new_id = new.id
    details = {"from_template_id": template_id, "version_number": 2, "fields": ["prompts", "traits"]}
    assert audit_actions(app)[-1] == ("template.versioned", str(new_id), details)
    page = client.get(f"/admin/templates/{new_id}").text
    assert "Saved Sales rep interview as version 2. Scorecards already submitted keep version 1." in page
    assert "No scorecard has been submitted on version 2 yet, so saving changes it in place." in page
    listing = client.get("/admin/templates/").text
    assert "<td>v2</td>" in listing and f'href="/admin/templates/{template_id}">v1</a>' in listing
    # Version 2 has no submitted scorecards yet: the next save changes it in place.
    client.post(f"/admin/templates/{new_id}", data={**read_form(client, f"/admin/templates/{new_id}"), "name": "AE"})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ScorecardTemplate)) == 2
        assert db.session.get(ScorecardTemplate, new_id).name == "AE"


def test_an_unchanged_save_creates_no_version(app, client, admin):
    template_id = seeded_template(app)
    with app.app_context():
        add_scorecard(template_id, [])
    url = f"/admin/templates/{template_id}"
    assert client.post(url, data=read_form(client, url)).headers["Location"] == url
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ScorecardTemplate)) == 1
    assert audit_actions(app) == []


def test_an_old_version_is_read_only(app, client, admin):
    template_id = seeded_template(app)
    ids = trait_ids(app)
    with app.app_context():
        add_scorecard(template_id, [ids["drive"]])
    url = f"/admin/templates/{template_id}"
    stale = read_form(client, url)
    client.post(url, data={**stale, "name": "Sales rep interview v2"})
    with app.app_context():
        new_id = db.session.scalar(db.select(ScorecardTemplate.id).where(ScorecardTemplate.is_current.is_(True)))
    page = client.get(url).text
    assert "This is an old version" in page and "cannot be edited" in page
    assert f'href="/admin/templates/{new_id}">Edit the current version (v2)</a>' in page
    assert 'name="fingerprint"' not in page
    response = client.post(url, data={**stale, "name": "Overwrite the old one"})
    assert response.status_code == 200 and CONFLICT_MESSAGE in response.text
    assert f'action="/admin/templates/{new_id}"' in response.text  # saving again goes to the current version
    assert 'value="Overwrite the old one"' in response.text
    with app.app_context():
        assert db.session.get(ScorecardTemplate, template_id).name == "Sales rep interview"
        assert db.session.scalar(db.select(db.func.count()).select_from(ScorecardTemplate)) == 2
        with pytest.raises(ValueError, match="not current"):
            save_template(db.session.get(ScorecardTemplate, template_id), "X", [], [(ids["drive"], "")], admin)


def test_a_template_saved_meanwhile_is_a_conflict_that_keeps_the_input(app, client, admin):
    template_id = seeded_template(app)
    ids = trait_ids(app)
    url = f"/admin/templates/{template_id}"
    data = read_form(client, url)
    with app.app_context():  # a colleague moves a trait to another group
        template = db.session.get(ScorecardTemplate, template_id)
        items = [
            (item.trait_id, "Other" if item.trait_id == ids["collaboration"] else item.group) for item in template.items
        ]
        assert save_template(template, template.name, template.prompts, items, admin) is template
        db.session.commit()
    response = client.post(url, data={**data, "name": "Mine"})
    assert response.status_code == 200 and CONFLICT_MESSAGE in response.text
    assert 'value="Mine"' in response.text and "Saved now: Sales rep interview, version 1" in response.text
    with app.app_context():
        assert db.session.get(ScorecardTemplate, template_id).name == "Sales rep interview"
    reader = FormReader()
    reader.feed(response.text)
    assert reader.data["fingerprint"] != data["fingerprint"]
    # Saving again, knowingly, overwrites the colleague's version.
    assert client.post(url, data=reader.data).headers["Location"] == url
    with app.app_context():
        template = db.session.get(ScorecardTemplate, template_id)
        assert template.name == "Mine" and items_of(template)[-1] == ("collaboration", "Team and growth", 10)


def test_a_save_that_loses_a_race_keeps_the_input(app, client, admin, monkeypatch):
    template_id = seeded_template(app)
    url = f"/admin/templates/{template_id}"
    data = read_form(client, url)

    def racing_save(template, name, prompts, items, actor):
        # Someone else's new version with the same number lands first: the unique constraint fails at commit.
        db.session.add(ScorecardTemplate(family_id=template.family_id, version_number=1, name="Racer", prompts=[]))
        return template

    monkeypatch.setattr("hiring.traits.save_template", racing_save)
    response = client.post(url, data={**data, "name": "Mine"})
    assert response.status_code == 200 and CONFLICT_MESSAGE in response.text and 'value="Mine"' in response.text
    with app.app_context():
        assert db.session.scalars(db.select(ScorecardTemplate.name)).all() == ["Sales rep interview"]


@pytest.mark.parametrize(
    "change, message",
    [
        ("no_traits", "Include at least one trait."),
        ("bad_position", "Positions are whole numbers, e.g. 3."),
        ("long_group", "Field cannot be longer than 80 characters."),
        ("split_group", "Give the traits of a group consecutive positions: Sales skills."),
        ("retired", "A trait on this page was retired or deleted meanwhile."),
        ("many_prompts", "Use at most 10 prompts."),
        ("long_prompt", "A prompt may have at most 200 characters."),
        ("same_prompt", "Each prompt may appear only once."),
        ("no_name", "This field is required."),
        ("taken_name", "Another template already has this name."),
    ],
)
def test_template_validation(app, client, admin, change, message):
    template_id = seeded_template(app)
    ids = trait_ids(app)
    url = f"/admin/templates/{template_id}"
    data = read_form(client, url)
    with app.app_context():
        retired = add_trait(key="old_trait", name="Old trait", retired=True)
        new_template("Phone screen", [], [(ids["drive"], "")], admin)
        db.session.commit()
        retired_id = retired.id
    drive = row_of(data, ids["drive"])
    if change == "no_traits":
        data = {name: value for name, value in data.items() if not name.endswith("include")}
    elif change == "bad_position":
        data[drive + "position"] = "third"
    elif change == "long_group":
        data[drive + "group"] = "G" * 81
    elif change == "split_group":
        data.update({drive + "group": "Sales skills", drive + "position": "99"})
    elif change == "retired":
        data.update({"items-99-trait_id": str(retired_id), "items-99-include": "y", "items-99-position": "1"})
    elif change == "many_prompts":
        data["prompts"] = "\n".join(f"Prompt {number}" for number in range(11))
    elif change == "long_prompt":
        data["prompts"] = "P" * 201
    elif change == "same_prompt":
        data["prompts"] = "Concerns\nconcerns\nConcerns"
    elif change == "no_name":
        data["name"] = ""
    elif change == "taken_name":
        data["name"] = "Phone screen"
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert message in response.text
    with app.app_context():
        assert items_of(db.session.get(ScorecardTemplate, template_id))[0] == ("communication", "Sales skills", 1)


def test_create_a_template(app, client, admin):
    ids = trait_ids(app)
    data = read_form(client, "/admin/templates/new")
    assert data["prompts"] == "Key take-aways\nConcerns" and not any(name.endswith("include") for name in data)
    for key, position in (("resilience", "2"), ("drive", "1")):
        data.update({row_of(data, ids[key]) + "include": "y", row_of(data, ids[key]) + "position": position})
    data["name"] = "Phone screen"
    response = client.post("/admin/templates/new", data=data)
    with app.app_context():
        template = db.session.scalars(
            db.select(ScorecardTemplate).where(ScorecardTemplate.name == "Phone screen")
        ).one()
        assert response.headers["Location"] == f"/admin/templates/{template.id}"
        assert (template.family_id, template.version_number, template.is_current) == (template.id, 1, True)
        assert items_of(template) == [("drive", "", 1), ("resilience", "", 2)]
        assert template.created_by_id == admin.id
        template_id = template.id
    assert audit_actions(app) == [
        ("template.created", str(template_id), {"trait_ids": [ids["drive"], ids["resilience"]]})
    ]
    assert "Created the scorecard template Phone screen." in client.get(response.headers["Location"]).text
    assert "Phone screen" in client.get("/admin/templates/").text


def test_retired_traits_stay_on_the_template_form_while_included(app, client, admin):
    template_id = seeded_template(app)
    ids = trait_ids(app)
    with app.app_context():
        db.session.get(Trait, ids["drive"]).retired = True
        add_trait(key="gone", name="Gone for good", retired=True)
    page = client.get(f"/admin/templates/{template_id}").text
    assert "Drive" in page and "Retired" in page and "Gone for good" not in page


# Access


def admin_routes(app):
    """Yield (method, URL) for every route of the blueprint, pointed at the seeded trait and template."""
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("traits."):
                arguments = {name: 1 for name in rule.arguments}
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    yield method, app.url_for(rule.endpoint, **arguments)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.INTERVIEWER])
def test_other_roles_get_403_on_every_admin_route(app, client, role):
    with app.app_context():
        sign_in_as(client, make_user(role))
    routes = list(admin_routes(app))
    assert len(routes) == 13
    for method, url in routes:
        response = client.open(url, method=method, data=TRAIT)
        assert response.status_code == 403, f"{method} {url}"
    with app.app_context():
        assert db.session.get(Trait, 1).retired is False and db.session.get(Trait, 1).name == "Coachability"
    assert audit_actions(app) == []


def test_anonymous_users_are_sent_to_sign_in(app, client):
    for method, url in admin_routes(app):
        response = client.open(url, method=method)
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")
