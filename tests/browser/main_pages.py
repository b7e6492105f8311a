"""The demo data and Bench's main pages, by the role that uses them, for the accessibility and layout checks.

Loading the demo takes seconds, so the ``demo_site`` fixture copies the run's demo database and instance folder (with
the trained model; ``demo_database`` in tests/conftest.py) once per test module and adds a shortlist, and the
``database`` fixture here replaces the usual empty one with a copy of both. A test module uses them with
``from tests.browser.main_pages import database, demo_site``. These checks are about rendering, not the database,
so they run on SQLite only.
"""

import shutil
from dataclasses import dataclass

import pytest

from hiring import create_app
from hiring.demo import DEMO_SIGN_INS
from models import (
    Application,
    Candidate,
    Decision,
    Hire,
    ModelVersion,
    Opening,
    Role,
    Scorecard,
    ScorecardStatus,
    ScorecardTemplate,
    SelfIdentification,
    Shortlist,
    ShortlistEntry,
    Trait,
    User,
    db,
)
from tests.conftest import base_config

# Lists draw the same markup for 10 rows as for 50, and axe-core checks 10 much faster.
PAGE_SIZE = 10


@dataclass(frozen=True)
class SignIn:
    """A demo account: its e-mail and password."""

    email: str
    password: str


SIGN_INS = {sign_in.role: SignIn(sign_in.email, sign_in.password) for sign_in in DEMO_SIGN_INS}


def first(statement):
    """Return the first row of a select, which the demo data always has."""
    row = db.session.scalars(statement.limit(1)).first()
    assert row is not None, f"the demo data has no row for {statement}"
    return row


def seed_main_pages() -> dict[Role, list[tuple[str, str]]]:
    """Add a shortlist to the demo data (with its trained model); return each role's main pages as (name, URL).

    Call inside an app context of a copy of the demo database. The candidate page shows a candidate with an opening,
    submitted scorecards, a decision and self-identification, so that every panel of it is drawn.
    """
    manager = first(db.select(User).where(User.email == SIGN_INS[Role.MANAGER].email))
    interviewer = first(db.select(User).where(User.email == SIGN_INS[Role.INTERVIEWER].email))
    rich = (
        db.select(Candidate.id)
        .join(Application, Application.candidate_id == Candidate.id)
        .join(Scorecard, Scorecard.candidate_id == Candidate.id)
        .join(Decision, Decision.candidate_id == Candidate.id)
        .join(SelfIdentification, SelfIdentification.candidate_id == Candidate.id)
        .where(Scorecard.status == ScorecardStatus.SUBMITTED)
        .order_by(Candidate.id)
    )
    candidate = first(rich)
    compared = list(db.session.scalars(db.select(Candidate.id).join(Scorecard).distinct().order_by(Candidate.id)))[:3]
    shortlist = Shortlist(name="Enterprise AEs, first look", owner=manager)
    shortlist.entries = [ShortlistEntry(candidate_id=id_, position=n) for n, id_ in enumerate(compared, start=1)]
    db.session.add(shortlist)
    db.session.commit()
    opening = first(db.select(Opening.id).join(Application).order_by(Opening.id))
    hire = first(db.select(Hire.id).order_by(Hire.id))
    version = first(db.select(ModelVersion.number).order_by(ModelVersion.number.desc()))
    draft = first(
        db.select(Scorecard.id)
        .where(Scorecard.interviewer_id == interviewer.id, Scorecard.status == ScorecardStatus.DRAFT)
        .order_by(Scorecard.id)
    )
    trait = first(db.select(Trait.id).order_by(Trait.id))
    template = first(db.select(ScorecardTemplate.id).where(ScorecardTemplate.is_current.is_(True)))
    compare = "/compare?" + "&".join(f"ids={id_}" for id_ in compared)
    manager_pages = [
        ("dashboard", "/"),
        ("pool", "/candidates/"),
        ("candidate", f"/candidates/{candidate}"),
        ("candidate-edit", f"/candidates/{candidate}/edit"),
        ("candidate-new", "/candidates/new"),
        ("openings", "/openings/"),
        ("opening-board", f"/openings/{opening}"),
        ("opening-form", "/openings/new"),
        ("reps", "/reps/"),
        ("rep", f"/reps/{hire}"),
        ("model", "/model/"),
        ("model-version", f"/model/versions/{version}"),
        ("model-card", f"/model/versions/{version}/card"),
        ("shortlists", "/shortlists/"),
        ("shortlist", f"/shortlists/{shortlist.id}"),
        ("shortlist-form", "/shortlists/new"),
        ("compare", compare),
        ("export", "/exports/pool"),
        ("import", "/candidates/import"),
        ("decisions", "/decisions/"),
        ("consents", "/consents"),
        ("calibration", "/interviews/calibration"),
        ("duplicates", "/candidates/duplicates"),
    ]
    interviewer_pages = [
        ("my-interviews", "/interviews/mine"),
        ("scorecard", f"/interviews/scorecards/{draft}"),
        ("api-tokens", "/account/tokens"),
    ]
    admin_pages = [
        ("users", "/admin/users/"),
        ("user-new", "/admin/users/new"),
        ("traits", "/admin/traits/"),
        ("trait", f"/admin/traits/{trait}"),
        ("scorecard-templates", "/admin/templates/"),
        ("scorecard-template", f"/admin/templates/{template}"),
        ("tier-rule", "/admin/tier-rule/"),
        ("audit-log", "/admin/audit/"),
        ("self-identification", "/admin/self-identification/"),
        ("fairness", "/admin/fairness/"),
        ("model-events", "/model/events"),
    ]
    return {Role.MANAGER: manager_pages, Role.INTERVIEWER: interviewer_pages, Role.ADMIN: admin_pages}


@pytest.fixture(scope="module")
def demo_site(demo_database, tmp_path_factory) -> tuple[str, str, dict[Role, list[tuple[str, str]]]]:
    """Copy the run's demo database and instance folder, add a shortlist; return their paths and the main pages.

    SQLite only: the PostgreSQL run deselects the rendering checks that use it (RENDERING_ONLY in conftest).
    """
    demo_settings, demo_instance, _ = demo_database
    folder = tmp_path_factory.mktemp("demo-site")
    path = folder / "bench.sqlite"
    shutil.copyfile(demo_settings["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), path)
    shutil.copytree(demo_instance, folder / "instance")
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}"))
    app.instance_path = str(folder / "instance")
    with app.app_context():
        pages = seed_main_pages()
        db.engine.dispose()
    return str(path), app.instance_path, pages


@pytest.fixture
def database(demo_site, tmp_path):
    """Replace the fresh empty database with a copy of the demo one, and ``live_app``'s instance folder with its own."""
    path, instance, _ = demo_site
    shutil.copyfile(path, tmp_path / "bench.sqlite")
    shutil.copytree(instance, tmp_path / "instance")  # live_app's instance folder: the trained model's file
    yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bench.sqlite'}", "PAGE_SIZE": PAGE_SIZE}
