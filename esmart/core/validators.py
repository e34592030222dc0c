"""Identifiers and numbers typed as text are ASCII digits (issue 20).

Python's `str.isdigit()`/`isdecimal()`, `int()` and a regex's `\\d` accept every Unicode digit:
Arabic-Indic "٠١٢", fullwidth "１２", superscript "²". An id, a phone number or a count is read
with these instead (and a regex anchored with `\\Z`, since `$` also matches before a final newline).
"""

from django.core.validators import RegexValidator

PHONE_NUMBER_MAX_DIGITS = 14
PHONE_NUMBER_MESSAGE = f"Only digits are allowed, at most {PHONE_NUMBER_MAX_DIGITS}."

# Every phone number the API or the admin stores (customers' phone and mobile, next of kin, care
# clients) and every serializer that takes one (esmart.api.fields.PhoneNumberField): 0-9, at most 14.
validate_phone_number = RegexValidator(rf"^[0-9]{{0,{PHONE_NUMBER_MAX_DIGITS}}}\Z", PHONE_NUMBER_MESSAGE)


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty string of the digits 0-9 only."""
    return text.isascii() and text.isdigit()
