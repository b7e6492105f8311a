"""The demo's hiring history: reps hired over the last two and a half years, with the interviews that
led to each hire and their monthly results since, for the fit model to learn from.

The history has a known structure, planted on purpose (see TRAIT_LOADINGS): a few traits predict
who becomes an A-player, the rest do not. A model trained on the demo should find exactly that,
which makes the demo a check of the model as much as a showcase.

Everything is drawn from the demo's one seeded RNG, after the rest of the demo, so the talent
pool is the same with or without this history. Tiers are not set here: they follow from the
results and the written rule (``hiring.rep_tiers.refresh_tiers``).
"""

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import inspect as sa_inspect

from hiring.demo import (
    CITIES,
    ENT,
    MID,
    SMB,
    STATUS_PATHS,
    TITLES,
    ContactBook,
    DemoCandidate,
    InterviewBook,
    add_next_touch_and_consent,
    days_ago,
    demo_person,
    interview_kinds,
    interview_window,
    record_status_path,
)
from hiring.duplicates import names_alike
from models import (
    Candidate,
    Hire,
    Interview,
    InterviewKind,
    PeriodResult,
    PoolStatus,
    Rating,
    Role,
    Scorecard,
    ScorecardTemplate,
    StatusChange,
    Tag,
    User,
    db,
)

# The demo's planted truth ------------------------------------------------------------------
# Every rep has a hidden "A-player-ness" z ~ N(0, 1) that drives their results (below). A trait's
# true value is TRAIT_LOADINGS[key] * z plus the rep's own TRAIT_SPREAD * N(0, 1); an interviewer
# rates round(clip(RATING_CENTRE + true value + their leniency + N(0, demo.RATING_NOISE), 1, 5)).
# Coachability, drive and resilience show z strongly, process moderately. Communication loads
# negatively: the smooth talker who charms the panel and then does not close, the trap that
# structured interviews exist to avoid. The other traits (ownership, deal judgment, integrity,
# learning, collaboration) load 0: they vary between reps as much as any trait, but say nothing
# about results. So the plain mean of all ratings is a weak predictor, and the model must find
# which traits matter to beat it.
TRAIT_LOADINGS = {"coachability": 0.9, "drive": 0.8, "resilience": 0.7, "process": 0.4, "communication": -0.5}
TRAIT_SPREAD = 0.5
# A little above the middle of the scale: these people got the job, so their interviews went well on the whole.
RATING_CENTRE = 3.4
# A rep's level (mean attainment after ramp) is BASE_ATTAINMENT + ATTAINMENT_PER_Z * z, and each month
# lands around it with the rep's own MONTHLY_NOISE (some are steadier than others). Tuned so that the
# default rule (quota in 2 of 3 months, A from 110 %) makes about 23 % A, 46 % B and 31 % C.
BASE_ATTAINMENT = 1.06
ATTAINMENT_PER_Z = 0.05
MONTHLY_NOISE = (0.02, 0.1)
# Some reps improve or slip (attainment per month after ramp, around their level), so every
# performance profile occurs.
TRENDING_SHARE = 0.4
TREND_RANGE = (0.01, 0.03)
# The first months after the hire are ramp: this share of the rep's usual attainment.
RAMP_SHARES = (0.3, 0.6, 0.85)
# Reps who left (their results stop there); weaker reps leave more often. Leavers have at least
# MIN_RESULT_MONTHS months of results.
LEAVER_SHARE = 0.08

