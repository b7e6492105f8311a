"""Realistic, reproducible demo data for a fresh installation.

Every later feature adds its own part here, all drawn from one seeded RNG,
so that the same seed always builds the same demo. Times are offsets from one
"today", so the demo looks just as fresh whatever day it is loaded.

Contact details are fictional on purpose: e-mail domains end in ``.example`` or
are ``example.*`` (RFC 2606), and phone numbers come from ranges reserved for
films and books (US 555-01xx, UK 07700 900xxx, ...), so the demo never holds a
real person's address or number.
"""

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from statistics import mean

from sqlalchemy.orm import selectinload

from hiring.audit import record
from hiring.demo_decisions import add_demo_decisions
from hiring.duplicates import NAME_SIMILARITY, name_similarity
from hiring.rep_tiers import refresh_tiers
from hiring.training import activate, train_version
from models import (
    DEFAULT_STAGES,
    Application,
    Candidate,
    ConsentMethod,
    DisabilityStatus,
    Hire,
    Interview,
    InterviewKind,
    InterviewStatus,
    Opening,
    OpeningStatus,
    PeriodResult,
    PoolStatus,
    RaceEthnicity,
    Rating,
    Recommendation,
    Role,
    Scorecard,
    ScorecardStatus,
    ScorecardTemplate,
    Segment,
    SelfIdentification,
    Sex,
    Source,
    StageMove,
    StatusChange,
    Tag,
    TemplateItem,
    Touch,
    TouchKind,
    User,
    VeteranStatus,
    db,
)
from models.contact import fold

DEMO_DOMAIN = "example.com"
FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Keiko",
    "Luca",
    "Maya",
    "Noah",
    "Olu",
    "Priya",
    "Rafael",
    "Sofia",
    "Tariq",
    "Yara",
]
LAST_NAMES = [
    "Okafor",
    "Schmidt",
    "Nakamura",
    "Patel",
    "Rossi",
    "Haddad",
    "Lindqvist",
    "Moreau",
    "Costa",
    "Kowalski",
    "Nguyen",
    "Fischer",
    "Mensah",
    "Ortega",
    "Brennan",
    "Sato",
]


@dataclass(frozen=True)
class DemoSignIn:
    """A demo account someone can sign in with."""

    email: str
    password: str
    role: Role


# One fixed sign-in per role, so that the README and `make run` can print them.
DEMO_SIGN_INS = [
    DemoSignIn(f"admin@{DEMO_DOMAIN}", "bench-demo-admin", Role.ADMIN),
    DemoSignIn(f"manager@{DEMO_DOMAIN}", "bench-demo-manager", Role.MANAGER),
    DemoSignIn(f"interviewer@{DEMO_DOMAIN}", "bench-demo-interviewer", Role.INTERVIEWER),
]
# Further colleagues, so that lists and pickers are not trivially short.
EXTRA_USERS = [(Role.MANAGER, 1), (Role.INTERVIEWER, 4)]
EXTRA_PASSWORD = "bench-demo-colleague"  # noqa: S105 - demo passwords are public by design

# The talent pool: this many candidates in all, of whom NEAR_DUPLICATES are a
# second record of someone already in the pool, for the duplicate finder.
DEMO_CANDIDATES = 300
NEAR_DUPLICATES = 8
NEAR_DUPLICATE_NOTE = "Added from a business card at an event."


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",")]


# (first names, last names, cities most of them live in, a language many speak): names stay within one culture.
NAME_POOLS = [
    (
        _list("James, John, Emily, Michael, Sarah, Tyler, Ashley, Ryan, Megan, Jordan, Kayla, Steven, Catherine"),
        _list("Johnson, Miller, Carter, Brooks, Reed, Walsh, Bennett, Hayes, Coleman, Foster, Sullivan, Price"),
        _list("Austin, San Francisco, New York, Chicago, Boston, Denver, Seattle, Atlanta, Dallas, Raleigh"),
        None,
    ),
    (
        _list("Alejandro, María, Diego, Lucía, Carlos, Sofía, Javier, Camila, Andrés, Valentina, Mateo"),
        _list("García, Martínez, Rodríguez, López, Hernández, Morales, Castillo, Vega, Ramos, Ortiz"),
        _list("Madrid, Barcelona, Miami, Austin, Dallas, New York"),
        "spanish",
    ),
    (
        _list("Lukas, Anna, Felix, Lena, Jonas, Katharina, Tobias, Julia, Maximilian, Sophie"),
        _list("Müller, Schneider, Becker, Wagner, Hoffmann, Schulz, Koch, Richter, Neumann"),
        _list("Berlin, Munich, Hamburg, Amsterdam, London"),
        "german",
    ),
    (
        _list("Camille, Julien, Chloé, Mathieu, Léa, Antoine, Manon, Nicolas, Élodie, Thibault"),
        _list("Dubois, Lefèvre, Laurent, Girard, Bonnet, Fontaine, Mercier, Rousseau"),
        _list("Paris, Lyon, London, Dublin"),
        "french",
    ),
    (
        _list("Arjun, Priya, Rohan, Ananya, Vikram, Neha, Aditya, Kavya, Sanjay, Meera"),
        _list("Sharma, Iyer, Reddy, Gupta, Nair, Menon, Kapoor, Desai, Rao"),
        _list("San Francisco, Seattle, New York, Dallas, London, Austin"),
        None,
    ),
    (
        _list("Wei, Mei, Jun, Lian, Hao, Xin, Yan"),
        _list("Chen, Wang, Zhang, Liu, Li, Huang, Zhou"),
        _list("San Francisco, Seattle, New York, Boston, London"),
        None,
    ),
    (
        _list("Yuki, Haruto, Keita, Aiko, Sakura, Ren"),
        _list("Tanaka, Suzuki, Sato, Takahashi, Yamamoto, Ito"),
        _list("San Francisco, Seattle, London, Amsterdam"),
        None,
    ),
    (
        _list("Min-jun, Seo-yeon, Ji-woo, Hye-jin, Dong-hyun"),
        _list("Kim, Park, Choi, Lee, Jung, Kang"),
        _list("San Francisco, Seattle, New York, Atlanta"),
        None,
    ),
    (
        _list("Chinedu, Ngozi, Tunde, Folake, Adaeze, Emeka"),
        _list("Okafor, Adeyemi, Okonkwo, Eze, Balogun, Nwosu"),
        _list("Atlanta, New York, London, Manchester, Chicago"),
        None,
    ),
    (
        _list("Kwame, Ama, Kofi, Akosua, Yaw, Efua"),
        _list("Mensah, Boateng, Asante, Owusu, Osei, Appiah"),
        _list("London, Manchester, New York, Atlanta"),
        None,
    ),
    (
        _list("Omar, Layla, Karim, Yasmin, Hassan, Nadia, Mohammed, Rania, Samir"),
        _list("Haddad, Khalil, Nasser, Farah, Saleh, Mansour, Aziz"),
        _list("London, Paris, Berlin, Chicago, Dallas"),
        "arabic",
    ),
    (
        _list("Daan, Sanne, Sander, Femke, Lotte, Bram"),
        _list("de Vries, Jansen, Bakker, van Dijk, Visser, Smit"),
        _list("Amsterdam, London, Berlin"),
        "dutch",
    ),
    (
        _list("Lars, Ingrid, Erik, Astrid, Nils, Elsa"),
        _list("Johansson, Lindberg, Andersson, Nilsson, Berg"),
        _list("Stockholm, London, Berlin"),
        "swedish",
    ),
    (
        _list("Siobhán, Ciarán, Aoife, Declan, Niamh, Eoin, Sinéad, Conor"),
        _list("O'Brien, Kelly, Byrne, Doyle, Gallagher, Murphy, O'Connor"),
        _list("Dublin, London, Boston, New York"),
        None,
    ),
    (
        _list("Giulia, Marco, Francesca, Matteo, Alessandro, Chiara"),
        _list("Rossi, Bianchi, Romano, Greco, Colombo, Ricci"),
        _list("London, Berlin, New York, Chicago"),
        "italian",
    ),
    (
        _list("Katarzyna, Piotr, Agnieszka, Tomasz, Magdalena, Krzysztof"),
        _list("Nowak, Kowalczyk, Wójcik, Mazur, Krawczyk"),
        _list("London, Berlin, Chicago, Amsterdam"),
        "polish",
    ),
]
# Spellings the same person is often filed under twice.
NAME_VARIANTS = {"John": "Jon", "Sarah": "Sara", "Steven": "Stephen", "Mohammed": "Mohamed", "Katharina": "Katarina"}


@dataclass(frozen=True)
class City:
    """Where a candidate lives, and how their phone number looks."""

    name: str
    country: str
    area_code: str = ""


