"""Load N synthetic candidates straight into the app's database, for the benchmarks.

Run from the repository root (``make bench`` does)::

    .venv/bin/python -m benchmarks.generate --n 100000 [--seed 1]

The database is the one the app is configured for (``DATABASE_URL``, or the
SQLite file in the instance folder, which ``BENCH_INSTANCE_PATH`` moves); it
must be migrated and hold no candidates yet. Rows go in with SQLAlchemy Core
``insert()`` executemany in batches, many times faster than through the ORM;
the SQLite full-text index follows by its insert trigger.

``candidate.search_text`` is computed by ``Candidate.refresh_search_text()`` on
an unsaved instance, so search finds these rows exactly as it finds rows the
app saved itself.

Two words of the notes are planted for the search benchmark, and appear nowhere
else (no other word starts with them, since search matches word prefixes):

- ``RARE_WORD`` ("biotech") in the notes of about 7 % of candidates;
- ``COMMON_WORD`` ("pipeline") in the notes of about 50 % of candidates.

Candidates considered for an opening and past its screen have 1-3 interviews, each with
one submitted scorecard rating every trait of the current template. One
candidate, found by ``HEAVY_EMAIL``, has exactly ``HEAVY_SCORECARDS`` submitted
scorecards and ``HEAVY_HISTORY`` touches and status changes, for the candidate page benchmark.
"""

import argparse
import random
import sys
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Connection, func, insert, select

from hiring import create_app
from hiring.demo import (
    CITIES,
    COMPANIES,
    NAME_POOLS,
    STAGES_BY_STATUS,
    STATUS_PATHS,
    STATUS_SHARES,
    TITLES,
    TOUCH_KIND_WEIGHTS,
    TOUCH_SUMMARIES,
    slug,
)
from models import (
    DEFAULT_STAGES,
    Application,
    Candidate,
    ConsentMethod,
    Interview,
    InterviewKind,
    Opening,
    OpeningStatus,
    PoolStatus,
    Rating,
    Recommendation,
    Role,
    Scorecard,
    ScorecardTemplate,
    Segment,
    Source,
    StatusChange,
    Tag,
    TemplateItem,
    Touch,
    TouchKind,
    User,
    db,
)
from models.candidate import candidate_tag
from models.contact import search_words

RARE_WORD, RARE_SHARE = "biotech", 0.07
COMMON_WORD, COMMON_SHARE = "pipeline", 0.50
DEFAULT_N = 100_000
BATCH_SIZE = 2_000
# The candidate of the candidate page benchmark: the first one generated.
HEAVY_EMAIL = "heavy.candidate@example.com"
HEAVY_SCORECARDS, HEAVY_HISTORY = 20, 200
# Stages at which a candidate has been interviewed for the opening.
INTERVIEWED_STAGES = ("interviews", "final", "offer", "hired", "rejected")
INTERVIEW_KINDS = [InterviewKind.PHONE_SCREEN, InterviewKind.BEHAVIOURAL, InterviewKind.ROLE_PLAY, InterviewKind.PANEL]

SKILLS = [
    *("salesforce", "hubspot", "outreach", "gong", "meddic", "meddpicc", "challenger", "spin selling", "sandler"),
    *("solution selling", "negotiation", "prospecting", "cold calling", "discovery", "demos", "forecasting"),
    *("account planning", "territory planning", "channel", "partnerships", "saas", "fintech", "healthcare"),
    *("cybersecurity", "logistics", "hr tech", "edtech", "martech", "insurtech", "public sector", "smb"),
    *("mid-market", "enterprise", "outbound", "inbound", "closer", "hunter", "farmer", "spanish", "german"),
    *("french", "dutch", "portuguese", "italian", "mandarin", "japanese", "emea", "apac", "latam", "remote"),
]
# Words the notes are made of, besides the two planted ones.
NOTE_WORDS = """
    a about above account accounts after again ahead all also always an and annual any appetite are as asked at
    attainment average back background based be before being best better big board book booked bookings both
    brought budget build built business but buyer buyers by call calls can candidate case champion change
    changed clear client clients close closed closing coach coached coaching cold colleague comp company
    competitive consistent contract contracts conversation could counter culture customer customers cycle
    data deal deals decision demo did discount discovery do done down drive driven during each early easy
    economic email end energy enterprise even every expansion experience fast feedback few field first focus
    for forecast forecasts found from fit gap get goal goals good great grew growth had handled has have
    he her high hiring his history how ideal if impact in inbound increase into is it its just keen kept
    know large last lead leader leads learn learned left less like listen listened logo logos long lost
    made make manager many market mature meeting meetings met might mind mindset month months more most
    motivated move moved much multi must need needs negotiated net new next no not notes now number objection
    objections of off offer on once one only open or order other our out outbound over own partner patch
    people per performance phone pitch plan played playbook points position pricing prior process product
    promotion prospect prospects quarter quarters question questions quick quota quotas ramp ramped rate
    reached ready really reference references referral region renewal renewals rep reps revenue right role
    run sales said same say season second seller selling senior sequence she should since size small so
    solid some spoke stakeholder stakeholders stayed still strategic strong team teams territory than that
    the their them then there they thing think this three through time to told took top track trained
    travel trial two under understood up upsell us use value very vertical wants was we week weeks well
    went were what when where which while who why will win wins with won work worked would year years yes
""".split()


