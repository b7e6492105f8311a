"""Real records for the authorization matrix: one user per role, and one of every object a URL can name.

``build_world`` runs once per test module. ``url_values`` fills a route's URL parameters with ids
of these records; routes that destroy what they are given get a fresh record per request (FRESH),
so that one role's allowed request does not change the answer the next role gets.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from hiring.auth import invitation_url
from hiring.resume_store import store_resume
from hiring.training import train_version
from models import (
    ApiToken,
    Application,
    Candidate,
    Decision,
    DecisionKind,
    Hire,
    JobStatus,
    Opening,
    PeriodResult,
    ResumeKind,
    Role,
    SavedView,
    SelfIdentification,
    Shortlist,
    ShortlistEntry,
    TrainingJob,
    Trait,
    User,
    db,
    utcnow,
)
from tests.api.helpers import make_token
from tests.factories import current_template_id, make_candidate, make_interview, make_opening, make_scorecard, make_user
from tests.fit_history import make_history

# The roles of the matrix, in its column order.
ANONYMOUS = "anonymous"
INTERVIEWER = "interviewer"  # interviews the matrix's candidate: owns its draft scorecard
OTHER_INTERVIEWER = "interviewer-not-assigned"  # an interviewer, but of another candidate
MANAGER = "manager"  # owns the matrix's shortlist
ADMIN = "admin"
DEACTIVATED = "deactivated"  # a manager who was signed in when an admin deactivated them
ROLES = (ANONYMOUS, INTERVIEWER, OTHER_INTERVIEWER, MANAGER, ADMIN, DEACTIVATED)

UNSHARED_LIST, UNSHARED_COMMENT = "Unshared list", "Comment on an unshared list"  # MANAGER never sees these
RESULT_PERIOD = "2026-01"  # the month of the rep's result that delete_result removes
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class World:
    """The users (by matrix role and helper name), their session ids, API tokens and the objects' ids."""

    users: dict[str, User] = field(default_factory=dict)
    session_ids: dict[str, str] = field(default_factory=dict)  # what sign_in_as puts in the cookie
    tokens: dict[str, str] = field(default_factory=dict)
    read_only_tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int | str] = field(default_factory=dict)  # URL parameter name -> value


def make_shortlist(
    owner_id: int, candidate_ids: list[int], shared_with: list[int] = (), name: str | None = None, comment: str = ""
) -> Shortlist:
    """A shortlist with these candidates in order, shared with these users (committed)."""
    shortlist = Shortlist(name=name or f"List {utcnow().timestamp()}", owner_id=owner_id)
    shortlist.shared_with = db.session.scalars(db.select(User).where(User.id.in_(shared_with))).all()
    shortlist.entries = [
        ShortlistEntry(candidate_id=cid, position=n, comment=comment) for n, cid in enumerate(candidate_ids, start=1)
    ]
    db.session.add(shortlist)
    db.session.commit()
    return shortlist


def make_hire(candidate_id: int) -> Hire:
    """A rep hired a year ago with one month's result (committed)."""
    hire = Hire(candidate_id=candidate_id, hired_on=date.today() - timedelta(days=365))
    hire.results = [PeriodResult(period=RESULT_PERIOD, quota=Decimal(1000), booked=Decimal(900))]
    db.session.add(hire)
    db.session.commit()
    return hire


def make_resume(candidate_id: int) -> int:
    """A small PDF resume attached to the candidate, with its file on disk; returns its id."""
    candidate = db.session.get(Candidate, candidate_id)
    resume, _ = store_resume(candidate, ResumeKind.PDF, "cv.pdf", PDF + str(utcnow()).encode(), "sales", "upload", None)
    db.session.commit()
    return resume.id


