"""The API's read endpoints for openings, scorecards, rankings and shortlists.

Each one answers what the matching page shows, to the same people: openings, rankings and
shortlists to managers and admins (shortlists only to their owner, the managers they are shared
with, and admins), scorecards under the pages' independence rule. Self-identification (EEO)
answers appear nowhere.
"""

from datetime import date, datetime
from decimal import Decimal

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy.orm import joinedload, selectinload

from hiring.access import allow, signed_in
from hiring.api import DEFAULT_PER_PAGE, MAX_ID, MAX_PAGE, MAX_PER_PAGE, ApiError, bp, check_id, envelope, paging
from hiring.candidates import POOL_ROLES
from hiring.export_columns import (
    UnknownColumns,
    available_columns,
    default_keys,
    load_rows,
    pick_columns,
    shortlist_ids,
    values,
)
from hiring.exports import export_response, record_export, slug
from hiring.ranking import active_version, ranker_problem, ranking_query
from hiring.scorecards import visible_scorecards
from hiring.shortlists import entries_of, visible_or_404, visible_to
from models import (
    Application,
    Candidate,
    CandidateScore,
    Certainty,
    InterviewKind,
    Opening,
    OpeningStatus,
    Recommendation,
    Role,
    Scorecard,
    ScorecardStatus,
    Segment,
    Shortlist,
    ShortlistEntry,
    Tier,
    db,
)

EXPORT_FORMATS = ("json", "csv")


# Query parameters and envelopes ---------------------------------------------------------


def when(value: datetime | date | None) -> str | None:
    """A date or an aware UTC time as ISO 8601 text."""
    return value.isoformat() if value is not None else None


def person(user) -> dict | None:
    """A user as the API names them: id and name (no e-mail, no role)."""
    return {"id": user.id, "name": user.name} if user is not None else None


def candidate_or_404(candidate_id: int) -> Candidate:
    """The candidate, or ApiError 404."""
    candidate = db.session.get(Candidate, check_id(candidate_id, "candidate"))
    if candidate is None:
        raise ApiError(404, "There is no candidate with this id.")
    return candidate


def opening_or_404(opening_id: int) -> Opening:
    """The opening, or ApiError 404."""
    opening = db.session.get(Opening, check_id(opening_id, "opening"))
    if opening is None:
        raise ApiError(404, "There is no opening with this id.")
    return opening


# Openings ----------------------------------------------------------------------------------


def stage_counts(opening_ids: list[int]) -> dict[int, dict[str, int]]:
    """How many candidates each opening has at each stage, in one query."""
    counts: dict[int, dict[str, int]] = {opening_id: {} for opening_id in opening_ids}
    rows = db.session.execute(
        db.select(Application.opening_id, Application.stage, func.count())
        .where(Application.opening_id.in_(opening_ids))
        .group_by(Application.opening_id, Application.stage)
    )
    for opening_id, stage, count in rows:
        counts[opening_id][stage] = count
    return counts


def opening_json(opening: Opening, counts: dict[str, int]) -> dict:
    """An opening with its candidates per stage (its stages in order, then any stage no longer listed)."""
    by_stage = {stage: counts.get(stage, 0) for stage in opening.stages}
    by_stage.update({stage: count for stage, count in counts.items() if stage not in by_stage})
    return {
        "id": opening.id,
        "title": opening.title,
        "territory": opening.territory,
        "segment": opening.segment.value if opening.segment else None,
        "headcount": opening.headcount,
        "status": opening.status.value,
        "stages": list(opening.stages),
        "hiring_manager_id": opening.hiring_manager_id,
        "candidates_by_stage": by_stage,
        "candidates_total": sum(counts.values()),
        "created_at": when(opening.created_at),
        "updated_at": when(opening.updated_at),
    }


@bp.get("/openings")
@allow(*POOL_ROLES)
def openings():
    """Openings by status and title, optionally of one status, a page at a time."""
    page, per_page = paging()
    query = db.select(Opening).order_by(Opening.status, Opening.title, Opening.id)
    status = request.args.get("status")
    if status is not None:
        if status not in {choice.value for choice in OpeningStatus}:
            choices = ", ".join(choice.value for choice in OpeningStatus)
            raise ApiError(400, "The query parameter status is not valid.", {"status": [f"Must be one of {choices}."]})
        query = query.where(Opening.status == OpeningStatus(status))
    found = db.paginate(query, page=page, per_page=per_page, max_per_page=MAX_PER_PAGE, error_out=False)
    counts = stage_counts([opening.id for opening in found.items])
    items = [opening_json(opening, counts[opening.id]) for opening in found.items]
    return jsonify(envelope(items, page, per_page, found.total))