CITIES = {
    city.name.split(",")[0]: city
    for city in [
        City("Austin, TX", "US", "512"),
        City("San Francisco, CA", "US", "415"),
        City("New York, NY", "US", "212"),
        City("Chicago, IL", "US", "312"),
        City("Boston, MA", "US", "617"),
        City("Denver, CO", "US", "303"),
        City("Seattle, WA", "US", "206"),
        City("Atlanta, GA", "US", "404"),
        City("Dallas, TX", "US", "214"),
        City("Miami, FL", "US", "305"),
        City("Raleigh, NC", "US", "919"),
        City("London, UK", "GB"),
        City("Manchester, UK", "GB"),
        City("Dublin, Ireland", "IE"),
        City("Paris, France", "FR"),
        City("Lyon, France", "FR"),
        City("Berlin, Germany", "DE", "30"),
        City("Munich, Germany", "DE", "89"),
        City("Hamburg, Germany", "DE", "40"),
        City("Amsterdam, Netherlands", "NL"),
        City("Madrid, Spain", "ES"),
        City("Barcelona, Spain", "ES"),
        City("Stockholm, Sweden", "SE"),
    ]
}
COUNTRY_OF = {city.name: city.country for city in CITIES.values()}
# The German Federal Network Agency keeps these blocks of 1,000 numbers free for fiction.
GERMAN_FICTION_BLOCKS = {"30": "23125", "89": "99998", "40": "66969"}
LANGUAGE_BY_COUNTRY = {"ES": "spanish", "DE": "german", "FR": "french", "NL": "dutch", "SE": "swedish"}

# (company, industry tag); e-mail domains are derived from the name.
COMPANIES = [
    ("Brightlane", "saas"),
    ("Northwind Analytics", "saas"),
    ("Kestrel Data", "saas"),
    ("Quarry CRM", "saas"),
    ("Cobalt Payments", "fintech"),
    ("Ledgerly", "fintech"),
    ("Vantage Ledger", "fintech"),
    ("Helix Health Cloud", "healthcare"),
    ("Lumen Dental Systems", "healthcare"),
    ("CarePath", "healthcare"),
    ("Orbital Security", "cybersecurity"),
    ("Sentinel Grid", "cybersecurity"),
    ("Tidewater Logistics", "logistics"),
    ("Parcelwise", "logistics"),
    ("Summit People", "hr tech"),
    ("Meridian Payroll", "hr tech"),
    ("Copperleaf Learning", "edtech"),
    ("Driftwood Commerce", "ecommerce"),
    ("Foxglove Marketing Cloud", "martech"),
    ("Bluefin Insurance Tech", "insurtech"),
    ("Harborview Telecom", "telecom"),
]
PERSONAL_DOMAINS = ["example.com", "example.net", "example.org", "mail.example", "inbox.example"]


@dataclass(frozen=True)
class SalesTitle:
    """A job title with the ranges its sales background is drawn from."""

    title: str
    weight: int
    segments: tuple[Segment, ...]
    deal_size: tuple[int, int] | None  # typical deal in USD; SDRs book meetings, not deals
    cycle_days: tuple[int, int] | None
    quota_years: tuple[float, float]


SMB, MID, ENT = Segment.SMB, Segment.MID_MARKET, Segment.ENTERPRISE
TITLES = [
    SalesTitle("SDR", 14, (SMB, MID), None, None, (0.5, 2.5)),
    SalesTitle("BDR", 9, (SMB, MID, ENT), None, None, (0.5, 3)),
    SalesTitle("Account Executive", 18, (SMB, MID), (8_000, 40_000), (14, 60), (1.5, 6)),
    SalesTitle("Mid-Market Account Executive", 10, (MID,), (25_000, 90_000), (30, 90), (2, 7)),
    SalesTitle("Senior Account Executive", 14, (MID, ENT), (40_000, 180_000), (45, 150), (4, 10)),
    SalesTitle("Enterprise Account Executive", 12, (ENT,), (120_000, 900_000), (90, 270), (5, 15)),
    SalesTitle("Account Manager", 10, (SMB, MID, ENT), (15_000, 150_000), (30, 120), (2, 9)),
    SalesTitle("Sales Manager", 6, (SMB, MID, ENT), (20_000, 250_000), (30, 180), (6, 15)),
    SalesTitle("Regional Sales Director", 3, (MID, ENT), (80_000, 600_000), (60, 240), (8, 20)),
]
SALES_STYLE_TAGS = _list("outbound, inbound, closer, hunter, farmer, channel, meddic, challenger, salesforce, hubspot")
SEGMENT_TAGS = {SMB: "smb", MID: "mid-market", ENT: "enterprise"}

SOURCE_WEIGHTS = {Source.SOURCED: 30, Source.REFERRAL: 25, Source.INBOUND: 20, Source.EVENT: 15, Source.AGENCY: 10}
EVENTS = [
    "the Austin SaaS sales meetup",
    "RevOps Summit",
    "a Pavilion chapter dinner",
    "the Fintech Sales Forum in London",
    "the Berlin B2B Sales Night",
    "a HubSpot user group",
    "our open house",
]
AGENCIES = ["Talentbridge Partners", "Northstar Search", "Quota Hunters Recruiting"]

# Share of the pool in each status: mostly people being kept warm.
STATUS_SHARES = {
    PoolStatus.PROSPECT: 34,
    PoolStatus.ENGAGED: 27,
    PoolStatus.INTERVIEWING: 10,
    PoolStatus.OFFER: 3,
    PoolStatus.HIRED: 5,
    PoolStatus.NOT_NOW: 10,
    PoolStatus.DECLINED: 5,
    PoolStatus.REJECTED: 6,
}
P = PoolStatus
# The statuses a candidate passes through to reach each one.
STATUS_PATHS = {
    P.PROSPECT: [P.PROSPECT],
    P.ENGAGED: [P.PROSPECT, P.ENGAGED],
    P.INTERVIEWING: [P.PROSPECT, P.ENGAGED, P.INTERVIEWING],
    P.OFFER: [P.PROSPECT, P.ENGAGED, P.INTERVIEWING, P.OFFER],
    P.HIRED: [P.PROSPECT, P.ENGAGED, P.INTERVIEWING, P.OFFER, P.HIRED],
    P.NOT_NOW: [P.PROSPECT, P.ENGAGED, P.NOT_NOW],
    P.DECLINED: [P.PROSPECT, P.ENGAGED, P.INTERVIEWING, P.DECLINED],
    P.REJECTED: [P.PROSPECT, P.ENGAGED, P.INTERVIEWING, P.REJECTED],
}
STATUS_REASONS = {
    P.REJECTED: [
        "Could not back up the attainment figures with references.",
        "Resistant to coaching in the role-play; pushed back on every suggestion.",
        "Blamed product and marketing for every lost deal.",
        "No outbound experience, and the territory is new logos only.",
        "Forecasting answers were vague and the numbers did not add up.",
    ],
    P.DECLINED: [
        "Accepted a counter-offer from their current employer.",
        "Wants fully remote; the role needs two office days a week.",
        "Our OTE was below their expectation.",
        "Chose an offer closer to home.",
    ],
    P.NOT_NOW: [
        "Just started a new role; check back in six months.",
        "Waiting for their stock to vest in the spring.",
        "On parental leave until next quarter.",
        "Happy where they are for now; open to a coffee later in the year.",
    ],
}
# Statuses of people still being kept warm (the rest are hired, declined or rejected).
IN_PLAY = (P.PROSPECT, P.ENGAGED, P.INTERVIEWING, P.OFFER, P.NOT_NOW)
# How many touches a candidate in each status has had.
TOUCH_COUNTS = {
    P.PROSPECT: (0, 3),
    P.ENGAGED: (2, 6),
    P.INTERVIEWING: (3, 8),
    P.OFFER: (4, 9),
    P.HIRED: (4, 10),
    P.NOT_NOW: (1, 4),
    P.DECLINED: (2, 6),
    P.REJECTED: (2, 5),
}
TOUCH_KIND_WEIGHTS = {TouchKind.EMAIL: 40, TouchKind.CALL: 30, TouchKind.MEETING: 15, TouchKind.NOTE: 15}
TOUCH_SUMMARIES = {
    TouchKind.CALL: [
        "Intro call: happy at {company} but curious about a bigger patch.",
        "Quick catch-up; their quarter is closing strong.",
        "Left a voicemail; will try again next week.",
        "Talked through ramp time and territory design.",
        "Walked through our comp plan; the accelerators landed well.",
        "Checked in after their promotion.",
    ],
    TouchKind.EMAIL: [
        "Sent the role description and the OTE range.",
        "Shared the recap of our sales kickoff.",
        "Congratulated {first} on making President's Club.",
        "Asked for a good time to talk after quarter end.",
        "Sent a short note to stay in touch.",
        "Followed up with the interview schedule.",
    ],
    TouchKind.MEETING: [
        "Coffee in {city}; talked about where {first} wants to be in two years.",
        "Met at {event}.",
        "Lunch with the team lead; good chemistry.",
        "Role-play of a discovery call: sharp questions, rushed the close.",
    ],
    TouchKind.NOTE: [
        "Reference from a former manager: very coachable.",
        "LinkedIn shows a move to a new team at {company}.",
        "Added to the follow-up list for the next opening.",
        "A former colleague says {first} keeps a clean CRM.",
    ],
}
SOURCE_NOTES = {
    Source.REFERRAL: "Referred by {referrer}, who worked with {first} at a previous company.",
    Source.EVENT: "Met at {event}.",
    Source.AGENCY: "Submitted by {agency}; their fee is agreed at 20 %.",
    Source.INBOUND: "Applied through the careers page.",
    Source.SOURCED: "Found while mapping the sales team at {company}.",
}
NOTE_SENTENCES = [
    "Strong discovery: asked about our ideal customer before talking about themselves.",
    "Wants to move up-market into larger deals.",
    "Open to relocating to {other_city}.",
    "Prefers remote work; happy to travel once a month.",
    "Built the outbound sequence the whole team now uses.",
    "Talked openly about a lost deal and what they changed afterwards.",
    "Asked for feedback at the end of the call and wrote it down.",
    "OTE expectation around ${ote}k.",
    "Notice period of {weeks} weeks.",
    "Not looking right now; revisit after their Q{quarter} close.",
    "Blamed the product for a missed quarter; probe on ownership.",
    "Keeps a tidy pipeline and forecasts conservatively.",
    "Has run a channel partner programme.",
]
CONSENT_WEIGHTS = {
    ConsentMethod.EMAIL: 35,
    ConsentMethod.WEB_FORM: 25,
    ConsentMethod.VERBAL: 20,
    ConsentMethod.APPLICATION: 15,
    ConsentMethod.OTHER: 5,
}
CONSENT_YEARS = 2


