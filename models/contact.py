"""Normal forms of contact details, used to match the same person across records."""

import re
import unicodedata

import phonenumbers

# Region assumed for phone numbers written without a country code; the app
# sets it from the DEFAULT_PHONE_REGION setting at start-up.
default_phone_region = "US"


def normalize_phone(phone: str | None) -> str | None:
    """Return the number in E.164 form (+14155550100), or its digits if it cannot be parsed."""
    if not phone or not phone.strip():
        return None
    phone = phone.strip()
    if phone.startswith("00"):  # the international prefix of most of the world, written out
        phone = "+" + phone[2:]
    try:
        number = phonenumbers.parse(phone, default_phone_region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = re.sub(r"\D", "", phone)
    return digits or None


def normalize_linkedin(url: str | None) -> str | None:
    """Return a LinkedIn profile URL as ``linkedin.com/in/<slug>``; other URLs lowercased without scheme."""
    if not url or not url.strip():
        return None
    value = url.strip().lower()
    value = re.sub(r"^[a-z]+://", "", value)
    value = re.sub(r"^(www\.|[a-z]{2}\.)(?=linkedin\.com)", "", value)
    value = value.split("?")[0].split("#")[0].rstrip("/")
    return value or None


def fold(text: str) -> str:
    """Return lowercase text without accents, for matching names and search words."""
    if text.isascii():  # nothing to decompose: most text, and a large share of an import's time
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def search_words(text: str) -> list[str]:
    """Split text into the folded words that search indexes and queries use."""
    return re.findall(r"\w+", fold(text))