def check_vocabulary() -> None:
    """Fail if any other word of the generated text starts with a planted word (search matches prefixes)."""
    texts = [*NOTE_WORDS, *SKILLS, *(c.name for c in CITIES.values()), *(name for name, _ in COMPANIES)]
    texts += [t.title for t in TITLES] + [name for pool in NAME_POOLS for names in pool[:2] for name in names]
    for word in search_words(" ".join(texts)):
        for planted in (RARE_WORD, COMMON_WORD):
            if word.startswith(planted):
                raise ValueError(f"{word!r} would match searches for {planted!r}")


class CandidateFactory:
    """Draws candidate rows and their tags, touches, status changes and applications."""

    def __init__(self, rng: random.Random, today: date, users: dict, tags: dict, openings: list[int], scoring: tuple):
        self.rng, self.today, self.tags, self.openings = rng, today, tags, openings
        self.template_id, self.trait_ids = scoring
        self.managers, self.interviewers = users[Role.MANAGER], users[Role.INTERVIEWER]
        self.tag_objects = {name: Tag(name=name) for name in tags}
        statuses = list(STATUS_SHARES)
        self.status_weights = (statuses, [STATUS_SHARES[s] for s in statuses])
        self.cities = list(CITIES.values())
        self.title_weights = [t.weight for t in TITLES]

    def moment(self, days_ago: int) -> datetime:
        """Return a working-hours moment ``days_ago`` days before today."""
        at = time(self.rng.randint(8, 17), self.rng.randrange(0, 60, 5))
        return datetime.combine(self.today - timedelta(days=days_ago), at, UTC)

    def notes(self) -> str:
        """Return 30-80 words of notes, with the planted words in their shares of candidates."""
        rng = self.rng
        words = rng.choices(NOTE_WORDS, k=rng.randint(30, 80))
        for planted, share in ((RARE_WORD, RARE_SHARE), (COMMON_WORD, COMMON_SHARE)):
            if rng.random() < share:
                words[rng.randrange(len(words))] = planted
        return " ".join(words).capitalize() + "."

    def candidate(self, number: int) -> dict:
        """Return one candidate's column values and, under "_history", its child rows without the id."""
        rng = self.rng
        first_names, last_names, home_cities, _ = rng.choice(NAME_POOLS)
        first, last = rng.choice(first_names), rng.choice(last_names)
        city = CITIES[rng.choice(home_cities)] if rng.random() < 0.75 else rng.choice(self.cities)
        company = rng.choice(COMPANIES)[0] if rng.random() < 0.95 else None
        background = rng.choices(TITLES, weights=self.title_weights)[0]
        status = rng.choices(*self.status_weights)[0] if number else PoolStatus.INTERVIEWING
        tag_names = sorted(rng.sample(list(self.tags), k=rng.randint(3, 7)))
        # A transient Candidate normalises e-mail, phone and LinkedIn URL and builds
        # search_text exactly as a saved one would. Tags go in sorted, the order a
        # loaded candidate lists them in.
        model = Candidate(
            name=f"{first} {last}",
            email=f"{slug(first)}.{slug(last)}.{number}@example.com" if number else HEAVY_EMAIL,
            alt_email=f"{slug(first)}{number}@{slug(company)}.example" if company and rng.random() < 0.1 else None,
            phone=self.phone(city) if rng.random() < 0.8 else None,
            location=city.name,
            linkedin_url=f"linkedin.com/in/{slug(first)}-{slug(last)}-{number:x}" if rng.random() < 0.7 else None,
            company=company,
            title=background.title,
            notes=self.notes(),
        )
        model.tags = [self.tag_objects[name] for name in tag_names]
        model.refresh_search_text()
        days_in_pool = rng.randint(2, 1000)
        row = {
            "name": model.name,
            "email": model.email,
            "alt_email": model.alt_email,
            "phone": model.phone,
            "phone_normalized": model.phone_normalized,
            "location": model.location,
            "linkedin_url": model.linkedin_url,
            "linkedin_key": model.linkedin_key,
            "company": model.company,
            "title": model.title,
            "notes": model.notes,
            "search_text": model.search_text,
            "status": status,
            "owner_id": rng.choice(self.managers) if rng.random() < 0.9 else None,
            "created_at": self.moment(days_in_pool),
            **self.sales_background(background),
            **self.consent(days_in_pool),
        }
        history = self.history(row, days_in_pool) if number else self.heavy_history(row, days_in_pool)
        row["last_touch_at"] = max((t["at"] for t in history["touches"]), default=None)
        changed = [r["at"] for r in (*history["status_changes"], *history["touches"])]
        row["updated_at"] = max([row["created_at"], *changed])
        row["next_touch_on"] = self.next_touch(status)
        row["_history"] = history
        row["_tags"] = [self.tags[name] for name in tag_names]
        return row

    def phone(self, city) -> str:
        """Return a fictional phone number of the city's country (US 555-01xx, else UK 07700 900xxx)."""
        if city.area_code and city.country == "US":
            return f"({city.area_code}) 555-01{self.rng.randint(0, 99):02d}"
        return f"+44 7700 900{self.rng.randint(0, 999):03d}"

    def sales_background(self, background) -> dict:
        """Return segment, deal size, cycle, quota years, attainment and source."""
        rng = self.rng
        deal, cycle = None, None
        if background.deal_size:
            deal = int(round(rng.uniform(*background.deal_size), -3))
            cycle = rng.randint(*background.cycle_days)
        source = rng.choice([Source.SOURCED, Source.REFERRAL, Source.INBOUND, Source.EVENT, Source.AGENCY])
        attainment = max(35, min(190, round(rng.gauss(103, 24)))) if rng.random() < 0.85 else None
        return {
            "segment": rng.choice(background.segments) if rng.random() < 0.95 else None,
            "typical_deal_size": deal,
            "sales_cycle_days": cycle,
            "quota_years": Decimal(str(round(rng.uniform(*background.quota_years), 1))),
            "past_attainment_pct": attainment,
            "attainment_verified": attainment is not None and rng.random() < 0.3,
            "source": source,
            "referrer": "A colleague" if source is Source.REFERRAL else None,
        }

    def consent(self, days_in_pool: int) -> dict:
        """Return consent date, method and expiry (two years later) for most candidates."""
        if self.rng.random() < 0.15:
            return {"consent_on": None, "consent_method": None, "consent_expires_on": None}
        consent_on = self.today - timedelta(days=days_in_pool - 1)
        method = self.rng.choice(list(ConsentMethod))
        return {"consent_on": consent_on, "consent_method": method, "consent_expires_on": consent_on + timedelta(730)}

    def next_touch(self, status: PoolStatus) -> date | None:
        """Return a next-touch date: overdue, coming up, or none."""
        if status in (PoolStatus.HIRED, PoolStatus.DECLINED, PoolStatus.REJECTED):
            return None
        roll = self.rng.random()
        if roll < 0.25:
            return self.today - timedelta(days=self.rng.randint(1, 60))
        if roll < 0.7:
            return self.today + timedelta(days=self.rng.randint(0, 90))
        return None

    def history(self, row: dict, days_in_pool: int) -> dict[str, list[dict]]:
        """Return the status changes, touches and (for a few) an application, oldest first."""
        rng, status = self.rng, row["status"]
        path = STATUS_PATHS[status]
        days = sorted(rng.sample(range(1, days_in_pool + 1), k=min(days_in_pool, len(path) + 6)), reverse=True)
        changes = [
            {
                "from_status": previous,
                "to_status": to_status,
                "reason": "Decided after the final interview." if to_status.needs_reason else "",
                "changed_by_id": rng.choice(self.managers),
                "at": row["created_at"] if previous is None else self.moment(day),
            }
            for previous, to_status, day in zip([None, *path], path, days, strict=False)
        ]
        touches = []
        for day in days[len(path) : len(path) + rng.randint(0, 5)]:
            kind = rng.choices(list(TOUCH_KIND_WEIGHTS), weights=list(TOUCH_KIND_WEIGHTS.values()))[0]
            summary = rng.choice(TOUCH_SUMMARIES[kind]).format(
                first=row["name"].split()[0], company=row["company"] or "their company", city="town", event="a meetup"
            )
            author = rng.choice(self.interviewers if kind is TouchKind.MEETING else self.managers)
            touches.append({"kind": kind, "summary": summary, "author_id": author, "at": self.moment(day)})
        applications = []
        if status in STAGES_BY_STATUS and rng.random() < 0.05:
            at = self.moment(days[-1])
            application = {"opening_id": rng.choice(self.openings), "stage": rng.choice(STAGES_BY_STATUS[status])}
            applications.append(
                application | {"added_by_id": rng.choice(self.managers), "created_at": at, "moved_at": at}
            )
        interviews = []
        if applications and applications[0]["stage"] in INTERVIEWED_STAGES:
            application = applications[0]
            for day in sorted(rng.sample(range(1, days[-1] + 1), k=min(days[-1], rng.randint(1, 3))), reverse=True):
                interviewers = [rng.choice(self.interviewers)]
                interviews.append(self.interview(application["opening_id"], self.moment(day), interviewers))
        return {"status_changes": changes, "touches": touches, "applications": applications, "interviews": interviews}

    def interview(self, opening_id: int, at: datetime, interviewers: list[int]) -> dict:
        """Return an interview at ``at`` with one submitted scorecard per interviewer, rating every trait."""
        rng = self.rng
        quality = rng.gauss(0, 0.8)
        cards = []
        for interviewer_id in interviewers:
            scores = [max(1, min(5, round(3 + quality + rng.gauss(0, 0.8)))) for _ in self.trait_ids]
            mean = sum(scores) / max(1, len(scores))
            recommendation = (Recommendation.STRONG_YES if mean >= 4 else Recommendation.YES if mean >= 3
                              else Recommendation.NO if mean >= 2 else Recommendation.STRONG_NO)  # fmt: skip
            submitted = at + timedelta(hours=2)
            cards.append(
                {"interviewer_id": interviewer_id, "template_id": self.template_id, "status": "submitted",
                 "recommendation": recommendation, "answers": {}, "submitted_at": submitted,
                 "created_at": at, "updated_at": submitted,
                 "_ratings": [{"trait_id": t, "score": s} for t, s in zip(self.trait_ids, scores, strict=True)]}
            )  # fmt: skip
        return {"opening_id": opening_id, "kind": rng.choice(INTERVIEW_KINDS), "scheduled_at": at,
                "template_id": self.template_id, "created_by_id": rng.choice(self.managers), "created_at": at,
                "_scorecards": cards}  # fmt: skip

    def heavy_history(self, row: dict, days_in_pool: int) -> dict[str, list[dict]]:
        """Return the heavy candidate's history: HEAVY_HISTORY touches and status changes, HEAVY_SCORECARDS cards."""
        rng = self.rng
        days_in_pool = max(days_in_pool, HEAVY_HISTORY + HEAVY_SCORECARDS + 1)
        row["created_at"] = self.moment(days_in_pool)
        days = sorted(rng.sample(range(1, days_in_pool), k=HEAVY_HISTORY + HEAVY_SCORECARDS), reverse=True)
        # Back and forth between engaged and not now, then interviewing: 40 changes, the rest touches.
        path = [PoolStatus.PROSPECT] + [PoolStatus.ENGAGED, PoolStatus.NOT_NOW] * 19 + [PoolStatus.INTERVIEWING]
        changes = [
            {"from_status": previous, "to_status": to_status, "reason": "", "changed_by_id": rng.choice(self.managers),
             "at": row["created_at"] if previous is None else self.moment(day)}
            for previous, to_status, day in zip([None, *path], path, days, strict=False)
        ]  # fmt: skip
        touches = [
            {"kind": TouchKind.CALL, "summary": f"Call {n + 1} with {row['name'].split()[0]}.",
             "author_id": rng.choice(self.managers), "at": self.moment(day)}
            for n, day in enumerate(days[len(path) : HEAVY_HISTORY])
        ]  # fmt: skip
        opening_id = self.openings[0]
        at = self.moment(days[HEAVY_HISTORY - 1])
        application = {"opening_id": opening_id, "stage": "interviews", "added_by_id": self.managers[0],
                       "created_at": at, "moved_at": at}  # fmt: skip
        interviews = [
            self.interview(opening_id, self.moment(day), [self.interviewers[n % len(self.interviewers)]])
            for n, day in enumerate(days[HEAVY_HISTORY:])
        ]
        return {"status_changes": changes, "touches": touches, "applications": [application], "interviews": interviews}


