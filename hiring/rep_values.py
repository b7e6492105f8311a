"""Checks shared by the rep pages and the hires/outcomes imports: periods, amounts and hire dates.

Each check raises ValueError with a message written for the person who typed
the value, so the form and the CSV import say the same thing in the same words.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

PERIOD_FORMAT = re.compile(r"(\d{4})-(\d{2})")
AMOUNT_FORMAT = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")
# PeriodResult.quota and .booked are NUMERIC(14, 2).
MAX_AMOUNT = Decimal("999999999999.99")
AMOUNT_DECIMALS = 2


def shown(value: str) -> str:
    """Return a value quoted for a message, shortened if long."""
    return f"“{value[:20]}…”" if len(value) > 20 else f"“{value}”"


def parse_period(raw: str) -> str:
    """Return the period written as YYYY-MM, or raise ValueError."""
    match = PERIOD_FORMAT.fullmatch(raw.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise ValueError(f"{shown(raw)} is not a month. Write it as YYYY-MM (for example 2025-03).")
    return match.group(0)


def month_of(day: date) -> str:
    """Return the period (YYYY-MM) a date falls in."""
    return f"{day:%Y-%m}"


def check_period(period: str, hired_on: date, left_on: date | None, today: date | None = None) -> None:
    """Refuse a period before the hire month, after the month the rep left, or in the future."""
    if period < month_of(hired_on):
        raise ValueError(f"{period} is before the rep was hired ({hired_on.isoformat()}).")
    if left_on is not None and period > month_of(left_on):
        raise ValueError(f"{period} is after the rep left ({left_on.isoformat()}).")
    check_month_started(period, today)


def check_month_started(period: str, today: date | None = None) -> None:
    """Refuse a month that has not started yet."""
    if period > month_of(today or date.today()):
        raise ValueError(f"{period} is in the future. Enter results of months that have started.")


def parse_amount(raw: str, what: str, *, positive: bool = False) -> Decimal:
    """Return an amount with at most 2 decimals; ``positive`` refuses 0, else negatives are refused.

    ``what`` names the value in messages ("quota", "booked").
    """
    text = raw.strip()
    if "," in text:
        raise ValueError(
            f"{shown(raw)} has a comma. Write the {what} without thousands separators and with a dot for "
            "decimals, e.g. 12500.50."
        )
    if not AMOUNT_FORMAT.fullmatch(text):
        raise ValueError(f"{shown(raw)} is not a number. Write the {what} like 12500 or 12500.50.")
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise ValueError(f"{shown(raw)} is not a number.") from None
    if -amount.as_tuple().exponent > AMOUNT_DECIMALS:
        raise ValueError(f"{shown(raw)} has more than {AMOUNT_DECIMALS} decimals.")
    if positive and amount <= 0:
        raise ValueError(f"The {what} must be more than 0.")
    if amount < 0:
        raise ValueError(f"The {what} cannot be negative.")
    if amount > MAX_AMOUNT:
        raise ValueError(f"{shown(raw)} is too large: the most is {MAX_AMOUNT:,}.")
    return amount


def check_not_future(day: date, today: date | None = None) -> None:
    """Refuse a date after today."""
    if day > (today or date.today()):
        raise ValueError(f"{day.isoformat()} is in the future.")


def check_left_on(hired_on: date | None, left_on: date | None) -> None:
    """Refuse a leaving date before the hire date."""
    if hired_on is not None and left_on is not None and left_on < hired_on:
        raise ValueError(f"The rep cannot leave ({left_on.isoformat()}) before being hired ({hired_on.isoformat()}).")