@bp.get("/openings/<int:opening_id>")
@allow(*POOL_ROLES)
def opening(opening_id: int):
    """One opening with its stages and how many candidates are at each."""
    found = opening_or_404(opening_id)
    return jsonify(opening_json(found, stage_counts([found.id])[found.id]))


# Scorecards --------------------------------------------------------------------------------


def interviews_candidate(candidate_id: int, user) -> bool:
    """True if ``user`` is an interviewer of one of the candidate's interviews (has a scorecard for them)."""
    query = db.select(Scorecard.id).where(Scorecard.candidate_id == candidate_id, Scorecard.interviewer_id == user.id)
    return db.session.scalar(query.limit(1)) is not None


def scorecard_json(card: Scorecard) -> dict:
    """A submitted scorecard: who, when, the call, each trait's rating and note (template order), the answers."""
    order = {item.trait_id: item.position for item in card.template.items}
    ratings = sorted(card.ratings, key=lambda r: (order.get(r.trait_id, len(order)), r.trait_id))
    return {
        "id": card.id,
        "interview_id": card.interview_id,
        "interview_kind": card.interview.kind.value,
        "opening_id": card.interview.opening_id,
        "interviewer": person(card.interviewer),
        "submitted_at": when(card.submitted_at),
        "revision": card.revision,
        "recommendation": card.recommendation.value if card.recommendation else None,
        "ratings": [
            {"trait_key": r.trait.key, "trait": r.trait.name, "score": r.score, "note": r.note} for r in ratings
        ],
        "answers": [{"prompt": prompt, "answer": card.answers.get(prompt, "")} for prompt in card.template.prompts],
    }


@bp.get("/candidates/<int:candidate_id>/scorecards")
@signed_in
def scorecards(candidate_id: int):
    """A candidate's submitted scorecards, as the pages show them (interviewers: after submitting their own)."""
    page, per_page = paging()
    check_id(candidate_id, "candidate")
    if current_user.role == Role.INTERVIEWER and not interviews_candidate(candidate_id, current_user):
        # As for a page they cannot open: an interviewer learns nothing about candidates they do not interview,
        # not even whether the id exists (checked first, so an unknown id gets this same answer).
        raise ApiError(404, "There is no candidate with this id among those you interview.")
    candidate_or_404(candidate_id)
    cards = visible_scorecards(candidate_id, current_user)
    withheld = current_user.role == Role.INTERVIEWER and not cards
    start = (page - 1) * per_page
    items = [scorecard_json(card) for card in cards[start : start + per_page]]
    return jsonify(envelope(items, page, per_page, len(cards), withheld=withheld))


# Ranking -----------------------------------------------------------------------------------


def ranking_json(candidate: Candidate, fit: CandidateScore) -> dict:
    """A candidate's stored fit: tier, probabilities, score, certainty, reasons and the model that gave it."""
    return {
        "candidate_id": candidate.id,
        "candidate_name": candidate.name,
        "predicted_tier": fit.predicted_tier.value,
        "p_a": fit.p_a,
        "p_b": fit.p_b,
        "p_c": fit.p_c,
        "score": fit.score,
        "certainty": fit.certainty.value,
        "interviews": fit.interviews,
        "reasons": {
            "up": [reason_json(reason) for reason in fit.reasons.get("up", [])],
            "down": [reason_json(reason) for reason in fit.reasons.get("down", [])],
            "certainty": list(fit.reasons.get("certainty", [])),
        },
        "model_version": fit.model_version.number,
        "computed_at": when(fit.computed_at),
    }


def reason_json(reason: dict) -> dict:
    """One stored reason: the trait key, its label, its effect in points and the value it came from."""
    return {key: reason.get(key) for key in ("key", "label", "effect", "value")}


def why_unscored(candidate_id: int) -> str:
    """Why a candidate has no fit, as the candidate page says it."""
    interviewed = db.session.scalar(
        db.select(
            db.exists().where(Scorecard.candidate_id == candidate_id, Scorecard.status == ScorecardStatus.SUBMITTED)
        )
    )
    if not interviewed:
        return "This candidate has no fit yet: nobody has submitted a scorecard for them."
    problem = ranker_problem(active_version())
    if problem:
        return f"This candidate was interviewed but has no fit. {problem}"
    return "This candidate was interviewed but has not been scored yet."


