"""Cells a spreadsheet would run as a formula, made plain text: the one rule for every
CSV and Excel file the academy writes (docs/security.md, "Formula neutralisation").

OWASP's CSV-injection advice: a cell that begins with = + - @, a tab or a carriage
return gets a leading apostrophe. Spreadsheets read more than those four: their
full-width and small forms (U+FF1D FULLWIDTH EQUALS SIGN and the like, which NFKC folds
to them) and a formula after leading spaces. So a cell is neutralised when it starts
with a tab, a carriage return or a line feed, or when its first character after any
whitespace is one that NFKC folds to = + - or @.

PostgreSQL writes big CSVs itself (COPY, academy.reports.exports); `neutralise_sql` is
the same rule as a regular expression built from the same characters, and a test holds
the two to the same answers."""

import sys
import unicodedata

CONTROL_STARTS = "\t\r\n"
# Every character NFKC folds to a formula sign, and every whitespace character a
# spreadsheet may skip before one: worked out from Unicode once, at import.
FORMULA_SIGNS = "".join(
    chr(point) for point in range(sys.maxunicode + 1)
    if unicodedata.normalize("NFKC", chr(point)) in {"=", "+", "-", "@"})
WHITESPACE = "".join(chr(point) for point in range(sys.maxunicode + 1) if chr(point).isspace())


def is_formula(value: str) -> bool:
    """Whether a spreadsheet could take this text for a formula."""
    return value.startswith(tuple(CONTROL_STARTS)) or (
        value.lstrip(WHITESPACE)[:1] in tuple(FORMULA_SIGNS))


def neutralise(value):
    """Text a spreadsheet could run gets a leading apostrophe, which makes it plain
    text; anything else (other text, numbers, dates) is returned as it is."""
    if isinstance(value, str) and is_formula(value):
        return "'" + value
    return value


def _bracket(characters: str) -> str:
    return "[" + "".join(f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
                         for c in characters) + "]"


# The same rule in PostgreSQL's regular expressions (character-entry escapes work
# inside brackets there).
FORMULA_PATTERN = (f"^({_bracket(CONTROL_STARTS)}|{_bracket(WHITESPACE)}*"
                   f"{_bracket(FORMULA_SIGNS)})")


def neutralise_sql(expression: str) -> tuple[str, list]:
    """`neutralise` over a text column in SQL, as (sql, parameters); an empty value is
    NULL, which COPY writes as an empty cell."""
    return (f"CASE WHEN {expression} ~ %s THEN '''' || {expression} "
            f"ELSE NULLIF({expression}, '') END", [FORMULA_PATTERN])