DEMO_REPS = 400
# Hired this many calendar months before the current one (on any day of that month). Dates are drawn
# by the month, so that the same seed gives the same months of results whatever day the demo is loaded.
HIRED_MONTHS_AGO = (6, 30)
# Days in the pool before the hire (first contact to start date).
DAYS_BEFORE_HIRE = (45, 300)
# The team has recorded results for the last 24 months; earlier months of older reps were never entered.
RESULT_MONTHS = 24
MIN_RESULT_MONTHS = 6
# How many interviews a rep had before the offer: 1, 2, 3 or 4 (weights).
INTERVIEW_COUNT_WEIGHTS = (10, 35, 40, 15)
# The roles the team hires into (titles from demo.TITLES): (segment, weight). SDRs are measured on
# the pipeline they source.
REP_ROLES = {
    "SDR": (SMB, 25),
    "Account Executive": (SMB, 35),
    "Mid-Market Account Executive": (MID, 25),
    "Enterprise Account Executive": (ENT, 15),
}
# Monthly quota by segment; each rep's is within QUOTA_VARIATION of it, to the nearest thousand.
QUOTA_BY_SEGMENT = {SMB: 40_000, MID: 80_000, ENT: 150_000}
QUOTA_VARIATION = 0.1
TERRITORIES = {
    "US West": ("San Francisco", "Seattle", "Denver"),
    "US Central": ("Austin", "Chicago", "Dallas"),
    "US East": ("New York", "Boston", "Atlanta", "Miami", "Raleigh"),
    "UK and Ireland": ("London", "Manchester", "Dublin"),
    "DACH": ("Berlin", "Munich", "Hamburg"),
    "Benelux and Nordics": ("Amsterdam", "Stockholm"),
    "France and Southern Europe": ("Paris", "Lyon", "Madrid", "Barcelona"),
}
TERRITORY_OF = {CITIES[city].name: territory for territory, cities in TERRITORIES.items() for city in cities}
K = InterviewKind
HIRED = PoolStatus.HIRED


@dataclass
class Rep:
    """A hired rep being drawn: the candidate with their history, their true trait values, hire and results."""

    person: DemoCandidate
    strengths: dict[int, float]  # trait id -> true value, as InterviewBook.profile returns it
    hire: dict  # Hire column values, without candidate_id
    results: list[dict]  # PeriodResult column values, without hire_id


class RepInterviews(InterviewBook):
    """The demo's interviews of reps before their hire, rated from the planted trait values."""

    def __init__(self, rng: random.Random, users: list[User], template: ScorecardTemplate, today: date):
        super().__init__(rng, users, template, {}, today)
        self.strengths: dict[int, dict[int, float]] = {}

    def profile(self, person: DemoCandidate) -> tuple[float, dict[int, float]]:
        """Return the rating centre and the rep's true trait values (planted, not drawn here)."""
        return RATING_CENTRE, self.strengths[id(person)]


def add_hiring_history(
    rng: random.Random, users: list[User], template: ScorecardTemplate | None, today: date, count: int = DEMO_REPS
) -> dict[str, int]:
    """Add ``count`` hired reps with their interviews, scorecards, hire and monthly results, and return the counts.

    ``users`` are the demo's users (their order gives the interviewers their leniency), ``template`` the
    default scorecard template (None: no interviews). Flushes, does not commit; tiers are left to the rule.
    The counts: hired_reps, months_of_results, interviews and scorecards.
    """
    managers = [user for user in users if user.role is Role.MANAGER]
    book, colleagues = contacts_in_use(rng)
    tags = {tag.name: tag for tag in db.session.scalars(db.select(Tag))}
    items = template.items if template else []
    reps = [draw_rep(rng, book, colleagues, users, managers, tags, items, today) for _ in range(count)]
    db.session.add_all(rep.person.candidate for rep in reps)
    db.session.flush()  # the history rows below refer to candidates by id
    changes = [{"candidate_id": rep.person.candidate.id, **row} for rep in reps for row in rep.person.status_changes]
    insert_rows(StatusChange, changes)
    interviews, scorecards = add_rep_interviews(rng, users, template, reps, today) if items else (0, 0)
    hire_rows = [{"candidate_id": rep.person.candidate.id, **rep.hire} for rep in reps]
    hire_ids = insert_returning_ids(Hire, hire_rows)
    results = [{"hire_id": hire_id, **row} for rep, hire_id in zip(reps, hire_ids, strict=True) for row in rep.results]
    insert_rows(PeriodResult, results)
    return {
        "hired_reps": len(reps),
        "months_of_results": len(results),
        "interviews": interviews,
        "scorecards": scorecards,
    }


def contacts_in_use(rng: random.Random) -> tuple[ContactBook, "Colleagues"]:
    """Return a contact book that knows every candidate's name, e-mail and phone, and who is at each company."""
    book, colleagues = ContactBook(rng), Colleagues()
    columns = (Candidate.name, Candidate.email, Candidate.alt_email, Candidate.phone, Candidate.company)
    for name, email, alt_email, phone, company in db.session.execute(db.select(*columns)):
        book.take(name, [address for address in (email, alt_email) if address], phone)
        colleagues.add(name, company)
    return book, colleagues


