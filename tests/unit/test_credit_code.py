"""Unified social credit code (GB 32100-2015): check characters worked by hand, then tables of bad codes."""

import pytest

from ingestion.credit_code import (
    CHARSET,
    WEIGHTS,
    CreditCodeParts,
    check_char,
    parse_credit_code,
    validate_credit_code,
)

# Each row: the first 17 characters, the check character, and the arithmetic done by hand.
# Values: digits are themselves; A10 B11 C12 D13 E14 F15 G16 H17 J18 K19 L20 M21 N22 P23 Q24 R25 T26 U27 W28 X29 Y30.
# Weights: 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28.
HAND_WORKED = [
    # The example printed in GB 32100-2015: 9*1 + 1*3 + 3*9 + 5*27 + 1*26 + M21*20 + 1*8 + Y30*30 + 4*28
    #   = 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640; 1640 mod 31 = 28; 31 - 28 = 3.
    ("91350100M000100Y4", "3"),
    # Changsha (430100): 9 + 3 + 4*9 + 3*27 + 1*26 + 1*28 = 183; 183 mod 31 = 28; 31 - 28 = 3.
    ("91430100000000001", "3"),
    # Same body with a final 0: sum 155 = 5 * 31, so 31 - 0 = 31, which maps to 0.
    ("91430100000000000", "0"),
    # Zhuzhou (430200) with letters: 9 + 3 + 36 + 81 + 2*26 + M21*20 + A10*29 + 4*25 + L20*13 + 1*8 + 2*24 + 3*10
    #   + 4*30 + 5*28 = 1597; 1597 mod 31 = 16; 31 - 16 = 15 = F.
    ("91430200MA4L12345", "F"),
]


@pytest.mark.parametrize(("first17", "expected"), HAND_WORKED)
def test_check_char_matches_hand_arithmetic(first17, expected):
    assert check_char(first17) == expected
    assert validate_credit_code(first17 + expected) is None


def test_charset_and_weights_are_the_standard_ones():
    assert len(CHARSET) == 31
    assert not set("IOZSV") & set(CHARSET)
    # w_i = 3^(i-1) mod 31, the standard's definition of the weights.
    assert tuple(pow(3, i, 31) for i in range(17)) == WEIGHTS


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y4", "wrong length: 17 characters, expected 18"),
        ("91350100M000100Y433", "wrong length: 19 characters, expected 18"),
        ("", "wrong length: 0 characters, expected 18"),
        ("91350100I000100Y43", "illegal character 'I' at position 9"),
        ("91350100M000100Y4O", "illegal character 'O' at position 18"),
        ("9135010OM000100Y43", "illegal character 'O' at position 8"),
        ("91350100m000100Y43", "illegal character 'm' at position 9"),
        ("Z1350100M000100Y43", "illegal character 'Z' at position 1"),
        ("91350100M000100Y44", "wrong check digit: expected 3, got 4"),
        ("91430200MA4L123450", "wrong check digit: expected F, got 0"),
        ("914301000000000010", "wrong check digit: expected 3, got 0"),
        (430100, "not a string: int"),
    ],
)
def test_bad_codes_say_why(code, reason):
    assert validate_credit_code(code) == reason


def test_a_letter_in_the_region_field_is_refused_even_with_a_right_check():
    first17 = "9143A100000000001"
    assert validate_credit_code(first17 + check_char(first17)) == "region code (positions 3-8) is not 6 digits: 43A100"


def test_every_single_character_substitution_is_caught():
    # A weighted sum mod a prime catches every single-character error.
    code = "91430200MA4L12345F"
    for i in range(17):
        for c in CHARSET:
            if c != code[i]:
                assert validate_credit_code(code[:i] + c + code[i + 1 :]) is not None


def test_parse_cuts_the_fields():
    assert parse_credit_code("91430200MA4L12345F") == CreditCodeParts("9", "1", "430200", "MA4L12345", "F")
    with pytest.raises(ValueError, match="wrong check digit"):
        parse_credit_code("91430200MA4L123450")


@pytest.mark.parametrize("bad", ["9143010000000000", "9143010000000000I"])
def test_check_char_refuses_bad_input(bad):
    with pytest.raises(ValueError):
        check_char(bad)
