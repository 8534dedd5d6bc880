"""The shared validator case table, run against the Python validators (pwa/tests runs it against JS)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from motcua.catalogue import validators

CASES_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "validator_cases.json"
CASES: list[dict[str, Any]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "check_personal_id": validators.check_personal_id,
    "check_mobile_phone": validators.check_mobile_phone,
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
    assert len(CASES) >= 40
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