def insert_users(conn: Connection) -> dict[Role, list[int]]:
    """Create an admin, four managers and three interviewers (no passwords: the benchmark signs in by session)."""
    people = [(Role.ADMIN, "Avery Admin")] + [(Role.MANAGER, f"Manager {n}") for n in range(1, 5)]
    people += [(Role.INTERVIEWER, f"Interviewer {n}") for n in range(1, 4)]
    rows = [
        {"email": f"bench-{slug(name)}@example.com", "name": name, "role": role, "password_hash": None}
        for role, name in people
    ]
    ids = conn.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), rows).all()
    users = {role: [] for role in Role}
    for (role, _), user_id in zip(people, ids, strict=True):
        users[role].append(user_id)
    return users


def insert_tags(conn: Connection) -> dict[str, int]:
    """Create the skill tags; return their ids by name."""
    ids = conn.scalars(
        insert(Tag).returning(Tag.id, sort_by_parameter_order=True), [{"name": name} for name in SKILLS]
    ).all()
    return dict(zip(SKILLS, ids, strict=True))


def insert_openings(conn: Connection, users: dict, today: date) -> list[int]:
    """Create five openings; return their ids."""
    titles = ["Enterprise AE — EMEA", "SMB AE — Austin", "SDR — Remote", "Mid-Market AE — Chicago", "AE — Denver"]
    statuses = [OpeningStatus.OPEN] * 3 + [OpeningStatus.ON_HOLD, OpeningStatus.FILLED]
    created = datetime.combine(today - timedelta(days=90), time(9), UTC)
    rows = [
        {
            "title": title,
            "territory": None,
            "segment": Segment.ENTERPRISE if "Enterprise" in title else Segment.SMB,
            "headcount": 2,
            "status": status,
            "hiring_manager_id": users[Role.MANAGER][n % len(users[Role.MANAGER])],
            "stages": list(DEFAULT_STAGES),
            "created_at": created,
            "updated_at": created,
        }
        for n, (title, status) in enumerate(zip(titles, statuses, strict=True))
    ]
    return conn.scalars(insert(Opening).returning(Opening.id, sort_by_parameter_order=True), rows).all()


