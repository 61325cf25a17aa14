"""The 18-character unified social credit code (统一社会信用代码, GB 32100-2015): check digit and validation.

Layout, positions counted from 1:

    1      registration authority code (登记管理部门码), e.g. 9 = market regulation (工商)
    2      organisation type within that authority (机构类别码), e.g. 1 = enterprise
    3-8    registration region, the 6-digit GB/T 2260 administrative-division code
    9-17   organisation code (主体标识码, the former 组织机构代码)
    18     check character over positions 1-17

Characters come from a 31-letter set (digits and capitals without I, O, Z, S, V); a character's value is its index.
The check is ``31 - (sum(value(c_i) * w_i for i in 1..17) mod 31)``, where 31 maps back to 0.

Validation is strict: callers normalise (strip, upper-case) before they ask, so the row-level report can say
exactly what was wrong with the value as received.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "CHARSET",
    "WEIGHTS",
    "CreditCodeParts",
    "check_char",
    "parse_credit_code",
    "validate_credit_code",
]

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(CHARSET)}
_LENGTH = 18


class CreditCodeParts(NamedTuple):
    """A valid code cut into its fields (positions 1, 2, 3-8, 9-17, 18)."""

    registration_authority: str
    organisation_type: str
    region_code: str
    organisation_code: str
    check: str


def check_char(first17: str) -> str:
    """The check character (position 18) for the first 17 characters; ValueError if they are not 17 legal ones."""
    if len(first17) != _LENGTH - 1:
        raise ValueError(f"need 17 characters, got {len(first17)}")
    total = 0
    for position, (char, weight) in enumerate(zip(first17, WEIGHTS, strict=True), start=1):
        value = _VALUE.get(char)
        if value is None:
            raise ValueError(f"illegal character {char!r} at position {position}")
        total += value * weight
    return CHARSET[(31 - total % 31) % 31]


def validate_credit_code(code: str) -> str | None:
    """None when ``code`` is a well-formed credit code with the right check character, else a short reason."""
    if not isinstance(code, str):
        return f"not a string: {type(code).__name__}"
    if len(code) != _LENGTH:
        return f"wrong length: {len(code)} characters, expected 18"
    for position, char in enumerate(code, start=1):
        if char not in _VALUE:
            return f"illegal character {char!r} at position {position}"
    expected = check_char(code[:17])
    if code[17] != expected:
        return f"wrong check digit: expected {expected}, got {code[17]}"
    if not code[2:8].isdigit():
        return f"region code (positions 3-8) is not 6 digits: {code[2:8]}"
    return None


def parse_credit_code(code: str) -> CreditCodeParts:
    """Cut a valid code into its fields; ValueError with the validation reason otherwise."""
    reason = validate_credit_code(code)
    if reason is not None:
        raise ValueError(reason)
    return CreditCodeParts(code[0], code[1], code[2:8], code[8:17], code[17])