@dataclass
class DemoCandidate:
    """A demo candidate with the history rows that need its id before they can be saved.

    The history is kept as column values, not objects: a thousand rows go in by
    one bulk INSERT each, several times faster than through the unit of work.
    """

    candidate: Candidate
    days_in_pool: int
    status_changes: list[dict] = field(default_factory=list)
    touches: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class DemoOpening:
    """An opening of the demo, and which candidates fit it best."""

    title: str
    territory: str
    segment: Segment
    headcount: int
    status: OpeningStatus
    days_open: int
    fitting_titles: tuple[str, ...]
    fitting_countries: tuple[str, ...]


DEMO_OPENINGS = [
    DemoOpening(
        "Enterprise Account Executive — EMEA",
        "UK, Ireland and DACH",
        ENT,
        2,
        OpeningStatus.OPEN,
        75,
        ("Enterprise Account Executive", "Senior Account Executive", "Regional Sales Director"),
        ("GB", "IE", "DE", "NL", "FR"),
    ),
    DemoOpening(
        "SMB Account Executive — Austin",
        "Austin and Central Texas",
        SMB,
        3,
        OpeningStatus.ON_HOLD,
        120,
        ("Account Executive", "Mid-Market Account Executive", "SDR", "BDR"),
        ("US",),
    ),
    DemoOpening(
        "SDR — Remote",
        "Remote, US time zones",
        SMB,
        4,
        OpeningStatus.OPEN,
        40,
        ("SDR", "BDR"),
        ("US",),
    ),
]
# Which candidates an opening considers: people further along are likelier to be in one.
APPLICATION_WEIGHTS = {
    P.PROSPECT: 1,
    P.ENGAGED: 2,
    P.INTERVIEWING: 6,
    P.OFFER: 8,
    P.HIRED: 3,
    P.DECLINED: 1,
    P.REJECTED: 2,
}
# The stages a candidate in each pool status can be at.
STAGES_BY_STATUS = {
    P.PROSPECT: ["sourced"],
    P.ENGAGED: ["sourced", "screen"],
    P.INTERVIEWING: ["screen", "interviews", "interviews", "final"],
    P.OFFER: ["offer"],
    P.HIRED: ["hired"],
    P.DECLINED: ["rejected"],
    P.REJECTED: ["rejected"],
}

# Interviews ------------------------------------------------------------------

K = InterviewKind
DEMO_TEMPLATE = "Sales rep interview"
DEMO_INTERVIEWER = next(sign_in for sign_in in DEMO_SIGN_INS if sign_in.role is Role.INTERVIEWER)
# Who has interviews behind them: the share of each status (counting only people whose history reached
# interviewing; not-now and engaged people had at most a phone screen), and the weights of 1, 2 or 3 interviews.
INTERVIEW_PLANS = {
    P.INTERVIEWING: (0.85, (3, 3, 2)),
    P.OFFER: (1.0, (0, 1, 3)),
    P.HIRED: (1.0, (0, 1, 3)),
    P.DECLINED: (0.9, (2, 3, 2)),
    P.REJECTED: (0.9, (3, 3, 1)),
    P.NOT_NOW: (0.3, (1, 0, 0)),
    P.ENGAGED: (0.1, (1, 0, 0)),
}
# A candidate's interviews fall within this many days before the decision that followed them (or before today).
INTERVIEW_SPAN_DAYS = 42
# Each candidate's hidden "true quality" on the 1-5 scale: those who got an offer were better on average.
QUALITY_MEANS = {
    P.HIRED: 3.9,
    P.OFFER: 3.8,
    P.DECLINED: 3.5,
    P.INTERVIEWING: 3.2,
    P.NOT_NOW: 3.2,
    P.ENGAGED: 3.0,
    P.REJECTED: 2.4,
}
QUALITY_SD = 0.45  # between candidates of one status
TRAIT_SD = 0.5  # a candidate's strengths and weaknesses, trait by trait
RATING_NOISE = 0.55  # what one interviewer happens to see in one interview
# How far each interviewer rates above (+) or below (-) what they saw, in user order: the demo interviewer
# first, then a clearly lenient and a clearly severe colleague, so that the calibration page has a story.
INTERVIEWER_LENIENCY = (0.1, 0.8, -0.7, 0.2, -0.2)
MANAGER_LENIENCY = (0.3, -0.1)
# How many interviewers sit in each kind of interview, and how often a manager takes one of the seats.
PANEL_SIZES = {
    K.PHONE_SCREEN: (1, 1),
    K.BEHAVIOURAL: (1, 2),
    K.ROLE_PLAY: (1, 2),
    K.PANEL: (2, 3),
    K.REFERENCE_CHECK: (1, 1),
}
MANAGER_JOINS = {K.PHONE_SCREEN: 0.15, K.PANEL: 0.5}
# Short calls leave more traits "not assessed".
NOT_ASSESSED = {K.PHONE_SCREEN: 0.2, K.REFERENCE_CHECK: 0.3}
NOT_ASSESSED_USUALLY = 0.06
# The lowest mean rating for each recommendation, best first; below the last one: strong no.
RECOMMENDATION_FLOORS = [(4.2, Recommendation.STRONG_YES), (3.3, Recommendation.YES), (2.5, Recommendation.NO)]
# The demo interviewer's to-do list: this many upcoming drafts, plus one overdue and one cancelled interview.
UPCOMING_DRAFTS = 4
# Behavioural evidence an interviewer jots beside a rating: (for 1-2, for 3, for 4-5).
TRAIT_NOTES = {
    "coachability": (
        ("Pushed back on every suggestion in the mock call.", "Repeated the same close after we asked for another."),
        (
            "Agreed with the feedback; changed little in the second round.",
            "Asked for feedback, then explained it away.",
        ),
        (
            "Used our feedback on discovery straight away in round two.",
            "Asked how we would have handled it; took notes.",
        ),
    ),
    "resilience": (
        (
            "Still sore about a lost deal from last year; went quiet when pressed.",
            "Stopped prospecting after a bad Q2.",
        ),
        ("Recovered from a lost deal, but the plan afterwards was vague.", "Steady, not tested by a hard quarter yet."),
        ("Lost their biggest deal in Q3, rebuilt pipeline in six weeks.", "Kept cold-calling through a 0-for-20 week."),
    ),
    "drive": (
        ("Hard to say what they want next; happy at their current level.", "Talked mostly about the base salary."),
        ("Wants a bigger OTE; less clear on how to earn it.", "Motivated, but by the title more than the work."),
        (
            "Set their own stretch target above quota and beat it twice.",
            "Wants to run a team in three years; has a plan.",
        ),
    ),
    "ownership": (
        ("Blamed the website, the deck and the SDRs for a missed quarter.", "Every lost deal was marketing's fault."),
        ("Owned the miss in the end, after some talk about lead quality.", "Mixed: owns wins, explains losses."),
        (
            "Named three things they would do differently; none about others.",
            "Sold the product they had, not the roadmap.",
        ),
    ),
    "process": (
        ("Says the CRM is 'mostly in my head'.", "Could not describe their pipeline stages."),
        ("Follows the process when the manager checks.", "Pipeline hygiene is uneven; good on big deals only."),
        ("Walked through stages and exit criteria without notes.", "Updates the CRM after every call; forecasts land."),
    ),
    "deal_judgment": (
        ("Offered a discount in the role-play before knowing who signs.", "Went for the close on the first call."),
        ("Found the economic buyer late, but found them.", "Good on budget, unsure about the decision process."),
        (
            "Qualified budget, timeline and decision process before price.",
            "Walked away from a bad-fit deal and said why.",
        ),
    ),
    "communication": (
        ("Talked over the buyer and missed two buying signals.", "Long answers; lost the thread twice."),
        ("Clear, but answered questions that were not asked.", "Good pace; summaries could be shorter."),
        ("Listened first and summed up the buyer's problem in one line.", "Crisp, concrete answers with numbers."),
    ),
    "integrity": (
        ("Attainment figures changed between the screen and the panel.", "Vague on how the forecast was built."),
        ("Forecast story plausible; references not checked yet.", "Honest answers, a little polished."),
        ("Volunteered a quarter they missed and why.", "Numbers match what the reference told us."),
    ),
    "learning": (
        ("Had not looked at our product or competitors.", "Could not say what changed in their market last year."),
        ("Knew the product page; little on the competition.", "Learns on the job, not ahead of it."),
        ("Tried our free trial and compared us with two competitors.", "Ramped on a new product line in a month."),
    ),
    "collaboration": (
        ("Every win was 'I'; no mention of SEs, SDRs or the team.", "Sees peers as competition for leads."),
        ("Works well with their SE; less so with peers.", "Helps when asked; rarely offers."),
        ("Runs the team's weekly deal review.", "Shares call recordings with new reps and pulls in product early."),
    ),
}
TAKE_AWAYS = {
    Recommendation.STRONG_YES: [
        "Clear A-player signals: owns the number, takes feedback and runs a tight process.",
        "Best conversation I have had this quarter; we should move fast.",
        "Sharp discovery, honest about lost deals, and hungry for the next level.",
    ],
    Recommendation.YES: [
        "Solid rep with a good process; would need coaching on closing.",
        "Good discovery and honest about misses; I would hire.",
        "Would do well with a clear territory and regular deal reviews.",
    ],
    Recommendation.NO: [
        "Pleasant, but the examples stayed general; not enough evidence behind the numbers.",
        "Could grow into the role, but not the A-player we need right now.",
        "Good energy, weak qualification; would discount too early.",
    ],
    Recommendation.STRONG_NO: [
        "Blamed others for every lost deal and pushed back on feedback.",
        "The numbers did not hold up and the examples contradicted each other.",
        "Not ready for a quota-carrying role.",
    ],
}
CONCERNS = [
    "Not convinced on {trait}; probe it in the next round.",
    "Weakest on {trait}; ask the references about it.",
    "The open question is {trait}.",
]
NO_CONCERNS = [
    "Nothing major; confirm the attainment figures with references.",
    "None so far.",
    "Only the notice period.",
]


