"""A mixed load of reads and writes, as managers and interviewers, under gunicorn on PostgreSQL.

Run from the repository root (``make bench-load`` does)::

    .venv/bin/python -m benchmarks.bench_load [--n 20000] [--requests 3000] [--time-limit 120] [--check]

It prepares the scratch database ``bench_load`` as ``bench_throughput`` does (created, migrated,
filled by ``benchmarks.generate``), gives the generated managers and interviewers a password, plans
interviews with a draft scorecard for each interviewer thread, and starts gunicorn with 4 workers on
127.0.0.1. Then, until the request budget or the time limit is spent, each client thread is a
signed-in person working through the pages:

- managers (5 threads): the pool list (a page of the first five), a search, a candidate's page, then
  a touch logged on that candidate, or a status change (prospect to engaged) from its page;
- interviewers (3 threads): My interviews, a scorecard's page, "Save draft" with some ratings, the
  page again, then "Submit" with every rating and a recommendation.

Every POST carries the CSRF token of the form it came from and must redirect (302); every GET must
answer 200 with its page's heading. Each manager thread writes to its own candidates and each
interviewer thread to its own scorecards, so a conflict can only come from the app, not the script.
After the run, the rows written are counted in the database and must match the successful POSTs.
Throughput, median and p95 per kind of request and overall, and errors (which must be 0) are printed
and written to ``benchmarks/results/load-<timestamp>.json``.
"""

import itertools
import random
import re
import sys
from datetime import UTC, datetime, timedelta

from benchmarks import server
from benchmarks.generate import COMMON_WORD, RARE_WORD
from models import (
    Candidate,
    Interview,
    InterviewKind,
    PoolStatus,
    Rating,
    Role,
    Scorecard,
    ScorecardStatus,
    ScorecardTemplate,
    StatusChange,
    Touch,
    User,
    db,
)

VERSION_INPUT = re.compile(r'name="version"[^>]*value="(\d+)"')
MANAGER_THREADS, INTERVIEWER_THREADS = 5, 3
WRITE_KINDS = ("log a touch", "change status", "save scorecard draft", "submit scorecard")


class ManagerScript:
    """A manager browsing the pool and writing to their own slice of candidates."""

    def __init__(self, browser: server.Browser, candidate_ids: list[int], seed: int):
        self.browser, self.rng = browser, random.Random(seed)  # noqa: S311 - a test's choices, not secrets
        self.candidates = iter(candidate_ids)
        self.round = itertools.count()

    def __call__(self, load: server.Load) -> None:
        """Browse, search, open a candidate, then log a touch or change the status."""
        b, number = self.browser, next(self.round)
        load.timed(b, "pool list", "GET", f"/candidates/?page={self.rng.randint(1, 5)}", expect_text="Showing")
        word = RARE_WORD if number % 2 else COMMON_WORD
        load.timed(b, "search", "GET", f"/candidates/?q={word}", expect_text="Showing 1–")
        candidate_id = next(self.candidates, None)
        if candidate_id is None:
            raise server.Stop  # this thread's candidates are used up
        page = load.timed(b, "candidate page", "GET", f"/candidates/{candidate_id}", expect_text="Timeline")
        url = f"/candidates/{candidate_id}"
        if number % 2:
            form = {"csrf_token": page.csrf_token(), "status": PoolStatus.ENGAGED.value, "reason": ""}
            load.timed(b, "change status", "POST", f"{url}/status", form, expect_status=302)
        else:
            summary = f"Load test call {candidate_id}-{number}"  # unique: a repeat would not be logged twice
            form = {"csrf_token": page.csrf_token(), "kind": "call", "summary": summary, "next_touch_on": ""}
            load.timed(b, "log a touch", "POST", f"{url}/touches", form, expect_status=302)


