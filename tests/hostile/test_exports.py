"""Exports of stored hostile values: no CSV or XLSX cell is ever a formula a spreadsheet would run."""

from hypothesis import given
from hypothesis import strategies as st

from tests.factories import make_candidate
from tests.hostile.payloads import (
    CONTROL_CHARACTERS,
    FORMULA_PAYLOADS,
    assert_exports_neutralised,
    examples,
    random_text,
)

# What comes before a formula in a stored value: nothing, or a character the export drops or keeps.
PREFIXES = ["", "\x01", "\x08", "\x1b", "\u202e", "\ufeff", " ", *CONTROL_CHARACTERS]


def storable(text: str, limit: int) -> str:
    """The value as a database column takes it: no NUL (PostgreSQL refuses it), at most ``limit`` characters."""
    return text.replace("\x00", "")[:limit]


def test_stored_formula_payloads_are_neutralised_in_csv_and_xlsx(world):
    """Candidates whose fields start with formula payloads (behind control characters) export as plain text."""
    value = st.builds(lambda prefix, formula, tail: prefix + formula + tail,
                      st.sampled_from(PREFIXES), st.sampled_from(FORMULA_PAYLOADS), random_text)  # fmt: skip

    @examples(25)
    @given(name=value, company=value, notes=value, tag=value)
    def run(name, company, notes, tag):
        with world.app.app_context():
            make_candidate(
                name=storable(name, 200), company=storable(company, 200), notes=storable(notes, 20000),
                title=storable(tag, 200), tags=[storable(tag, 60).strip() or "t"],
            )  # fmt: skip

    run()
    assert_exports_neutralised(world.manager)