# Users ---------------------------------------------------------------------


def database_is_empty() -> bool:
    """Return True if no user exists yet."""
    return db.session.scalar(db.select(User.id).limit(1)) is None


def demo_loaded() -> bool:
    """Return True if the demo admin exists."""
    return db.session.scalar(db.select(User.id).where(User.email == DEMO_SIGN_INS[0].email)) is not None


def demo_people(rng: random.Random) -> list[tuple[str, str, Role, str]]:
    """Return (e-mail, name, role, password) of every demo user, drawn from ``rng``."""
    names = iter(rng.sample([f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES], k=50))
    people = [(s.email, next(names), s.role, s.password) for s in DEMO_SIGN_INS]
    for role, count in EXTRA_USERS:
        for _ in range(count):
            name = next(names)
            people.append((f"{name.lower().replace(' ', '.')}@{DEMO_DOMAIN}", name, role, EXTRA_PASSWORD))
    return people


def demo_users(rng: random.Random) -> list[User]:
    """Return the demo users, with their passwords set."""
    users, hashes = [], {}
    for email, name, role, password in demo_people(rng):
        user = User(email=email, name=name, role=role)
        if password in hashes:
            # scrypt costs ~0.15 s a call; the colleagues share one public password, so one hash will do.
            user.password_hash, user.password_changed_at = hashes[password]
        else:
            user.set_password(password)
            hashes[password] = (user.password_hash, user.password_changed_at)
        users.append(user)
    return users


# Small helpers ------------------------------------------------------------------


def weighted(rng: random.Random, weights: dict):
    """Return one key of ``weights``, drawn with the given weights."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def days_ago(rng: random.Random, today: date, days: int) -> datetime:
    """Return a moment in working hours (UTC) ``days`` days before ``today``."""
    moment = time(rng.randint(8, 17), rng.choice((0, 10, 15, 20, 30, 40, 45, 50)))
    return datetime.combine(today - timedelta(days=days), moment, UTC)


def spread_days(rng: random.Random, oldest: int, count: int) -> list[int]:
    """Return up to ``count`` distinct day offsets between ``oldest - 1`` and 1, oldest first."""
    available = range(1, max(oldest, 2))
    return sorted(rng.sample(available, k=min(count, len(available))), reverse=True)


def slug(text: str) -> str:
    """Return lowercase ASCII letters and digits of ``text``, for e-mail addresses and URLs."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


def without_accents(text: str) -> str:
    """Return ``text`` with accents dropped and case kept: "Chloé" becomes "Chloe"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def company_domain(company: str) -> str:
    """Return the fictional e-mail domain of a company."""
    return f"{slug(company)}.example"


def status_counts(total: int) -> list[PoolStatus]:
    """Return ``total`` statuses in the shares of STATUS_SHARES (every status at least once)."""
    scale = sum(STATUS_SHARES.values())
    statuses = [s for s, share in STATUS_SHARES.items() for _ in range(max(1, round(total * share / scale)))]
    statuses += [PoolStatus.PROSPECT] * (total - len(statuses))  # rounding leftovers
    return statuses[:total]


# Contact details ---------------------------------------------------------


class ContactBook:
    """Draws names, e-mail addresses and phone numbers, each used once."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names: set[str] = set()
        self.emails: set[str] = set()
        self.phones: set[str] = set()

    def take(self, name: str, emails: list[str], phone: str | None) -> None:
        """Mark an existing person's name, e-mail addresses and phone as used, so that no one else gets them."""
        self.names.add(name)
        self.emails.update(emails)
        if phone:
            self.phones.add(phone_key(phone))

    def person(self) -> tuple[str, str, City, str | None]:
        """Return a new (first name, last name, city, language tag) from one culture's names."""
        while True:  # a few tries per culture, then another one: small pools run out of names
            first_names, last_names, home_cities, language = self.rng.choice(NAME_POOLS)
            names = [f"{self.rng.choice(first_names)} {self.rng.choice(last_names)}" for _ in range(5)]
            name = next((name for name in names if name not in self.names), None)
            if name:
                break
        self.names.add(name)
        first, last = name.split(" ", 1)
        # Most people live where their name pool does; some anywhere.
        city = (
            CITIES[self.rng.choice(home_cities)] if self.rng.random() < 0.75 else self.rng.choice(list(CITIES.values()))
        )
        return first, last, city, language if self.rng.random() < 0.6 else None

    def email(self, first: str, last: str, domain: str) -> str:
        """Return a new e-mail address in one of the usual shapes."""
        f, la = slug(first), slug(last)
        shapes = [f"{f}.{la}", f"{f}{la}", f"{f[0]}{la}", f"{f}.{la}{self.rng.randint(1, 99)}", f"{f}_{la}"]
        address = f"{self.rng.choice(shapes)}@{domain}"
        while address in self.emails:
            address = f"{f}.{la}{self.rng.randint(100, 999)}@{domain}"
        self.emails.add(address)
        return address

    def phone(self, city: City) -> str | None:
        """Return a new fictional phone number of the city's country, written as people write them."""
        for _ in range(20):
            number = self._draw_phone(city)
            digits = phone_key(number)
            if digits not in self.phones:
                self.phones.add(digits)
                return number
        return None

    def _draw_phone(self, city: City) -> str:
        rng = self.rng
        if city.country == "US":
            area, line = city.area_code, f"01{rng.randint(0, 99):02d}"
            shapes = [f"({area}) 555-{line}", f"{area}-555-{line}", f"{area}.555.{line}", f"+1 {area} 555 {line}"]
            return rng.choice(shapes)
        if city.country == "DE":
            return f"+49 {city.area_code} {GERMAN_FICTION_BLOCKS[city.area_code]} {rng.randint(0, 999):03d}"
        if city.country == "FR":
            return f"+33 6 39 98 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"
        if city.country == "IE":
            return f"+353 20 910 {rng.randint(0, 9999):04d}"
        # Elsewhere a UK mobile stands in: the UK keeps a whole block free for fiction.
        return rng.choice(["+44 7700 900{:03d}", "0044 7700 900 {:03d}"]).format(rng.randint(0, 999))


def phone_key(number: str) -> str:
    """Return the last nine digits of a phone number: numbers written differently but alike share them."""
    return re.sub(r"\D", "", number)[-9:]


def linkedin_url(rng: random.Random, first: str, last: str) -> str:
    """Return a plausible LinkedIn profile URL."""
    handle = f"{slug(first)}-{slug(last)}-{rng.randint(1000, 99999):x}"
    return rng.choice([f"https://www.linkedin.com/in/{handle}", f"linkedin.com/in/{handle}/"])


# Candidates ----------------------------------------------------------------


def demo_candidates(rng: random.Random, users: list[User], today: date) -> list[DemoCandidate]:
    """Return the pool's candidates with their status history and touches, not yet saved (users must be)."""
    managers = [user for user in users if user.role is Role.MANAGER]
    tags = {}  # one Tag object per name, shared by every candidate with it
    book = ContactBook(rng)
    statuses = status_counts(DEMO_CANDIDATES - NEAR_DUPLICATES)
    rng.shuffle(statuses)
    people = [demo_candidate(rng, book, status, users, managers, tags, today) for status in statuses]
    people += near_duplicates(rng, book, people, managers, today)
    return people