@bp.get("/candidates/<int:candidate_id>/ranking")
@allow(*POOL_ROLES)
def candidate_ranking(candidate_id: int):
    """A candidate's stored fit, or 404 saying why there is none."""
    candidate = candidate_or_404(candidate_id)
    fit = db.session.scalar(
        db.select(CandidateScore)
        .options(joinedload(CandidateScore.model_version))
        .where(CandidateScore.candidate_id == candidate_id)
    )
    if fit is None:
        raise ApiError(404, why_unscored(candidate_id))
    return jsonify(ranking_json(candidate, fit))


@bp.get("/openings/<int:opening_id>/ranking")
@allow(*POOL_ROLES)
def opening_ranking(opening_id: int):
    """An opening's scored candidates, best first, a page at a time, and how many are not scored."""
    page, per_page = paging()
    opening_or_404(opening_id)
    query = ranking_query(opening_id)
    ids = query.with_only_columns(Candidate.id).order_by(None).subquery()
    scored = db.session.scalar(db.select(func.count()).select_from(ids))
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    candidates = db.session.scalar(db.select(func.count()).where(Application.opening_id == opening_id))
    items = [ranking_json(candidate, fit) for candidate, fit in rows]
    return jsonify(envelope(items, page, per_page, scored, unscored=candidates - scored))


# Shortlists --------------------------------------------------------------------------------


def sizes_of(shortlist_ids_: list[int]) -> dict[int, int]:
    """How many candidates each list holds, in one query."""
    rows = db.session.execute(
        db.select(ShortlistEntry.shortlist_id, func.count())
        .where(ShortlistEntry.shortlist_id.in_(shortlist_ids_))
        .group_by(ShortlistEntry.shortlist_id)
    )
    return dict(rows.all())


def shortlist_json(shortlist: Shortlist, size: int) -> dict:
    """A shortlist without its entries: name, opening, owner, who it is shared with, size."""
    return {
        "id": shortlist.id,
        "name": shortlist.name,
        "description": shortlist.description or "",
        "opening_id": shortlist.opening_id,
        "owner": person(shortlist.owner),
        "shared_with": [person(user) for user in shortlist.shared_with],
        "size": size,
        "created_at": when(shortlist.created_at),
        "updated_at": when(shortlist.updated_at),
    }


@bp.get("/shortlists")
@allow(*POOL_ROLES)
def shortlists():
    """The lists the token's user owns or shares (admins: all), most recently changed first."""
    page, per_page = paging()
    query = (
        db.select(Shortlist)
        .where(visible_to(current_user))
        .options(joinedload(Shortlist.owner), selectinload(Shortlist.shared_with))
        .order_by(Shortlist.updated_at.desc(), Shortlist.id.desc())
    )
    found = db.paginate(query, page=page, per_page=per_page, max_per_page=MAX_PER_PAGE, error_out=False)
    sizes = sizes_of([shortlist.id for shortlist in found.items])
    items = [shortlist_json(shortlist, sizes.get(shortlist.id, 0)) for shortlist in found.items]
    return jsonify(envelope(items, page, per_page, found.total))


@bp.get("/shortlists/<int:shortlist_id>")
@allow(*POOL_ROLES)
def shortlist(shortlist_id: int):
    """One list with its entries in order: position, candidate, comment, who added them and when."""
    found = visible_or_404(check_id(shortlist_id, "shortlist"))
    entries = entries_of(found.id)
    body = shortlist_json(found, len(entries))
    body["entries"] = [
        {
            "id": entry.id,
            "position": entry.position,
            "candidate_id": entry.candidate_id,
            "candidate_name": entry.candidate.name,
            "comment": entry.comment or "",
            "added_by": person(entry.added_by),
            "added_at": when(entry.added_at),
        }
        for entry in entries
    ]
    return jsonify(body)


def json_value(value):
    """An export cell as JSON: numbers as numbers, dates and times as ISO 8601, text as it is."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def export_choice():
    """The export's format and columns from the query string, or ApiError 400 naming what is wrong."""
    fmt = request.args.get("format", "json")
    if fmt not in EXPORT_FORMATS:
        raise ApiError(400, "The query parameter format is not valid.", {"format": ["Must be json or csv."]})
    available = available_columns(shortlist=True)
    keys = request.args.getlist("columns") or default_keys(available)
    try:
        return fmt, pick_columns(keys, available)
    except UnknownColumns as error:
        raise ApiError(400, str(error), {"columns": [f"Unknown column: {key}" for key in error.keys]}) from error