class Colleagues:
    """The names of the candidates at each company, to keep new ones from looking like a duplicate of one."""

    def __init__(self):
        self.at: dict[str, list[str]] = {}

    @staticmethod
    def key(company: str | None) -> str:
        """Return the company as the duplicate finder compares it ("" for none)."""
        return (company or "").strip().lower()

    def add(self, name: str, company: str | None) -> None:
        """Remember that ``name`` is at ``company``."""
        if self.key(company):
            self.at.setdefault(self.key(company), []).append(name)

    def alike(self, name: str, company: str | None) -> bool:
        """Return True if someone at ``company`` has a name the duplicate finder would take for ``name``."""
        return any(names_alike(name, other) for other in self.at.get(self.key(company), []))


def draw_rep(rng, book, colleagues, users, managers, tags, items, today: date) -> Rep:
    """Return one hired rep: the candidate and how they came to be hired, true trait values, hire and results."""
    role = rng.choices(list(REP_ROLES), weights=[weight for _, weight in REP_ROLES.values()])[0]
    segment = REP_ROLES[role][0]
    background = next(title for title in TITLES if title.title == role)
    hired_on = first_day(month_number(today) - rng.randint(*HIRED_MONTHS_AGO)) + timedelta(days=rng.randint(0, 27))
    hire_days = (today - hired_on).days
    days_in_pool = hire_days + rng.randint(*DAYS_BEFORE_HIRE)
    while True:  # the duplicate finder flags a very similar name at the same company: draw another person then
        person, _, city = demo_person(rng, book, HIRED, users, managers, tags, today, background, days_in_pool)
        candidate = person.candidate
        if not colleagues.alike(candidate.name, candidate.company):
            break
    colleagues.add(candidate.name, candidate.company)
    candidate.segment = segment
    candidate.owner = candidate.owner or rng.choice(managers)
    add_hiring_path(rng, person, hire_days, managers, today)
    add_next_touch_and_consent(rng, candidate, days_in_pool, today)

    z = rng.gauss(0, 1)
    strengths = {
        item.trait_id: TRAIT_LOADINGS.get(item.trait.key, 0.0) * z + rng.gauss(0, TRAIT_SPREAD) for item in items
    }
    left_on = leaving_date(rng, z, hired_on, today)
    quota = round(QUOTA_BY_SEGMENT[segment] * rng.uniform(1 - QUOTA_VARIATION, 1 + QUOTA_VARIATION), -3)
    hire = {
        "hired_on": hired_on,
        "left_on": left_on,
        "role": role,
        "territory": TERRITORY_OF.get(city.name, ""),
        "segment": segment,
        "created_at": candidate.updated_at,
    }
    results = monthly_results(rng, z, hired_on, left_on, quota, today)
    for row in results:
        row["entered_by_id"] = candidate.owner.id
    return Rep(person, strengths, hire, results)


def add_hiring_path(rng, person: DemoCandidate, hire_days: int, managers, today: date) -> None:
    """Add the status changes from prospect to hired, the last on the day the rep started."""
    candidate = person.candidate
    path = STATUS_PATHS[PoolStatus.HIRED]
    between = sorted(rng.sample(range(hire_days + 1, person.days_in_pool), k=len(path) - 2), reverse=True)
    moments = [candidate.created_at, *(days_ago(rng, today, day) for day in [*between, hire_days])]
    record_status_path(rng, person, path, moments, managers)
    candidate.updated_at = moments[-1]


def add_rep_interviews(rng, users, template, reps: list[Rep], today: date) -> tuple[int, int]:
    """Add each rep's 1-4 interviews before the offer, every scorecard submitted, with ratings; return both counts."""
    book = RepInterviews(rng, users, template, today)
    for rep in reps:
        book.strengths[id(rep.person)] = rep.strengths
        count = rng.choices((1, 2, 3, 4), weights=INTERVIEW_COUNT_WEIGHTS)[0]
        kinds = interview_kinds(rng, PoolStatus.HIRED, min(count, 3))
        if count == 4:  # both a behavioural interview and a role-play
            kinds.insert(2, K.ROLE_PLAY if kinds[1] is K.BEHAVIOURAL else K.BEHAVIOURAL)
        book.hold_interviews(rep.person, interview_window(rep.person, today), kinds)
    # A thousand interviews go in faster by bulk INSERTs than through the unit of work; the objects stay unsaved.
    interview_ids = insert_returning_ids(Interview, [column_values(interview) for interview in book.interviews])
    cards = [card for interview in book.interviews for card in interview.scorecards]
    ids_of = dict(zip(map(id, book.interviews), interview_ids, strict=True))
    card_rows = [{**column_values(card), "interview_id": ids_of[id(card.interview)]} for card in cards]
    card_ids = dict(zip(map(id, cards), insert_returning_ids(Scorecard, card_rows), strict=True))
    rows = [{"scorecard_id": card_ids[id(card)], **rating} for card, ratings in book.ratings for rating in ratings]
    insert_rows(Rating, rows)
    return len(interview_ids), len(card_rows)