def demo_candidate(rng, book, status, users, managers, tags, today) -> DemoCandidate:
    """Return one candidate in ``status``, with a history that leads there."""
    person, first, city = demo_person(rng, book, status, users, managers, tags, today)
    add_status_history(rng, person, managers, today)
    add_touches(rng, person, users, first, city, today)
    add_next_touch_and_consent(rng, person.candidate, person.days_in_pool, today)
    return person


def demo_person(
    rng, book, status, users, managers, tags, today, background: SalesTitle | None = None, days_in_pool=None
) -> tuple[DemoCandidate, str, City]:
    """Return a new candidate in ``status`` (details, background, tags, notes; no history yet), first name and city.

    ``background`` (a title) and ``days_in_pool`` are drawn unless given; ``tags`` maps names to shared Tag rows.
    """
    first, last, city, language = book.person()
    background = background or rng.choices(TITLES, weights=[t.weight for t in TITLES])[0]
    company, industry = rng.choice(COMPANIES) if rng.random() < 0.95 else (None, None)
    source = weighted(rng, SOURCE_WEIGHTS)
    if days_in_pool is None:
        # New prospects arrive all the time; people further along have been around longer.
        days_in_pool = rng.randint(2, 400) if status is P.PROSPECT else rng.randint(30, 720)
    candidate = Candidate(
        name=f"{first} {last}",
        email=book.email(first, last, rng.choice(PERSONAL_DOMAINS)),
        alt_email=book.email(first, last, company_domain(company)) if company and rng.random() < 0.3 else None,
        phone=book.phone(city) if rng.random() < 0.85 else None,
        location=city.name,
        linkedin_url=linkedin_url(rng, first, last) if rng.random() < 0.8 else None,
        company=company,
        title=background.title,
        source=source,
        owner=rng.choice(managers) if rng.random() < 0.92 else None,
        status=status,
        created_at=days_ago(rng, today, days_in_pool),
    )
    add_sales_background(rng, candidate, background)
    if source is Source.REFERRAL:
        candidate.referrer = rng.choice([user.name for user in users] + [" ".join(book.person()[:2])])
    candidate.tags = [
        tags.setdefault(name, Tag(name=name)) for name in tag_names(rng, candidate, industry, city, language)
    ]
    candidate.notes = note_text(rng, candidate, first, city)
    return DemoCandidate(candidate, days_in_pool), first, city


def add_sales_background(rng: random.Random, candidate: Candidate, background: SalesTitle) -> None:
    """Fill in segment, deal size, sales cycle, years carrying a quota and past attainment."""
    candidate.segment = rng.choice(background.segments) if rng.random() < 0.95 else None
    if background.deal_size:
        low, high = background.deal_size
        candidate.typical_deal_size = int(round(rng.uniform(low, high), -3))
        candidate.sales_cycle_days = rng.randint(*background.cycle_days)
    candidate.quota_years = Decimal(str(round(rng.uniform(*background.quota_years), 1)))
    if rng.random() < 0.85:
        candidate.past_attainment_pct = max(35, min(190, round(rng.gauss(103, 24))))
        candidate.attainment_verified = rng.random() < 0.3


def tag_names(rng: random.Random, candidate: Candidate, industry: str | None, city: City, language) -> list[str]:
    """Return 1-4 tags: industry, segment, languages and selling style."""
    names = []
    if industry and rng.random() < 0.7:
        names.append(industry)
    if candidate.segment and rng.random() < 0.5:
        names.append(SEGMENT_TAGS[candidate.segment])
    if city.country in LANGUAGE_BY_COUNTRY and rng.random() < 0.6:
        names.append(LANGUAGE_BY_COUNTRY[city.country])
    if language and language not in names:
        names.append(language)
    if city.country != "US" and rng.random() < 0.3:
        names.append("emea")
    wanted = rng.randint(1, 4)
    names += rng.sample(SALES_STYLE_TAGS, k=max(0, wanted - len(names)))
    return names[:4]


def note_text(rng: random.Random, candidate: Candidate, first: str, city: City) -> str:
    """Return 1-3 sentences a manager would jot down."""
    values = {
        "first": first,
        "company": candidate.company or "their last company",
        "referrer": candidate.referrer,
        "event": rng.choice(EVENTS),
        "agency": rng.choice(AGENCIES),
        "other_city": rng.choice([c for c in CITIES if c != city.name.split(",")[0]]),
        "ote": rng.randrange(90, 320, 10),
        "weeks": rng.choice((2, 4, 6, 8, 12)),
        "quarter": rng.randint(1, 4),
    }
    sentences = [SOURCE_NOTES[candidate.source]] if rng.random() < 0.7 else []
    sentences += rng.sample(NOTE_SENTENCES, k=rng.randint(1 if not sentences else 0, 2))
    return " ".join(sentence.format(**values) for sentence in sentences)


def add_status_history(rng: random.Random, person: DemoCandidate, managers: list[User], today: date) -> None:
    """Add the status changes that led to the candidate's status, oldest first, each by a manager."""
    candidate = person.candidate
    path = list(STATUS_PATHS[candidate.status])
    if candidate.status is P.REJECTED and rng.random() < 0.3:
        path = [P.PROSPECT, P.REJECTED]  # screened out from the profile alone
    if candidate.status is P.DECLINED and rng.random() < 0.4:
        path = [P.PROSPECT, P.ENGAGED, P.DECLINED]
    later = [days_ago(rng, today, day) for day in spread_days(rng, person.days_in_pool, len(path) - 1)]
    record_status_path(rng, person, path, [candidate.created_at, *later], managers)


def record_status_path(rng, person: DemoCandidate, path: list[PoolStatus], moments: list[datetime], managers) -> None:
    """Add a status change for each of ``path`` at the matching moment (a reason where one fits), each by a manager.

    A status without a moment (``moments`` is shorter) is left out.
    """
    candidate = person.candidate
    previous = None
    for status, at in zip(path, moments, strict=False):
        reasons = STATUS_REASONS.get(status)
        reason = rng.choice(reasons) if reasons and (status.needs_reason or rng.random() < 0.6) else ""
        changed_by = candidate.owner if candidate.owner and rng.random() < 0.8 else rng.choice(managers)
        person.status_changes.append(
            {"from_status": previous, "to_status": status, "reason": reason, "changed_by_id": changed_by.id, "at": at}
        )
        previous = status


def add_touches(rng, person: DemoCandidate, users: list[User], first: str, city: City, today: date) -> None:
    """Add calls, e-mails, meetings and notes over the last year, and set ``last_touch_at``."""
    candidate = person.candidate
    interviewers = [user for user in users if user.role is Role.INTERVIEWER]
    count = rng.randint(*TOUCH_COUNTS[candidate.status])
    values = {"first": first, "company": candidate.company or "their company", "city": city.name.split(",")[0]}
    days = spread_days(rng, min(person.days_in_pool, 365), count)
    if days and candidate.status in IN_PLAY and rng.random() < 0.8:
        days[-1] = min(days[-1], rng.randint(1, 25))  # most people in play were touched lately; the rest go cold
    for day in days:
        kind = weighted(rng, TOUCH_KIND_WEIGHTS)
        if kind is TouchKind.MEETING and rng.random() < 0.4:
            author = rng.choice(interviewers)
        else:
            author = candidate.owner or rng.choice([u for u in users if u.role is Role.MANAGER])
        summary = rng.choice(TOUCH_SUMMARIES[kind]).format(event=rng.choice(EVENTS), **values)
        at = days_ago(rng, today, day)
        person.touches.append({"kind": kind, "summary": summary, "author_id": author.id, "at": at})
    history = [change["at"] for change in person.status_changes] + [touch["at"] for touch in person.touches]
    candidate.last_touch_at = max((touch["at"] for touch in person.touches), default=None)
    candidate.updated_at = max(history)


def add_next_touch_and_consent(rng: random.Random, candidate: Candidate, days_in_pool: int, today: date) -> None:
    """Plan the next touch (some overdue, some soon, some none) and record consent for most."""
    roll = rng.random()
    if candidate.status in IN_PLAY and candidate.status is not P.NOT_NOW:
        if roll < 0.2:
            candidate.next_touch_on = today - timedelta(days=rng.randint(1, 45))
        elif roll < 0.75:
            candidate.next_touch_on = today + timedelta(days=rng.randint(0, 42))
    elif candidate.status is P.NOT_NOW:
        if roll < 0.15:
            candidate.next_touch_on = today - timedelta(days=rng.randint(1, 30))
        elif roll < 0.85:
            candidate.next_touch_on = today + timedelta(days=rng.randint(45, 200))
    elif candidate.status is P.DECLINED and roll < 0.4:
        candidate.next_touch_on = today + timedelta(days=rng.randint(90, 240))  # always be recruiting
    if rng.random() < 0.85:
        candidate.consent_on = candidate.created_at.date() + timedelta(days=rng.randint(0, min(30, days_in_pool - 1)))
        candidate.consent_method = weighted(rng, CONSENT_WEIGHTS)
        candidate.consent_expires_on = candidate.consent_on + timedelta(days=365 * CONSENT_YEARS)