@bp.get("/shortlists/<int:shortlist_id>/export")
@allow(*POOL_ROLES)
def shortlist_export(shortlist_id: int):
    """A list's candidates in its order with the chosen columns, as JSON or a CSV attachment; audited."""
    found = visible_or_404(check_id(shortlist_id, "shortlist"))
    fmt, columns = export_choice()
    ids, entries = shortlist_ids(found)
    record_export(found, fmt, len(ids), columns)
    db.session.commit()
    if fmt == "csv":
        # The pages' writer: streamed, with a BOM, formula-like cells neutralised.
        filename = f"shortlist-{slug(found.name)}-{date.today()}"
        return export_response("csv", columns, ids, filename, found.name, {}, entries)
    rows = values(load_rows(ids, columns, entries), columns)
    keys = [column.key for column in columns]
    return jsonify(
        {
            "columns": [{"key": column.key, "label": column.label} for column in columns],
            "rows": [dict(zip(keys, map(json_value, row), strict=True)) for row in rows],
        }
    )


# OpenAPI -------------------------------------------------------------------------------------

ERROR = {"$ref": "#/components/schemas/Error"}
TIME = {"type": "string", "format": "date-time"}
MAYBE_TIME = {"type": ["string", "null"], "format": "date-time"}
PERSON = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "additionalProperties": False,
}
MAYBE_PERSON = {"oneOf": [PERSON, {"type": "null"}]}
ERROR_TEXT = {
    400: "A query parameter is not valid; `fields` names it.",
    401: "No token, or a token that is not valid.",
    403: "The token's user may not do this.",
    404: "No such record, or not one the token's user may see.",
    429: "Too many requests with this token; try again later.",
}


def error_responses(*statuses: int) -> dict:
    """The error responses of an operation, each with the Error body."""
    return {
        str(status): {"description": ERROR_TEXT[status], "content": {"application/json": {"schema": ERROR}}}
        for status in statuses
    }


def ok(description: str, schema: str) -> dict:
    """A 200 response with a JSON body of a named schema."""
    schema_ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"200": {"description": description, "content": {"application/json": {"schema": schema_ref}}}}


def path_id(name: str, what: str) -> dict:
    """An integer id in the path."""
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    return {"name": name, "in": "path", "required": True, "description": f"The {what}'s id.", "schema": schema}


PAGING = [
    {"name": "page", "in": "query", "required": False, "description": "The page, from 1.",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
    {"name": "per_page", "in": "query", "required": False, "description": "Items per page.",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}},
]  # fmt: skip


def listing(item: str, **extra) -> dict:
    """The schema of a list response: items of a named schema, page, per_page, total (and ``extra``)."""
    properties = {
        "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
        "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "total": {"type": "integer", "minimum": 0},
        **extra,
    }
    return {"type": "object", "required": list(properties), "properties": properties, "additionalProperties": False}


def closed(properties: dict, **more) -> dict:
    """An object schema whose every listed property is always present, and nothing else."""
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
        **more,
    }


REASON = closed(
    {
        "key": {"type": ["string", "null"]},
        "label": {"type": ["string", "null"]},
        "effect": {"type": ["number", "null"], "description": "Points this reason moved the fit score."},
        "value": {"description": "The candidate's value behind the reason (number, text or null)."},
    }
)
SHORTLIST = {
    "id": {"type": "integer"},
    "name": {"type": "string"},
    "description": {"type": "string"},
    "opening_id": {"type": ["integer", "null"]},
    "owner": PERSON,
    "shared_with": {"type": "array", "items": PERSON},
    "size": {"type": "integer", "minimum": 0},
    "created_at": TIME,
    "updated_at": TIME,
}
EXPORT_CELL = {"type": ["string", "number", "boolean", "null"]}