def column_values(row: db.Model) -> dict:
    """Return the column values set on an unsaved ORM object (those left unset get their defaults)."""
    return {
        column.key: getattr(row, column.key)
        for column in sa_inspect(row).mapper.column_attrs
        if getattr(row, column.key) is not None
    }


def insert_rows(model: type[db.Model], rows: list[dict]) -> None:
    """Insert ``rows`` by one executemany (``render_nulls`` keeps rows with and without empty values in one batch)."""
    db.session.execute(db.insert(model).execution_options(render_nulls=True), rows)


def insert_returning_ids(model: type[db.Model], rows: list[dict]) -> list[int]:
    """Insert ``rows`` in bulk and return their new ids, in the order of ``rows``."""
    return db.session.scalars(db.insert(model).returning(model.id, sort_by_parameter_order=True), rows).all()


def leaving_date(rng: random.Random, z: float, hired_on: date, today: date) -> date | None:
    """Return the day a rep left, or None if they are still here; weaker reps leave more often."""
    normal_below = 0.5 * (1 + math.erf(-z / math.sqrt(2)))  # P(N(0, 1) < -z), 0.5 on average
    if rng.random() >= 2 * LEAVER_SHARE * normal_below:
        return None
    months = month_number(today) - month_number(hired_on)  # months with results, up to last month
    first = max(MIN_RESULT_MONTHS - 1, months - RESULT_MONTHS + MIN_RESULT_MONTHS - 1)
    if first > months - 1:
        return None  # too recent a hire to have left with enough results
    month = month_number(hired_on) + rng.randint(first, months - 1)
    return first_day(month) + timedelta(days=rng.randint(0, 27))


def monthly_results(rng, z: float, hired_on: date, left_on: date | None, quota: float, today: date) -> list[dict]:
    """Return a rep's results from the hire month (or the first recorded month) to last month (or the month they left).

    Attainment ramps up over the first months, then stays around the rep's level (set by z),
    drifting up or down for a trending rep, with noise from month to month.
    """
    level = BASE_ATTAINMENT + ATTAINMENT_PER_Z * z
    noise = rng.uniform(*MONTHLY_NOISE)  # some reps are steadier than others
    trend = rng.choice((-1, 1)) * rng.uniform(*TREND_RANGE) if rng.random() < TRENDING_SHARE else 0.0
    hired = month_number(hired_on)
    last = month_number(left_on) if left_on else month_number(today) - 1
    first = max(hired, month_number(today) - RESULT_MONTHS)
    # A trend tilts the months after ramp around the rep's level: their mean stays where z puts it.
    middle = (max(first - hired, len(RAMP_SHARES)) + last - hired) / 2
    rows = []
    for month in range(first, last + 1):
        index = month - hired  # 0 = the month of the hire
        if index < len(RAMP_SHARES):
            attainment = RAMP_SHARES[index] * (level + rng.gauss(0, noise))
        else:
            attainment = level + trend * (index - middle) + rng.gauss(0, noise)
        period_start = first_day(month)
        entered = datetime.combine(first_day(month + 1), time(9), UTC) + timedelta(days=rng.randint(0, 4))
        rows.append(
            {
                "period": f"{period_start:%Y-%m}",
                "quota": Decimal(quota),
                "booked": Decimal(round(quota * max(0.0, attainment))),
                "updated_at": min(entered, datetime.combine(today, time(0), UTC)),
            }
        )
    return rows


def month_number(day: date) -> int:
    """Return a month as one number (year * 12 + month - 1), so that months subtract."""
    return day.year * 12 + day.month - 1


def first_day(month: int) -> date:
    """Return the first day of a month given as one number (see month_number)."""
    return date(month // 12, month % 12 + 1, 1)