def near_duplicates(rng, book: ContactBook, people: list[DemoCandidate], managers, today) -> list[DemoCandidate]:
    """Return second records of people already in the pool, as imports and busy managers create them.

    Each looks like its original by one of the signals the duplicate finder uses:
    the same phone, the same LinkedIn profile, or a near-identical name at the same company.
    """
    copies, used = [], set()
    by_variant = [p for p in people if p.candidate.company and variant_name(p.candidate.name)]
    with_accents = [p for p in people if p.candidate.company and without_accents(p.candidate.name) != p.candidate.name]
    with_phone = [p for p in people if p.candidate.phone]
    with_linkedin = [p for p in people if p.candidate.linkedin_url]
    for number in range(NEAR_DUPLICATES):
        kind = number % 4
        unused = [p for p in [by_variant, with_accents, with_phone, with_linkedin][kind] if id(p) not in used]
        original = rng.choice(unused or [p for p in with_accents if id(p) not in used])
        used.add(id(original))
        copies.append(copy_of(rng, book, original.candidate, kind, managers, today))
    return copies


def variant_name(name: str) -> str | None:
    """Return the name with its first name spelled another common way, if the duplicate finder can tell.

    The finder compares names with their words sorted, so "John Johnson" and
    "Jon Johnson" do not line up ("john johnson" / "johnson jon"); such pairs are skipped.
    """
    first, last = name.split(" ", 1)
    if first not in NAME_VARIANTS:
        return None
    variant = f"{NAME_VARIANTS[first]} {last}"
    return variant if name_similarity(name, variant) >= NAME_SIMILARITY else None


def copy_of(rng, book: ContactBook, original: Candidate, kind: int, managers, today) -> DemoCandidate:
    """Return a fresh prospect record of the same person as ``original``, told apart as ``kind`` says."""
    first, last = original.name.split(" ", 1)
    company, title = original.company, original.title
    if kind == 0 and variant_name(original.name):
        first, last = variant_name(original.name).split(" ", 1)  # "Jon" at the same company
    elif kind in (0, 1):
        first, last = without_accents(first), without_accents(last)  # typed on a keyboard without accents
    else:
        company = rng.choice([name for name, _ in COMPANIES if name != company])  # has changed jobs since
    days_in_pool = rng.randint(3, 60)
    candidate = Candidate(
        name=f"{first} {last}",
        email=book.email(first, last, rng.choice(PERSONAL_DOMAINS)),
        company=company,
        title=title,
        location=original.location,
        source=rng.choice([Source.EVENT, Source.INBOUND, Source.AGENCY]),
        owner=rng.choice(managers),
        status=P.PROSPECT,
        created_at=days_ago(rng, today, days_in_pool),
        notes=NEAR_DUPLICATE_NOTE,
    )
    if kind == 2:
        candidate.phone = original.phone_normalized  # the same number, as an import writes it
    if kind == 3:
        candidate.linkedin_url = "https://" + original.linkedin_key  # the same profile, another form of URL
    candidate.tags = rng.sample(original.tags, k=rng.randint(1, len(original.tags)))
    candidate.updated_at = candidate.created_at
    person = DemoCandidate(candidate, days_in_pool)
    person.status_changes.append(
        {
            "from_status": None,
            "to_status": P.PROSPECT,
            "reason": "",
            "changed_by_id": candidate.owner.id,
            "at": candidate.created_at,
        }
    )
    return person


# Openings ----------------------------------------------------------------


def demo_openings(rng: random.Random, people: list[DemoCandidate], users: list[User], today: date) -> list:
    """Return the demo openings, their 10-30 applications each and the stage moves, not yet saved (users must be)."""
    managers = [user for user in users if user.role is Role.MANAGER]
    rows, considered = [], set()
    for number, spec in enumerate(DEMO_OPENINGS):
        opening = Opening(
            title=spec.title,
            territory=spec.territory,
            segment=spec.segment,
            headcount=spec.headcount,
            status=spec.status,
            hiring_manager=managers[number % len(managers)],
            stages=list(DEFAULT_STAGES),
            created_at=days_ago(rng, today, spec.days_open),
        )
        opening.updated_at = opening.created_at
        rows.append(opening)
        count = rng.randint(18, 30) if spec.status is OpeningStatus.OPEN else rng.randint(10, 15)
        hires_left = spec.headcount - 1  # every opening still has a seat to fill
        chosen = []
        for person in ranked_fits(rng, spec, people, considered):
            if person.candidate.status is P.HIRED:
                if not hires_left:
                    continue
                hires_left -= 1
            chosen.append(person)
            if len(chosen) == count:
                break
        for person in chosen:
            considered.add(id(person))  # one opening per candidate keeps stage and pool status in step
            rows += demo_application(rng, opening, spec, person, users, today)
    return rows


def ranked_fits(rng, spec: DemoOpening, people: list[DemoCandidate], taken: set) -> list[DemoCandidate]:
    """Return the candidates in a random order that favours the right title, country and pool status."""

    def weight(person: DemoCandidate) -> float:
        candidate = person.candidate
        fit = 3 if candidate.title in spec.fitting_titles else 1
        fit *= 3 if COUNTRY_OF[candidate.location] in spec.fitting_countries else 1
        return fit * APPLICATION_WEIGHTS[candidate.status]

    eligible = [p for p in people if p.candidate.status in APPLICATION_WEIGHTS and id(p) not in taken]
    # Weighted sampling without replacement (Efraimidis-Spirakis): the highest random ** (1 / weight) wins.
    keys = [rng.random() ** (1 / weight(person)) for person in eligible]
    ranked = sorted(zip(keys, range(len(eligible)), strict=True), reverse=True)
    return [eligible[index] for _, index in ranked]


def demo_application(rng, opening: Opening, spec: DemoOpening, person: DemoCandidate, users, today) -> list:
    """Return the candidate's application to ``opening`` followed by the stage moves that brought it there."""
    managers = [user for user in users if user.role is Role.MANAGER]
    interviewers = [user for user in users if user.role is Role.INTERVIEWER]
    stage = rng.choice(STAGES_BY_STATUS[person.candidate.status])
    main_stages = DEFAULT_STAGES[: DEFAULT_STAGES.index("hired") + 1]
    if stage == "rejected":
        path = main_stages[: rng.randint(1, 4)] + ["rejected"]
    else:
        path = main_stages[: main_stages.index(stage) + 1]
    oldest = max(len(path) + 2, min(spec.days_open, person.days_in_pool) - 1)
    moments = [days_ago(rng, today, day) for day in sorted(rng.sample(range(1, oldest), k=len(path)), reverse=True)]
    application = Application(
        opening=opening,
        candidate=person.candidate,
        stage=stage,
        added_by_id=opening.hiring_manager.id,
        created_at=moments[0],
        moved_at=moments[-1],
    )
    moves, previous = [], None
    for to_stage, at in zip(path, moments, strict=True):
        mover = rng.choice(interviewers) if to_stage in ("interviews", "final") else rng.choice(managers)
        moves.append(StageMove(application=application, from_stage=previous, to_stage=to_stage, moved_by=mover, at=at))
        previous = to_stage
    return [application, *moves]


# Interviews ----------------------------------------------------------------


def demo_template() -> ScorecardTemplate | None:
    """Return the current default scorecard template (any current one if renamed) with its traits, or None."""
    templates = db.session.scalars(
        db.select(ScorecardTemplate)
        .where(ScorecardTemplate.is_current)
        .options(selectinload(ScorecardTemplate.items).selectinload(TemplateItem.trait))
        .order_by(ScorecardTemplate.id)
    ).all()
    return next((t for t in templates if t.name == DEMO_TEMPLATE), templates[0] if templates else None)


def interview_window(person: DemoCandidate, today: date) -> tuple[int, int] | None:
    """Return the days ago (first, last) between which the candidate's interviews fell, or None if none could.

    Interviews come after the candidate reached interviewing (engaged, for a phone screen of people
    kept warm), in the weeks before the next status change; for people still there, before today.
    """
    after = P.ENGAGED if person.candidate.status in (P.ENGAGED, P.NOT_NOW) else P.INTERVIEWING
    changes = person.status_changes
    index = next((i for i, change in enumerate(changes) if change["to_status"] is after), None)
    if index is None:
        return None  # screened out on the profile, or declined before any interview
    first = (today - changes[index]["at"].date()).days
    last = (today - changes[index + 1]["at"].date()).days if index + 1 < len(changes) else 0
    return min(first, last + INTERVIEW_SPAN_DAYS), last


def interview_days(rng: random.Random, window: tuple[int, int], count: int) -> list[int]:
    """Return ``count`` day offsets in the window (strictly inside it if there is room, never today), oldest first."""
    first, last = window
    low, high = (last + 1, first - 1) if first - last >= 2 else (last, first)
    days = range(max(low, 1), max(high, low, 1) + 1)
    picked = rng.sample(days, count) if len(days) >= count else rng.choices(days, k=count)
    return sorted(picked, reverse=True)


def interview_kinds(rng: random.Random, status: PoolStatus, count: int) -> list[InterviewKind]:
    """Return the kinds of a candidate's ``count`` interviews in the order they happen, a phone screen first."""
    second = rng.choice([K.BEHAVIOURAL, K.ROLE_PLAY])
    last = K.REFERENCE_CHECK if status in (P.OFFER, P.HIRED) and rng.random() < 0.4 else K.PANEL
    return [K.PHONE_SCREEN, second, last][:count]