OPENAPI_SCHEMAS = {
    "Opening": closed(
        {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "territory": {"type": ["string", "null"]},
            "segment": {"enum": [*(choice.value for choice in Segment), None]},
            "headcount": {"type": "integer"},
            "status": {"enum": [choice.value for choice in OpeningStatus]},
            "stages": {"type": "array", "items": {"type": "string"}},
            "hiring_manager_id": {"type": ["integer", "null"]},
            "candidates_by_stage": {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 0},
                "description": "Candidates at each stage: the opening's stages in order (0 when empty).",
            },
            "candidates_total": {"type": "integer", "minimum": 0},
            "created_at": TIME,
            "updated_at": TIME,
        },
        description="A role to fill, with how many candidates are at each of its stages.",
    ),
    "OpeningList": listing("Opening"),
    "Scorecard": closed(
        {
            "id": {"type": "integer"},
            "interview_id": {"type": "integer"},
            "interview_kind": {"enum": [choice.value for choice in InterviewKind]},
            "opening_id": {"type": ["integer", "null"]},
            "interviewer": PERSON,
            "submitted_at": MAYBE_TIME,
            "revision": {"type": "integer", "minimum": 0, "description": "0 until a submitted card is revised."},
            "recommendation": {"enum": [*(choice.value for choice in Recommendation), None]},
            "ratings": {
                "type": "array",
                "items": closed(
                    {
                        "trait_key": {"type": "string"},
                        "trait": {"type": "string"},
                        "score": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
                        "note": {"type": "string"},
                    }
                ),
            },
            "answers": {
                "type": "array",
                "items": closed({"prompt": {"type": "string"}, "answer": {"type": "string"}}),
            },
        },
        description="A submitted scorecard.",
    ),
    "ScorecardList": listing(
        "Scorecard",
        withheld={
            "type": "boolean",
            "description": "True when an interviewer sees none because they have not submitted their own yet.",
        },
    ),
    "Ranking": closed(
        {
            "candidate_id": {"type": "integer"},
            "candidate_name": {"type": "string"},
            "predicted_tier": {"enum": [choice.value for choice in Tier]},
            "p_a": {"type": "number", "minimum": 0, "maximum": 1},
            "p_b": {"type": "number", "minimum": 0, "maximum": 1},
            "p_c": {"type": "number", "minimum": 0, "maximum": 1},
            "score": {"type": "number", "description": "Expected fit, 0-100."},
            "certainty": {"enum": [choice.value for choice in Certainty]},
            "interviews": {"type": "integer", "minimum": 0},
            "reasons": closed(
                {
                    "up": {"type": "array", "items": REASON},
                    "down": {"type": "array", "items": REASON},
                    "certainty": {"type": "array", "items": {"type": "string"}},
                }
            ),
            "model_version": {"type": "integer", "description": "The number of the model version."},
            "computed_at": TIME,
        },
        description="A candidate's stored fit from the fit model.",
    ),
    "RankingList": listing(
        "Ranking",
        unscored={"type": "integer", "minimum": 0, "description": "The opening's candidates without a fit."},
    ),
    "ShortlistSummary": closed(
        SHORTLIST,
        description="A shortlist without its entries.",
    ),
    "ShortlistList": listing("ShortlistSummary"),
    "ShortlistEntry": closed(
        {
            "id": {"type": "integer"},
            "position": {"type": "integer", "minimum": 1},
            "candidate_id": {"type": "integer"},
            "candidate_name": {"type": "string"},
            "comment": {"type": "string"},
            "added_by": MAYBE_PERSON,
            "added_at": TIME,
        }
    ),
    "Shortlist": closed(
        SHORTLIST | {"entries": {"type": "array", "items": {"$ref": "#/components/schemas/ShortlistEntry"}}},
        description="A shortlist with its entries in order.",
    ),
    "ShortlistExport": closed(
        {
            "columns": {
                "type": "array",
                "items": closed({"key": {"type": "string"}, "label": {"type": "string"}}),
            },
            "rows": {
                "type": "array",
                "items": {"type": "object", "additionalProperties": EXPORT_CELL},
                "description": "One object per candidate in the list's order, keyed by column key.",
            },
        },
        description="A shortlist's export as JSON.",
    ),
}

