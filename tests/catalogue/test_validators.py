"""The shared validator case table, run against the Python validators (tests/js runs it against JS)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from motcua.identity import service as validators
from motcua.resources import resource_dir

CASES_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "validator_cases.json"
CASES: list[dict[str, Any]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "check_personal_id": validators.check_personal_id,
    "normalise_personal_id": validators.normalise_personal_id,
    "check_mobile_phone": validators.check_mobile_phone,
    "normalise_name": validators.normalise_name,
    "check_free_text": validators.check_free_text,
    "check_date_not_future": validators.check_date_not_future,
    "check_age": validators.check_age,
    "mask_personal_id": validators.mask_personal_id,
}


@pytest.mark.parametrize("case", CASES, ids=[f"{c['function']}: {c['name']}" for c in CASES])
def test_validator_gives_the_answer_in_the_shared_table(case: dict[str, Any]) -> None:
    function = FUNCTIONS[case["function"]]
    if case.get("raises"):
        with pytest.raises(ValueError, match="must be"):
            function(*case["args"], **case["kwargs"])
        return
    assert function(*case["args"], **case["kwargs"]) == case["expected"]


def test_the_table_covers_every_function_and_enough_cases() -> None:
    assert {case["function"] for case in CASES} == set(FUNCTIONS)
    assert len(CASES) >= 120
    assert len({case["name"] + case["function"] for case in CASES}) == len(CASES), "case names repeat"


def test_every_problem_speaks_vietnamese_and_english() -> None:
    for case in CASES:
        expected = case.get("expected")
        problems = (
            expected if isinstance(expected, list) else [expected] if isinstance(expected, dict) else []
        )
        for problem in problems:
            assert set(problem) == {"code", "message_vi", "message_en"}
            assert problem["message_vi"].strip()
            assert problem["message_en"].strip()
            assert problem["message_vi"] != problem["message_en"]


def test_the_sixty_three_province_codes_of_the_facts_are_accepted() -> None:
    assert len(validators.PROVINCE_CODES) == 63
    assert all(len(code) == 3 and code.isdigit() for code in validators.PROVINCE_CODES)


def test_a_date_object_counts_as_today() -> None:
    from datetime import date

    assert validators.check_date_not_future("2026-11-22", date(2026, 11, 21))[0]["code"] == "date.in_future"
    assert validators.check_age("2008-02-29", date(2026, 3, 1), 18) == []


def test_the_mobile_prefix_table_is_what_phonenumbers_says() -> None:
    """Fails when a phonenumbers release adds or drops a Vietnamese mobile range: run
    `python -m motcua.identity.service` and commit schemas/vn-mobile-prefixes.json and pwa/js/validators.js."""
    table = json.loads(
        (resource_dir("schemas") / validators.MOBILE_PREFIXES_FILE).read_text(encoding="utf-8")
    )
    assert table["prefixes"] == validators.mobile_prefixes_from_phonenumbers()
    assert list(validators.MOBILE_PREFIXES) == table["prefixes"]


def test_the_pwa_holds_the_same_prefix_table() -> None:
    source = (resource_dir("pwa") / "js" / "validators.js").read_text(encoding="utf-8")
    assert validators.js_prefix_block_in(source) == validators.js_prefix_block(
        list(validators.MOBILE_PREFIXES)
    )


def test_the_prefix_table_agrees_with_phonenumbers_on_every_number_it_names() -> None:
    """Each prefix, and the prefixes just beside the ranges, as phonenumbers judges whole numbers."""
    import phonenumbers

    def verdict(number: str) -> bool:
        return (
            phonenumbers.number_type(phonenumbers.parse(number, "VN")) == phonenumbers.PhoneNumberType.MOBILE
        )

    for prefix in validators.MOBILE_PREFIXES:
        for tail in ("0000000000", "9999999999", "5172839401"):
            number = (prefix + tail)[:10]
            assert validators.check_mobile_phone(number) == number
            assert verdict(number), number
    for number in ("0501234567", "0521234567", "0551234567", "0891234567", "0992123456", "0123456789"):
        assert not verdict(number)
        assert isinstance(validators.check_mobile_phone(number), dict), number


def test_the_facts_prefixes_are_all_mobile() -> None:
    """facts/identity.md's operators' prefixes: all taken (052, 055 and 099 in the ranges phonenumbers gives)."""
    facts = "032 033 034 035 036 037 038 039 086 096 097 098 081 082 083 084 085 088 091 094 070 076 077 078 079 090 093 056 058 092 059 087"
    for prefix in facts.split():
        assert validators.check_mobile_phone(f"{prefix}1234567") == f"{prefix}1234567"
    for number in ("0522123456", "0559123456", "0993123456", "0896123456"):
        assert validators.check_mobile_phone(number) == number


def test_names_of_the_demo_and_the_facts_stay_as_written() -> None:
    for name in ("H’Hen Niê", "Y Sol Ksor", "Nguyễn Thị Ánh", "Đinh Văn A", "Y Blô Điều Phối", "Lê Thị Hoa"):
        assert validators.normalise_name(name) == name


def test_normalising_twice_changes_nothing() -> None:
    for case in CASES:
        if case["function"] in ("normalise_name", "check_free_text", "check_mobile_phone") and isinstance(
            case.get("expected"), str
        ):
            function = FUNCTIONS[case["function"]]
            assert function(case["expected"], *case["args"][1:], **case["kwargs"]) == case["expected"]
        if case["function"] == "normalise_personal_id":
            assert validators.normalise_personal_id(case["expected"]) == case["expected"]