def scoring_setup(conn: Connection) -> tuple[int, list[int]]:
    """Return the current scorecard template's id and its traits' ids (the migrations create them)."""
    template_id = conn.scalar(
        select(ScorecardTemplate.id).where(ScorecardTemplate.is_current.is_(True)).order_by(ScorecardTemplate.id)
    )
    if template_id is None:
        raise SystemExit("No current scorecard template; run the migrations first.")
    items = select(TemplateItem.trait_id).where(TemplateItem.template_id == template_id).order_by(TemplateItem.position)
    return template_id, list(dict.fromkeys(conn.scalars(items)))


def next_id(conn: Connection, model) -> int:
    """Return the id after the largest one of ``model``'s table."""
    return (conn.scalar(select(func.max(model.id))) or 0) + 1


def insert_interviews(conn: Connection, ids: list[int], history: list[dict]) -> None:
    """Insert the batch's interviews, their scorecards and ratings, with given ids (see insert_batch)."""
    interviews, cards, ratings = [], [], []
    # A scorecard takes its interview's id (one each): benchmarks.bench_export numbers the ones it adds so too.
    interview_id = max(next_id(conn, Interview), next_id(conn, Scorecard))
    for cid, h in zip(ids, history, strict=True):
        for interview in h["interviews"]:
            interviews.append({k: v for k, v in interview.items() if k != "_scorecards"} | {"id": interview_id})
            interviews[-1]["candidate_id"] = cid
            (card,) = interview["_scorecards"]
            cards.append({k: v for k, v in card.items() if k != "_ratings"})
            cards[-1] |= {"id": interview_id, "interview_id": interview_id, "candidate_id": cid}
            ratings += [rating | {"scorecard_id": interview_id} for rating in card["_ratings"]]
            interview_id += 1
    for model, children in ((Interview, interviews), (Scorecard, cards), (Rating, ratings)):
        if children:
            conn.execute(insert(model), children)