MANAGERS = "Managers and admins."
OPENAPI_PATHS = {
    "/openings": {
        "get": {
            "operationId": "listOpenings",
            "tags": ["openings"],
            "summary": "List openings",
            "description": f"Openings by status, then title. {MANAGERS}",
            "parameters": [
                {
                    "name": "status",
                    "in": "query",
                    "required": False,
                    "description": "Only openings of this status.",
                    "schema": {"enum": [choice.value for choice in OpeningStatus]},
                },
                *PAGING,
            ],  # fmt: skip
            "responses": {**ok("A page of openings.", "OpeningList"), **error_responses(400, 401, 403, 429)},
        }
    },
    "/openings/{opening_id}": {
        "get": {
            "operationId": "getOpening",
            "tags": ["openings"],
            "summary": "Get an opening",
            "description": f"One opening with its stages and candidate counts per stage. {MANAGERS}",
            "parameters": [path_id("opening_id", "opening")],
            "responses": {**ok("The opening.", "Opening"), **error_responses(401, 403, 404, 429)},
        }
    },
    "/openings/{opening_id}/ranking": {
        "get": {
            "operationId": "getOpeningRanking",
            "tags": ["ranking"],
            "summary": "Rank an opening's candidates",
            "description": f"The opening's scored candidates, best fit first, and how many are unscored. {MANAGERS}",
            "parameters": [path_id("opening_id", "opening"), *PAGING],
            "responses": {**ok("A page of the ranking.", "RankingList"), **error_responses(400, 401, 403, 404, 429)},
        }
    },
    "/candidates/{candidate_id}/scorecards": {
        "get": {
            "operationId": "listScorecards",
            "tags": ["scorecards"],
            "summary": "List a candidate's submitted scorecards",
            "description": (
                "Submitted scorecards, oldest first. Managers and admins see all. An interviewer sees none "
                "(`withheld`: true) until they have submitted their own for this candidate, and gets 404 for a "
                "candidate they do not interview."
            ),
            "parameters": [path_id("candidate_id", "candidate"), *PAGING],
            "responses": {**ok("A page of scorecards.", "ScorecardList"), **error_responses(400, 401, 404, 429)},
        }
    },
    "/candidates/{candidate_id}/ranking": {
        "get": {
            "operationId": "getCandidateRanking",
            "tags": ["ranking"],
            "summary": "Get a candidate's fit",
            "description": (
                "The stored fit of the active model. 404 says why there is none: not interviewed, no model, "
                f"or not scored yet. {MANAGERS}"
            ),
            "parameters": [path_id("candidate_id", "candidate")],
            "responses": {**ok("The candidate's fit.", "Ranking"), **error_responses(401, 403, 404, 429)},
        }
    },
    "/shortlists": {
        "get": {
            "operationId": "listShortlists",
            "tags": ["shortlists"],
            "summary": "List shortlists",
            "description": "Lists the user owns or that are shared with them (admins: all), latest change first.",
            "parameters": PAGING,
            "responses": {**ok("A page of shortlists.", "ShortlistList"), **error_responses(400, 401, 403, 429)},
        }
    },
    "/shortlists/{shortlist_id}": {
        "get": {
            "operationId": "getShortlist",
            "tags": ["shortlists"],
            "summary": "Get a shortlist",
            "description": "A list with its entries in order (owner, managers it is shared with, admins).",
            "parameters": [path_id("shortlist_id", "shortlist")],
            "responses": {**ok("The shortlist.", "Shortlist"), **error_responses(401, 403, 404, 429)},
        }
    },
    "/shortlists/{shortlist_id}/export": {
        "get": {
            "operationId": "exportShortlist",
            "tags": ["shortlists"],
            "summary": "Export a shortlist",
            "description": (
                "The list's candidates in its order with the chosen columns (the export page's column keys; "
                "default: the columns ticked there), as JSON or as a CSV attachment whose cells a spreadsheet "
                "will not run as formulas. Each export is audited."
            ),
            "parameters": [
                path_id("shortlist_id", "shortlist"),
                {
                    "name": "format",
                    "in": "query",
                    "required": False,
                    "schema": {"enum": list(EXPORT_FORMATS), "default": "json"},
                },
                {
                    "name": "columns",
                    "in": "query",
                    "required": False,
                    "style": "form",
                    "explode": True,
                    "description": "Column keys, repeated: columns=name&columns=email.",
                    "schema": {"type": "array", "items": {"type": "string"}},
                },
            ],  # fmt: skip
            "responses": {
                "200": {
                    "description": "The export.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ShortlistExport"}},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                    "headers": {
                        "Content-Disposition": {
                            "description": 'For CSV: attachment; filename="shortlist-<name>-<date>.csv".',
                            "schema": {"type": "string"},
                        }
                    },
                },
                **error_responses(400, 401, 403, 404, 429),
            },
        }
    },
}