def add_users(world: World) -> None:
    """One user per signed-in role, the helpers the admin pages act on, and everyone's tokens."""
    for name, role in (
        (INTERVIEWER, Role.INTERVIEWER),
        (OTHER_INTERVIEWER, Role.INTERVIEWER),
        (MANAGER, Role.MANAGER),
        (ADMIN, Role.ADMIN),
        (DEACTIVATED, Role.MANAGER),
        ("other_manager", Role.MANAGER),  # owns a list not shared with MANAGER
        ("shared_manager", Role.MANAGER),  # a list of MANAGER's is shared with them
        ("target", Role.INTERVIEWER),  # the user the admin's user pages act on
    ):
        world.users[name] = make_user(role, name=f"Matrix {name}")
    world.users["invited"] = make_user(Role.INTERVIEWER, password=None, name="Matrix invited")
    for name, user in world.users.items():
        world.session_ids[name] = user.get_id()
        world.tokens[name] = make_token(user)
        world.read_only_tokens[name] = make_token(user, read_only=True, name="read-only")
    # Deactivated after signing in and creating tokens: the session and tokens must stop working.
    gone = db.session.get(User, world.users[DEACTIVATED].id)
    gone.deactivate()
    db.session.commit()


def add_pool(world: World) -> None:
    """The candidate (interviewed by INTERVIEWER), its twin for merging, and what hangs off them."""
    users = world.users
    opening = make_opening()
    candidate = make_candidate(name="Matrix Candidate", email="matrix@example.org")
    twin = make_candidate(name="Matrix Candidate", email="matrix.twin@example.org")
    other = make_candidate(name="Other Candidate")
    interview = make_interview(candidate.id, [users[INTERVIEWER].id, users["target"].id])
    make_interview(other.id, [users[OTHER_INTERVIEWER].id])
    # A submitted card of a past interview: the model scores the candidate, and there is something to hide.
    make_scorecard(candidate.id, users["target"].id, {"coachability": 4, "drive": 3})
    application = Application(candidate_id=candidate.id, opening_id=opening.id, stage=opening.stages[0])
    db.session.add_all(
        [
            application,
            SelfIdentification(candidate_id=candidate.id),
            Decision(candidate_id=candidate.id, kind=DecisionKind.FORWARD, to_state="contacted"),
            SavedView(user_id=users[MANAGER].id, name="Matrix view", query="q=x"),
        ]
    )
    db.session.commit()
    own, others = interview.scorecards[0], interview.scorecards[1]
    shortlist = make_shortlist(users[MANAGER].id, [candidate.id, twin.id], [users["shared_manager"].id])
    unshared = make_shortlist(users["other_manager"].id, [candidate.id], name=UNSHARED_LIST, comment=UNSHARED_COMMENT)
    world.ids.update(
        candidate_id=candidate.id,
        other_id=twin.id,
        opening_id=opening.id,
        application_id=application.id,
        interview_id=interview.id,
        scorecard_id=own.id,
        others_scorecard_id=others.id,
        other_candidate_id=other.id,
        shortlist_id=shortlist.id,
        entry_id=shortlist.entries[0].id,
        unshared_shortlist_id=unshared.id,
        unshared_entry_id=unshared.entries[0].id,
        resume_id=make_resume(candidate.id),
        hire_id=make_hire(make_candidate(name="Matrix Rep").id).id,
        period=RESULT_PERIOD,
        template_id=current_template_id(),
        trait_id=db.session.scalar(db.select(Trait.id).order_by(Trait.id)),
        user_id=users["target"].id,
        token=invitation_url(users["invited"]).rsplit("/", 1)[1],
        output="json",
    )


def add_model(world: World) -> None:
    """A trained, active model version, and a training job that is still running (so no POST starts one)."""
    make_history(reps=36, pool=2)
    version = train_version(None)
    job = TrainingJob(status=JobStatus.RUNNING, message="Matrix job", heartbeat_at=utcnow())
    db.session.add(job)
    db.session.commit()
    world.ids.update(number=version.number, job_id=job.id)


def build_world() -> World:
    """Create every record the matrix needs (inside an app context)."""
    world = World()
    add_users(world)
    add_pool(world)
    add_model(world)
    return world


# Records made afresh for each request to a route that deletes or merges what it is given ------------