def insert_batch(conn: Connection, rows: list[dict]) -> None:
    """Insert a batch of candidates, then their tags, status changes, touches, applications and interviews."""
    history = [row.pop("_history") for row in rows]
    tag_ids = [row.pop("_tags") for row in rows]
    # Ids are given, not returned: SQLite cannot return the ids of a multi-row INSERT in order,
    # so SQLAlchemy would send one INSERT per row. generate() moves PostgreSQL's sequence on after.
    first_id = (conn.scalar(select(func.max(Candidate.id))) or 0) + 1
    ids = list(range(first_id, first_id + len(rows)))
    conn.execute(insert(Candidate), [row | {"id": cid} for row, cid in zip(rows, ids, strict=True)])
    conn.execute(
        insert(candidate_tag),
        [{"candidate_id": cid, "tag_id": tag_id} for cid, tags in zip(ids, tag_ids, strict=True) for tag_id in tags],
    )
    for model, key in ((StatusChange, "status_changes"), (Touch, "touches"), (Application, "applications")):
        children = [{"candidate_id": cid, **child} for cid, h in zip(ids, history, strict=True) for child in h[key]]
        if children:
            conn.execute(insert(model), children)
    insert_interviews(conn, ids, history)


def generate(n: int, seed: int = 1, batch_size: int = BATCH_SIZE, today: date | None = None) -> None:
    """Load ``n`` candidates into the current app's empty, migrated database."""
    check_vocabulary()
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    today = today or date.today()
    with db.engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(Candidate)):
            raise SystemExit("The database already has candidates; generate into an empty one.")
        if conn.dialect.name == "sqlite":
            # The candidate table has 17 indexes; a larger page cache (this connection only) keeps them
            # in memory while rows arrive in random name and e-mail order.
            conn.exec_driver_sql("PRAGMA cache_size = -500000")  # KiB
        users = insert_users(conn)
        tags = insert_tags(conn)
        factory = CandidateFactory(rng, today, users, tags, insert_openings(conn, users, today), scoring_setup(conn))
        conn.commit()
        started = clock.perf_counter()
        for start in range(0, n, batch_size):
            insert_batch(conn, [factory.candidate(number) for number in range(start, min(n, start + batch_size))])
            conn.commit()
            done = min(n, start + batch_size)
            print(f"\r{done:,} candidates ({clock.perf_counter() - started:.0f} s)", end="", file=sys.stderr)
        if conn.dialect.name == "postgresql":
            # Ids were given, not drawn from the sequences: move them past the largest.
            for model in (Candidate, Interview, Scorecard):
                sequence = func.pg_get_serial_sequence(model.__tablename__, "id")
                conn.execute(select(func.setval(sequence, func.max(model.id))))
            conn.commit()
    print(file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and generate."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="number of candidates (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default %(default)s)")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="candidates per INSERT batch")
    args = parser.parse_args(argv)
    app = create_app()
    with app.app_context():
        started = clock.perf_counter()
        generate(args.n, args.seed, args.batch_size)
        database = db.engine.url.render_as_string(hide_password=True)
        print(f"Generated {args.n:,} candidates into {database} in {clock.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()