def recommendation_for(scores: list[int]) -> Recommendation:
    """Return the overall call that goes with these ratings."""
    average = mean(scores)
    return next((choice for floor, choice in RECOMMENDATION_FLOORS if average >= floor), Recommendation.STRONG_NO)


def prompt_answers(rng: random.Random, prompts: list[str], recommendation, weakest: list[str]) -> dict[str, str]:
    """Return answers to the template's prompts (take-aways, concerns), left blank now and then.

    ``weakest`` holds the names of the lowest-rated traits if they were rated 3 or less.
    """
    roll = rng.random()
    take_away = rng.choice(TAKE_AWAYS[recommendation]) if roll < 0.9 else ""
    concern = ""
    if roll < 0.8:
        concern = rng.choice(CONCERNS).format(trait=rng.choice(weakest).lower()) if weakest else rng.choice(NO_CONCERNS)
    texts = [take_away, concern]
    return {prompt: texts[number] if number < len(texts) else "" for number, prompt in enumerate(prompts)}


class InterviewBook:
    """Plans the demo's interviews and fills their scorecards from each candidate's hidden quality.

    Interviews and scorecards are objects; ratings stay column values until the scorecards have ids.
    """

    def __init__(self, rng: random.Random, users: list[User], template: ScorecardTemplate, openings: dict, today):
        self.rng, self.template, self.openings, self.today = rng, template, openings, today
        self.interviewers = [user for user in users if user.role is Role.INTERVIEWER]
        self.managers = [user for user in users if user.role is Role.MANAGER]
        self.leniency = {user.id: lean for user, lean in zip(self.interviewers, INTERVIEWER_LENIENCY, strict=False)}
        self.leniency |= {user.id: lean for user, lean in zip(self.managers, MANAGER_LENIENCY, strict=False)}
        self.start_of_today = datetime.combine(today, time(0), UTC)
        self.profiles: dict[int, tuple[float, dict[int, float]]] = {}
        self.notes_used: set[tuple[int, str]] = set()  # (candidate, note): colleagues do not write the same words
        self.interviews: list[Interview] = []
        self.ratings: list[tuple[Scorecard, list[dict]]] = []

    def profile(self, person: DemoCandidate) -> tuple[float, dict[int, float]]:
        """Return the candidate's hidden quality and trait-by-trait strengths, drawn the first time."""
        if id(person) not in self.profiles:
            quality = self.rng.gauss(QUALITY_MEANS.get(person.candidate.status, 3.0), QUALITY_SD)
            strengths = {item.trait_id: self.rng.gauss(0, TRAIT_SD) for item in self.template.items}
            self.profiles[id(person)] = (quality, strengths)
        return self.profiles[id(person)]

    def panel(self, kind: InterviewKind, owner: User | None) -> list[User]:
        """Return the interviewers of one interview; a manager (the owner, if any) sometimes takes a seat."""
        seats = self.rng.sample(self.interviewers, self.rng.randint(*PANEL_SIZES[kind]))
        if self.rng.random() < MANAGER_JOINS.get(kind, 0.1):
            seats[-1] = owner or self.rng.choice(self.managers)
        return seats

    def plan(self, person: DemoCandidate, kind: InterviewKind, at: datetime, panel: list[User], status=None):
        """Add an interview at ``at`` with a draft scorecard for each of ``panel``, and return it."""
        candidate = person.candidate
        planner = candidate.owner or self.rng.choice(self.managers)
        planned = max(candidate.created_at, min(at, self.start_of_today) - timedelta(days=self.rng.randint(2, 10)))
        interview = Interview(
            candidate_id=candidate.id,
            opening=self.openings.get(id(candidate)),
            kind=kind,
            scheduled_at=at,
            template_id=self.template.id,
            status=status or InterviewStatus.SCHEDULED,
            created_by_id=planner.id,
            created_at=planned,
        )
        for user in panel:
            Scorecard(  # joins interview.scorecards, and the session with it
                interview=interview,
                interviewer_id=user.id,
                candidate_id=candidate.id,
                template_id=self.template.id,
                status=ScorecardStatus.DRAFT,
                answers={},
                created_at=planned,
                updated_at=planned,
            )
        self.interviews.append(interview)
        return interview

    def submit(self, card: Scorecard, person: DemoCandidate) -> None:
        """Rate the candidate as this interviewer sees them (leniency and noise included) and submit soon after."""
        quality, strengths = self.profile(person)
        lean = self.leniency.get(card.interviewer_id, 0.0)
        blank = NOT_ASSESSED.get(card.interview.kind, NOT_ASSESSED_USUALLY)
        items = self.template.items
        seen = [quality + strengths[item.trait_id] + lean + self.rng.gauss(0, RATING_NOISE) for item in items]
        scores = [min(5, max(1, round(value))) for value in seen]
        scores = [None if self.rng.random() < blank else score for score in scores]
        if all(score is None for score in scores):  # a submitted scorecard rates at least one trait
            scores[0] = min(5, max(1, round(seen[0])))
        ratings = [
            {"trait_id": item.trait_id, "score": score, "note": self.note(person, item.trait.key, score)}
            for item, score in zip(items, scores, strict=True)
        ]
        given = [score for score in scores if score is not None]
        lowest = min(given)
        weakest = [item.trait.name for item, score in zip(items, scores, strict=True) if score == lowest <= 3]
        card.recommendation = recommendation_for(given)
        card.answers = prompt_answers(self.rng, self.template.prompts, card.recommendation, weakest)
        card.status = ScorecardStatus.SUBMITTED
        delay = timedelta(minutes=self.rng.choice((20, 45, 60, 90, 180, 300, 1500)))
        card.submitted_at = card.updated_at = min(card.interview.scheduled_at + delay, self.start_of_today)
        self.ratings.append((card, ratings))

    def note(self, person: DemoCandidate, key: str, score: int | None) -> str:
        """Return a short behavioural note for a rating now and then (more often for extreme ones), else ""."""
        if score is None or key not in TRAIT_NOTES or self.rng.random() >= (0.45 if score in (1, 2, 5) else 0.2):
            return ""
        notes = TRAIT_NOTES[key][0 if score <= 2 else 1 if score == 3 else 2]
        unused = [note for note in notes if (id(person), note) not in self.notes_used]
        if not unused:
            return ""
        note = self.rng.choice(unused)
        self.notes_used.add((id(person), note))
        return note

    def add_past_interviews(self, person: DemoCandidate) -> None:
        """Add the 1-3 interviews a candidate had (if any, as their status says), all scorecards submitted."""
        status = person.candidate.status
        share, weights = INTERVIEW_PLANS.get(status, (0.0, None))
        window = interview_window(person, self.today) if share else None
        if window is None or self.rng.random() >= share:
            return
        count = self.rng.choices((1, 2, 3), weights=weights)[0]
        self.hold_interviews(person, window, interview_kinds(self.rng, status, count))

    def hold_interviews(self, person: DemoCandidate, window: tuple[int, int], kinds: list[InterviewKind]) -> None:
        """Add interviews of these kinds, in this order, on days within ``window`` (days ago), all submitted."""
        moments = sorted(days_ago(self.rng, self.today, day) for day in interview_days(self.rng, window, len(kinds)))
        for kind, at in zip(kinds, moments, strict=True):
            interview = self.plan(person, kind, at, self.panel(kind, person.candidate.owner))
            for card in interview.scorecards:
                self.submit(card, person)


def add_interviewer_work(book: InterviewBook, people: list[DemoCandidate], interviewer: User) -> None:
    """Give the demo interviewer a to-do list: upcoming drafts, one overdue draft and one cancelled interview."""
    rng, today = book.rng, book.today
    colleagues = [user for user in book.interviewers if user is not interviewer]
    waiting = [person for person in people if person.candidate.status is P.INTERVIEWING]
    chosen = rng.sample(waiting, UPCOMING_DRAFTS + 1)
    for number, ahead in enumerate(sorted(rng.sample(range(1, 11), UPCOMING_DRAFTS))):
        kind = rng.choice([K.BEHAVIOURAL, K.ROLE_PLAY, K.PANEL])
        panel = [interviewer, *(rng.sample(colleagues, 1) if kind is K.PANEL or rng.random() < 0.4 else [])]
        at = datetime.combine(today + timedelta(days=ahead), time(rng.randint(9, 16), rng.choice((0, 30))), UTC)
        book.plan(chosen[number], kind, at, panel)
        if number == 0:  # the candidate asked to move it: the first date was cancelled
            book.plan(chosen[0], kind, days_ago(rng, today, rng.randint(1, 3)), panel, InterviewStatus.CANCELLED)
    # Overdue: a few days ago; the colleague has submitted, the demo interviewer not yet.
    kind = rng.choice([K.BEHAVIOURAL, K.ROLE_PLAY])
    overdue = book.plan(
        chosen[-1], kind, days_ago(rng, today, rng.randint(2, 4)), [interviewer, rng.choice(colleagues)]
    )
    book.submit(overdue.scorecards[1], chosen[-1])


