"""Text that a spreadsheet would run as a formula is written as plain text."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value):
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)