class InterviewerScript:
    """An interviewer filling their own draft scorecards: save a draft, then submit."""

    def __init__(self, browser: server.Browser, card_ids: list[int], trait_ids: list[int], prompts: int, seed: int):
        self.browser, self.rng = browser, random.Random(seed)  # noqa: S311
        self.cards, self.trait_ids, self.prompts = iter(card_ids), trait_ids, prompts

    def form(self, page: server.Response, action: str, traits: list[int]) -> dict:
        """The scorecard form as a person fills it: ratings of ``traits``, the prompts, the page's version."""
        version = VERSION_INPUT.search(page.text)
        if version is None:
            raise server.RequestFailed("no version field on the scorecard page")
        data = {"csrf_token": page.csrf_token(), "version": version.group(1), "action": action, "reason": ""}
        for trait_id in self.trait_ids:
            rated = trait_id in traits
            data[f"rating_{trait_id}"] = str(self.rng.randint(1, 5)) if rated else ""
            data[f"note_{trait_id}"] = "Clear examples with numbers." if rated else ""
        data |= {f"answer_{n}": "Strong discovery, asks good questions." for n in range(self.prompts)}
        data["recommendation"] = self.rng.choice(["yes", "no", "strong_yes"]) if action == "submit" else ""
        return data

    def __call__(self, load: server.Load) -> None:
        """Open My interviews and one scorecard; save it as a draft, then submit it."""
        b = self.browser
        load.timed(b, "my interviews", "GET", "/interviews/mine", expect_text="My interviews")
        card_id = next(self.cards, None)
        if card_id is None:
            raise server.Stop
        url = f"/interviews/scorecards/{card_id}"
        page = load.timed(b, "scorecard page", "GET", url, expect_text="Submit scorecard")
        draft = self.form(page, "save", self.trait_ids[: len(self.trait_ids) // 2])
        load.timed(b, "save scorecard draft", "POST", url, draft, expect_status=302)
        page = load.timed(b, "scorecard page", "GET", url, expect_text="Submit scorecard")
        load.timed(b, "submit scorecard", "POST", url, self.form(page, "submit", self.trait_ids), expect_status=302)


def setup(app, per_thread: int) -> dict:
    """Give the generated people passwords, plan draft scorecards, and hand out disjoint work per thread."""
    with app.app_context():
        people = {
            role: db.session.scalars(
                db.select(User.email).where(User.role == role, User.active.is_(True)).order_by(User.id)
            ).all()
            for role in (Role.MANAGER, Role.INTERVIEWER)
        }
        interviewers = db.session.scalars(
            db.select(User).where(User.role == Role.INTERVIEWER, User.active.is_(True)).order_by(User.id)
        ).all()
        if not people[Role.MANAGER] or len(interviewers) < INTERVIEWER_THREADS:
            raise SystemExit("Too few generated managers or interviewers; run benchmarks.generate first.")
        # Prospects, so that every status change (to engaged) is a real change that writes a row.
        prospects = db.session.scalars(
            db.select(Candidate.id)
            .where(Candidate.status == PoolStatus.PROSPECT)
            .order_by(Candidate.id)
            .limit(per_thread * MANAGER_THREADS)
        ).all()
        template = db.session.scalars(db.select(ScorecardTemplate).where(ScorecardTemplate.is_current.is_(True))).one()
        trait_ids = [item.trait_id for item in template.items]
        cards = {interviewer.id: [] for interviewer in interviewers[:INTERVIEWER_THREADS]}
        newest = db.select(Candidate.id).order_by(Candidate.id.desc()).limit(per_thread)
        candidate_ids = db.session.scalars(newest).all()
        when = datetime.now(UTC) + timedelta(days=1)
        for interviewer_id, candidate_id in itertools.product(cards, candidate_ids):
            interview = Interview(
                candidate_id=candidate_id, kind=InterviewKind.BEHAVIOURAL, scheduled_at=when, template_id=template.id
            )
            interview.scorecards.append(
                Scorecard(interviewer_id=interviewer_id, candidate_id=candidate_id, template_id=template.id)
            )
            db.session.add(interview)
        db.session.flush()
        card_ids = {
            user_id: db.session.scalars(
                db.select(Scorecard.id)
                .where(Scorecard.interviewer_id == user_id, Scorecard.status == ScorecardStatus.DRAFT)
                .order_by(Scorecard.id)
            ).all()
            for user_id in cards
        }
        db.session.commit()
        emails = {user.id: user.email for user in interviewers}
        prompts = len(template.prompts)
        db.session.remove()
    server.set_passwords(app, people[Role.MANAGER] + list(emails.values()))
    return {
        "managers": people[Role.MANAGER],
        "prospects": [prospects[n::MANAGER_THREADS] for n in range(MANAGER_THREADS)],
        "interviewers": [(emails[user_id], ids) for user_id, ids in card_ids.items()],
        "trait_ids": trait_ids,
        "prompts": prompts,
    }


def written_rows(app, since: datetime, work: dict) -> dict[str, int]:
    """Count what the run wrote: touches, status changes, scorecards saved and submitted."""
    card_ids = [card_id for _, ids in work["interviewers"] for card_id in ids]
    with app.app_context():
        count = db.func.count
        rows = {
            "log a touch": db.session.scalar(
                db.select(count()).select_from(Touch).where(Touch.at >= since, Touch.summary.like("Load test call %"))
            ),
            "change status": db.session.scalar(
                db.select(count())
                .select_from(StatusChange)
                .where(StatusChange.at >= since, StatusChange.to_status == PoolStatus.ENGAGED)
            ),
            # Saved at least once (a draft or the submit), and submitted.
            "save scorecard draft": db.session.scalar(
                db.select(count(db.distinct(Rating.scorecard_id))).where(Rating.scorecard_id.in_(card_ids))
            ),
            "submit scorecard": db.session.scalar(
                db.select(count())
                .select_from(Scorecard)
                .where(Scorecard.id.in_(card_ids), Scorecard.status == ScorecardStatus.SUBMITTED)
            ),
        }
        db.session.remove()
    return rows


def run(args, env: dict[str, str], work: dict) -> tuple[server.Load, datetime]:
    """Start gunicorn, sign everyone in, and run the bounded mixed load."""
    with server.Gunicorn(env, args.workers) as gunicorn:
        scripts = []
        for number in range(MANAGER_THREADS):
            browser = server.Browser(gunicorn.port)
            browser.sign_in(work["managers"][number % len(work["managers"])])
            scripts.append(ManagerScript(browser, work["prospects"][number], seed=number))
        for number, (email, card_ids) in enumerate(work["interviewers"]):
            browser = server.Browser(gunicorn.port)
            browser.sign_in(email)
            scripts.append(InterviewerScript(browser, card_ids, work["trait_ids"], work["prompts"], seed=100 + number))
        # The workers stamp the rows with their own clock (the same machine's); a margin covers rounding.
        since = datetime.now(UTC) - timedelta(seconds=5)
        load = server.Load(args.requests, args.time_limit)
        load.run(scripts)
    return load, since


def print_table(kinds: dict[str, dict], overall: dict) -> None:
    """Print requests, errors, median and p95 per kind, then overall."""
    print(f"{'request':<22} {'count':>6} {'errors':>6} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for kind, figures in [*kinds.items(), ("all", overall)]:
        print(
            f"{kind:<22} {figures['requests']:>6} {figures['errors']:>6} {figures['median_ms']:>10} "
            f"{figures['p95_ms']:>8} {figures['max_ms']:>8}"
        )


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, prepare the database, run the load, check the writes and save the results."""
    parser = server.run_options(
        __doc__.split("\n")[0],
        n=20_000,
        requests=3000,
        time_limit=120,
        database="bench_load",
        check="exit 1 on any error or a write that did not land",
    )
    args = parser.parse_args(argv)

    env = server.scratch_env(args.database, server.scratch_instance(args.database))
    server.prepare_database(args.database, args.n, env, reuse=args.reuse)
    app = server.scratch_app(env)
    # Enough work for each thread whatever the budget: each manager round writes once per 4 requests,
    # each interviewer round once per 2.5.
    work = setup(app, per_thread=args.requests // 2 // (MANAGER_THREADS + INTERVIEWER_THREADS) + 10)
    load, since = run(args, env, work)

    kinds = {}
    for sample in load.samples:
        kinds.setdefault(sample.kind, []).append(sample)
    per_kind = {kind: server.summary(samples, load.seconds) for kind, samples in kinds.items()}
    overall = server.summary(load.samples, load.seconds)
    landed = written_rows(app, since, work)
    succeeded = {kind: per_kind.get(kind, {"requests": 0, "errors": 0}) for kind in WRITE_KINDS}
    succeeded = {kind: f["requests"] - f["errors"] for kind, f in succeeded.items()}
    writes_match = landed == succeeded
    results = {
        "benchmark": "mixed load",
        **server.run_facts(app, args.workers),
        "candidates": args.n,
        "manager_threads": MANAGER_THREADS,
        "interviewer_threads": INTERVIEWER_THREADS,
        "request_budget": args.requests,
        "time_limit_s": args.time_limit,
        "seconds": round(load.seconds, 2),
        "overall": overall,
        "per_kind": per_kind,
        "successful_writes": succeeded,
        "rows_written": landed,
        "writes_match": writes_match,
    }
    print(
        f"Mixed load on {results['database']}, {args.n:,} candidates, {args.workers} workers, "
        f"{MANAGER_THREADS} managers + {INTERVIEWER_THREADS} interviewers: {overall['requests']} requests "
        f"in {results['seconds']} s, {overall['requests_per_s']} requests/s"
    )
    print_table(per_kind, overall)
    print(f"Writes: {succeeded} succeeded; rows in the database: {landed} ({'match' if writes_match else 'MISMATCH'})")
    for error in overall["first_errors"]:
        print(f"  error: {error}")
    print(f"Results written to {server.save_results('load', results)}")
    if args.check and (overall["errors"] or not writes_match):
        sys.exit(1)


if __name__ == "__main__":
    main()
