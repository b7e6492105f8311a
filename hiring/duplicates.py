"""Finding candidates who may be the same person as a new or edited record."""

from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from sqlalchemy import or_
from sqlalchemy.orm import defer

from models import Candidate, db
from models.contact import fold

# Two names at the same company this similar (0..1) are probably one person
# ("Jon Smith" / "John Smith", "Ana Lopez" / "Ana López").
NAME_SIMILARITY = 0.85
# Candidates considered per look-up: a big company has many people with other names.
MAX_MATCHES = 200

# The matches are compared and listed, never shown in full: their long texts stay in the database.
LONG_TEXTS = defer(Candidate.notes), defer(Candidate.search_text), defer(Candidate.resume_text)

# Why two records look alike, in the words every screen uses.
SAME_EMAIL = "same e-mail"
SAME_PHONE = "same phone"
SAME_LINKEDIN = "same LinkedIn URL"
SIMILAR_NAME = "similar name at the same company"
REASONS = (SAME_EMAIL, SAME_PHONE, SAME_LINKEDIN, SIMILAR_NAME)


@dataclass(frozen=True)
class Match:
    """An existing candidate and why they look like the same person."""

    candidate: Candidate
    reasons: tuple[str, ...]


def name_similarity(a: str, b: str) -> float:
    """Return how alike two person names are, from 0 to 1, ignoring case, accents and word order."""
    a_words, b_words = fold(a).split(), fold(b).split()
    as_written = SequenceMatcher(None, " ".join(a_words), " ".join(b_words)).ratio()
    reordered = SequenceMatcher(None, " ".join(sorted(a_words)), " ".join(sorted(b_words))).ratio()
    return max(as_written, reordered)


def names_alike(a: str, b: str) -> bool:
    """Return True if ``name_similarity(a, b)`` reaches NAME_SIMILARITY, computing it only when it can.

    Both ratios compare the same letters, so the share of letters the names have in common bounds
    them from above (SequenceMatcher.quick_ratio): most names at one company fail that cheap test.
    """
    a_letters, a_length = letters_of(a)
    b_letters, b_length = letters_of(b)
    if a_length + b_length and 2 * (a_letters & b_letters).total() / (a_length + b_length) < NAME_SIMILARITY:
        return False
    return name_similarity(a, b) >= NAME_SIMILARITY


@lru_cache(maxsize=8_192)
def letters_of(name: str) -> tuple[Counter, int]:
    """The letters name_similarity compares in a name, counted, and their number.

    Counted once per name: a name is compared with everyone at its company, on every candidate
    page and for every imported row.
    """
    key = " ".join(fold(name).split())
    return Counter(key), len(key)


def reasons_between(a: Candidate, b: Candidate) -> tuple[str, ...]:
    """Return why two candidates look like the same person (empty if nothing matches)."""
    reasons = []
    if set(a.emails) & set(b.emails):
        reasons.append(SAME_EMAIL)
    if a.phone_normalized and a.phone_normalized == b.phone_normalized:
        reasons.append(SAME_PHONE)
    if a.linkedin_key and a.linkedin_key == b.linkedin_key:
        reasons.append(SAME_LINKEDIN)
    same_company = a.company and b.company and a.company.strip().lower() == b.company.strip().lower()
    if same_company and a.name and names_alike(a.name, b.name):
        reasons.append(SIMILAR_NAME)
    return tuple(reasons)


def find_duplicates(
    *,
    name: str | None = None,
    emails: list[str | None] = (),
    phone: str | None = None,
    linkedin_url: str | None = None,
    company: str | None = None,
    exclude_id: int | None = None,
) -> list[Match]:
    """Return existing candidates with the same e-mail, phone or LinkedIn URL, or a very similar name at one company."""
    addresses = [e for e in emails if e and e.strip()]
    # An unsaved record normalises the details exactly as a saved one would.
    probe = Candidate(
        name=name or "",
        email=addresses[0] if addresses else None,
        alt_email=addresses[1] if len(addresses) > 1 else None,
        phone=phone,
        linkedin_url=linkedin_url,
        company=company,
    )
    conditions = []
    if probe.emails:
        conditions += [Candidate.email.in_(probe.emails), Candidate.alt_email.in_(probe.emails)]
    if probe.phone_normalized:
        conditions.append(Candidate.phone_normalized == probe.phone_normalized)
    if probe.linkedin_key:
        conditions.append(Candidate.linkedin_key == probe.linkedin_key)
    if name and company and company.strip():
        # Names at a big company are many and rarely alike: compare them from (id, name) rows, and
        # load as records only the few that are alike.
        alike = [other_id for other_id, other in company_names(company, exclude_id) if names_alike(name, other)]
        if alike:
            conditions.append(Candidate.id.in_(alike))
    if not conditions:
        return []
    query = db.select(Candidate).options(*LONG_TEXTS).where(or_(*conditions)).order_by(Candidate.id).limit(MAX_MATCHES)
    if exclude_id is not None:
        query = query.where(Candidate.id != exclude_id)
    matches = []
    for candidate in db.session.scalars(query):
        reasons = reasons_between(probe, candidate)
        if reasons:
            matches.append(Match(candidate, reasons))
    return matches


def company_names(company: str, exclude_id: int | None) -> list[tuple[int, str]]:
    """Return (id, name) of up to MAX_MATCHES candidates at ``company``, in its usual spellings."""
    # The usual spellings, so the look-up can use the column's index (lower() would scan the whole
    # pool on every candidate page).
    spelled = company.strip()
    query = (
        db.select(Candidate.id, Candidate.name)
        .where(Candidate.company.in_({spelled, spelled.lower(), spelled.title(), spelled.upper()}))
        .order_by(Candidate.id)
        .limit(MAX_MATCHES)
    )
    if exclude_id is not None:
        query = query.where(Candidate.id != exclude_id)
    return list(db.session.execute(query).tuples())


def duplicates_of(candidate: Candidate) -> list[Match]:
    """Return the other candidates that look like ``candidate``."""
    return find_duplicates(
        name=candidate.name,
        emails=candidate.emails,
        phone=candidate.phone,
        linkedin_url=candidate.linkedin_url,
        company=candidate.company,
        exclude_id=candidate.id,
    )