def add_demo_interviews(
    rng, people: list[DemoCandidate], users: list[User], opening_rows: list, today, marked_down: set[int] = frozenset()
) -> tuple:
    """Add past interviews with submitted scorecards and the demo interviewer's to-do list; return both counts.

    The ratings of the candidates in ``marked_down`` are lowered first (see ``mark_down``).
    """
    template = demo_template()
    if template is None or not template.items:  # the migrations' template is gone: the demo goes without interviews
        return 0, 0
    openings = {id(row.candidate): row.opening for row in opening_rows if isinstance(row, Application)}
    book = InterviewBook(rng, users, template, openings, today)
    for person in people:
        book.add_past_interviews(person)
    interviewer = next(user for user in users if user.email == DEMO_INTERVIEWER.email)
    add_interviewer_work(book, people, interviewer)
    mark_down(book, marked_down)
    db.session.add_all(book.interviews)
    db.session.flush()  # the ratings refer to scorecards by id
    rows = [{"scorecard_id": card.id, **rating} for card, ratings in book.ratings for rating in ratings]
    db.session.execute(db.insert(Rating), rows)
    return len(book.interviews), sum(len(interview.scorecards) for interview in book.interviews)


# Self-identification ---------------------------------------------------------

# About nine in ten candidates answered the voluntary questions: nearly everyone who applied and was
# interviewed (the form comes with the application), fewer of the people met elsewhere. The answers loosely
# follow a US sales team. Drawn from an RNG of their own, so that the rest of the demo is the same without them.
ANSWERED_SHARE = 0.87
ANSWERED_SHARE_APPLIED = 0.98
APPLIED = (P.INTERVIEWING, P.OFFER, P.HIRED, P.DECLINED, P.REJECTED)
SEX_WEIGHTS = {Sex.MALE: 52, Sex.FEMALE: 41, Sex.NON_BINARY: 1, Sex.NOT_SAID: 6}
RACE_WEIGHTS = {
    RaceEthnicity.WHITE: 47,
    RaceEthnicity.HISPANIC_LATINO: 23,
    RaceEthnicity.BLACK: 11,
    RaceEthnicity.ASIAN: 9,
    RaceEthnicity.TWO_OR_MORE: 2,
    RaceEthnicity.NATIVE_HAWAIIAN_PACIFIC: 0.5,
    RaceEthnicity.AMERICAN_INDIAN_ALASKA: 0.5,
    RaceEthnicity.NOT_SAID: 7,
}
# The optional questions; None: not asked.
VETERAN_WEIGHTS = {VeteranStatus.PROTECTED: 5, VeteranStatus.NOT_PROTECTED: 75, VeteranStatus.NOT_SAID: 8, None: 12}
DISABILITY_WEIGHTS = {DisabilityStatus.YES: 6, DisabilityStatus.NO: 72, DisabilityStatus.NOT_SAID: 10, None: 12}
# The planted bias case, for the adverse-impact audit to find: the demo's interviewers mark the pool's
# Hispanic or Latino candidates down on the traits that predict results (hiring.demo_history.TRAIT_LOADINGS),
# by this many points each. The reps the model learns from were rated fairly, so the model itself is
# sound, but the biased ratings it reads push that group out of the predicted A-players.
BIASED_GROUP = RaceEthnicity.HISPANIC_LATINO
RATING_BIAS = {"coachability": 1, "drive": 1, "resilience": 1}
DEMO_ACKNOWLEDGEMENT = (
    "Demo data: the planted bias case is kept on purpose so the audit has something to show. "
    "Do not use this model for real decisions."
)


def draw_self_identification(rng: random.Random, candidates: list[Candidate], share: float | None = None) -> list[dict]:
    """Return the SelfIdentification rows of the candidates who answered.

    Each answered with the probability ``share``, or by default as their status says (see ANSWERED_SHARE_APPLIED).
    """
    rows = []
    for candidate in candidates:
        if share is not None:
            answered = share
        else:
            answered = ANSWERED_SHARE_APPLIED if candidate.status in APPLIED else ANSWERED_SHARE
        if rng.random() >= answered:
            continue
        rows.append(
            {
                "candidate_id": candidate.id,
                "sex": weighted(rng, SEX_WEIGHTS),
                "race_ethnicity": weighted(rng, RACE_WEIGHTS),
                "veteran": weighted(rng, VETERAN_WEIGHTS),
                "disability": weighted(rng, DISABILITY_WEIGHTS),
                "source": "form",
                "recorded_at": candidate.created_at,  # answered when they came into the pool
            }
        )
    return rows


def in_biased_group(rows: list[dict]) -> set[int]:
    """Return the ids of the candidates whose answers put them in the group the demo's interviewers mark down."""
    return {row["candidate_id"] for row in rows if row["race_ethnicity"] is BIASED_GROUP}


def mark_down(book: "InterviewBook", candidate_ids: set[int]) -> None:
    """Take RATING_BIAS points off these candidates' ratings (never below 1), before the ratings are saved.

    Recommendations follow the new ratings, and a note written for the old score's band is dropped.
    Done after rating, not while, so that the demo's RNG draws the same numbers with or without the bias.
    """
    keys = {item.trait_id: item.trait.key for item in book.template.items}
    for card, ratings in book.ratings:
        if card.candidate_id not in candidate_ids:
            continue
        for rating in ratings:
            points = RATING_BIAS.get(keys[rating["trait_id"]], 0)
            if rating["score"] is None or not points:
                continue
            lowered = max(1, rating["score"] - points)
            if band(lowered) != band(rating["score"]):
                rating["note"] = ""
            rating["score"] = lowered
        card.recommendation = recommendation_for([r["score"] for r in ratings if r["score"] is not None])


def band(score: int) -> int:
    """Return which of TRAIT_NOTES' bands a score falls in: 0 for 1-2, 1 for 3, 2 for 4-5."""
    return 0 if score <= 2 else 1 if score == 3 else 2


def add_self_identification(rows: list[dict]) -> int:
    """Insert the answers in one executemany; return how many."""
    if rows:
        db.session.execute(db.insert(SelfIdentification).execution_options(render_nulls=True), rows)
    return len(rows)


# Loading -------------------------------------------------------------------


def load_demo(seed: int = 2026, today: date | None = None, train: bool = True) -> list[User]:
    """Fill an empty database with demo data and commit; return the users created.

    ``today`` anchors every generated date and time (default: the current date). With ``train``,
    the reps' tiers train the first model version, which then ranks the pool. Its audit flags the
    planted bias case, so the demo's admin activates it with a written acknowledgement.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    eeo_rng = random.Random(f"self-identification-{seed}")  # noqa: S311 - as above
    today = today or date.today()
    users = demo_users(rng)
    db.session.add_all(users)
    db.session.flush()  # the history rows below refer to users by id
    people = demo_candidates(rng, users, today)
    db.session.add_all(person.candidate for person in people)
    db.session.flush()  # and to candidates by id
    for model, history in ((StatusChange, "status_changes"), (Touch, "touches")):
        rows = [{"candidate_id": p.candidate.id, **row} for p in people for row in getattr(p, history)]
        db.session.execute(db.insert(model), rows)
    answers = draw_self_identification(eeo_rng, [person.candidate for person in people])
    opening_rows = demo_openings(rng, people, users, today)
    db.session.add_all(opening_rows)
    interviews, scorecards = add_demo_interviews(rng, people, users, opening_rows, today, in_biased_group(answers))
    # The hired reps and their results come last, so that the pool above is the same with or without them.
    from hiring.demo_history import add_hiring_history  # here: demo_history builds on this module

    history = add_hiring_history(rng, users, demo_template(), today)
    reps = db.session.scalars(db.select(Candidate).join(Hire, Hire.candidate_id == Candidate.id).order_by(Hire.id))
    answers += draw_self_identification(eeo_rng, list(reps), share=ANSWERED_SHARE)  # some predate the form
    counts = {
        "seed": seed,
        "users": len(users),
        "candidates": len(people) + history["hired_reps"],
        "openings": sum(isinstance(row, Opening) for row in opening_rows),
        "interviews": interviews + history["interviews"],
        "scorecards": scorecards + history["scorecards"],
        "hired_reps": history["hired_reps"],
        "months_of_results": history["months_of_results"],
        "self_identifications": add_self_identification(answers),
    }
    counts["decisions"] = add_demo_decisions(seed, STATUS_REASONS[P.REJECTED])
    refresh_tiers()
    record("demo.loaded", details=counts)
    db.session.commit()
    if train:
        version = train_version(None)
        if not version.active:  # the audit flagged the planted bias case, as it should
            admin = next(user for user in users if user.role is Role.ADMIN)
            activate(version, admin, acknowledgement=DEMO_ACKNOWLEDGEMENT)
            db.session.commit()
    return users


def demo_summary() -> str:
    """Return what the database holds, as the demo command reports it.

    For example "8 users, 300 candidates, ... 40 scorecards, 270 self-identifications, 12 hired reps with 150 months
    of results".
    """
    nouns = (
        (User, "users"),
        (Candidate, "candidates"),
        (Opening, "openings"),
        (Interview, "interviews"),
        (Scorecard, "scorecards"),
        (SelfIdentification, "self-identifications"),
        (Hire, "hired reps"),
        (PeriodResult, "months of results"),
    )
    counts = [(db.session.scalar(db.select(db.func.count()).select_from(model)), noun) for model, noun in nouns]
    parts = [f"{count} {noun}" for count, noun in counts]
    return ", ".join(parts[:-1]) + f" with {parts[-1]}"