def fresh_candidate(world: World, user: User | None) -> dict:
    """A new candidate, to erase."""
    return {"candidate_id": make_candidate().id}


def fresh_pair(world: World, user: User | None) -> dict:
    """Two new records of one person, to merge."""
    first = make_candidate(name="Twin Person", email="twin@example.org")
    return {"candidate_id": first.id, "other_id": make_candidate(name="Twin Person", phone="+1 415 555 0100").id}


def fresh_resume(world: World, user: User | None) -> dict:
    """A new resume of the matrix candidate, to delete."""
    return {"candidate_id": world.ids["candidate_id"], "resume_id": make_resume(world.ids["candidate_id"])}


def fresh_application(world: World, user: User | None) -> dict:
    """A new application to the matrix opening, to remove."""
    opening = db.session.get(Opening, world.ids["opening_id"])
    application = Application(candidate_id=make_candidate().id, opening_id=opening.id, stage=opening.stages[0])
    db.session.add(application)
    db.session.commit()
    return {"application_id": application.id}


def fresh_interview(world: World, user: User | None) -> dict:
    """A new interview of the matrix candidate, to cancel."""
    return {"interview_id": make_interview(world.ids["candidate_id"], [world.users[INTERVIEWER].id]).id}


def fresh_shortlist(world: World, user: User | None) -> dict:
    """A new list of MANAGER's with one entry, to delete or take the entry off."""
    shortlist = make_shortlist(world.users[MANAGER].id, [world.ids["candidate_id"]])
    return {"shortlist_id": shortlist.id, "entry_id": shortlist.entries[0].id}


def fresh_hire(world: World, user: User | None) -> dict:
    """A new rep with a month's result, to delete it."""
    return {"hire_id": make_hire(make_candidate().id).id, "period": RESULT_PERIOD}


def fresh_trait(world: World, user: User | None) -> dict:
    """A new trait in no template, to delete, retire or restore."""
    number = db.session.scalar(db.select(db.func.count(Trait.id)))
    trait = Trait(key=f"matrix_{number}", name=f"Matrix trait {number}", description="For the matrix.")
    db.session.add(trait)
    db.session.commit()
    return {"trait_id": trait.id}


def own_view(world: World, user: User | None) -> dict:
    """A saved view of the requesting user's own (another user's answers 404: tested on its own)."""
    view = SavedView(user_id=user.id if user else world.users[MANAGER].id, name=f"Mine {utcnow()}", query="")
    db.session.add(view)
    db.session.commit()
    return {"view_id": view.id}


def own_token(world: World, user: User | None) -> dict:
    """A token of the requesting user's own, to revoke (another user's answers 404: tested on its own)."""
    make_token(user or world.users[MANAGER], name=f"spare {utcnow().timestamp()}")
    token_id = db.session.scalar(db.select(db.func.max(ApiToken.id)))
    return {"token_id": token_id}


FRESH = {
    "privacy.erase": fresh_candidate,
    "merge.merge": fresh_pair,
    "resumes.delete": fresh_resume,
    "openings.remove": fresh_application,
    "interviews.cancel": fresh_interview,
    "shortlists.delete": fresh_shortlist,
    "shortlists.remove": fresh_shortlist,
    "reps.delete_result": fresh_hire,
    "traits.delete": fresh_trait,
    "traits.retire": fresh_trait,
    "traits.restore": fresh_trait,
    "candidates.delete_view": own_view,
    "account.revoke_token": own_token,
}


def routes(app) -> list[tuple[object, str]]:
    """(rule, method) for every route of the app but static files, in URL order."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        found.extend((rule, method) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return found


def url_values(world: World, endpoint: str, method: str, arguments, user: User | None) -> dict:
    """The values of a route's URL parameters: the world's records, or fresh ones for destructive writes."""
    fresh = FRESH[endpoint](world, user) if method != "GET" and endpoint in FRESH else {}
    return {name: fresh[name] if name in fresh else world.ids[name] for name in arguments}
