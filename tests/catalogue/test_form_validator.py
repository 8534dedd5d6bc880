"""The quick verdict (jsonschema-rs) never accepts a declaration the thorough one (jsonschema) refuses;
phones and ID numbers are judged as people write them.

``FormValidator`` asks jsonschema only when jsonschema-rs finds a fault, so the two must
agree wherever jsonschema-rs says "valid". Hypothesis takes each procedure's valid sample
and breaks it the ways a phone, a bug or a tampered request could: fields dropped, of the
wrong type, out of range, malformed dates, other fields' values, unknown fields.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.catalogue.validation import FormValidator, check_declaration, normalise_declaration

ROOT = Path(__file__).resolve().parents[2]
# The newest version of each procedure (code.json; older ones kept as code@1.json have the same forms).
CODES = sorted(path.stem for path in (ROOT / "schemas" / "procedures").glob("*.json") if "@" not in path.stem)


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


FORMS = {code: _load(ROOT / "schemas" / "procedures" / f"{code}.json")["form"] for code in CODES}
SAMPLES = {code: _load(ROOT / "tests" / "fixtures" / "procedure_samples" / f"{code}.json") for code in CODES}


def _values(form: dict[str, Any], sample: dict[str, Any]) -> st.SearchStrategy[Any]:
    choices: list[Any] = list(sample.values())
    for spec in form["properties"].values():
        choices += spec.get("enum", [])
        if "const" in spec:
            choices.append(spec["const"])
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-3, max_value=120),
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
        st.text(max_size=40),
        st.from_regex(r"[0-9]{1,14}", fullmatch=True),
        st.from_regex(r"0[0-9]{8,10}", fullmatch=True),
        st.dates().map(lambda day: day.isoformat()),
        st.sampled_from(["2023-02-29", "2024-02-30", "2024-13-01", "2024-1-5", "05/01/2024", "", " "]),
        st.sampled_from(choices),
        st.lists(st.text(max_size=5), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    )


@st.composite
def _declarations(draw: st.DrawFn, code: str) -> Any:
    form, sample = FORMS[code], SAMPLES[code]
    if draw(st.integers(min_value=0, max_value=20)) == 0:
        return draw(st.one_of(st.none(), st.lists(st.integers(), max_size=2), st.text(max_size=5)))
    data = dict(draw(st.sampled_from([sample["valid"], sample["invalid"]])))
    names = sorted(set(form["properties"]) | set(data))
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        name = draw(st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=8)))
        if draw(st.booleans()) and name in data:
            del data[name]
        else:
            data[name] = draw(_values(form, sample["valid"]))
    return data


@pytest.mark.parametrize("code", CODES)
def test_the_quick_verdict_never_accepts_what_the_thorough_one_refuses(code: str) -> None:
    validator = FormValidator(FORMS[code])

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_declarations(code))
    def check(data: Any) -> None:
        refused = not validator.thorough.is_valid(data)
        assert bool(validator.errors(data)) == refused
        if validator.quick.is_valid(data):
            assert not refused

    check()


@pytest.mark.parametrize("code", CODES)
def test_both_verdicts_agree_on_the_catalogue_samples(code: str) -> None:
    validator = FormValidator(FORMS[code])
    sample = SAMPLES[code]
    assert validator.quick.is_valid(sample["valid"])
    assert validator.errors(sample["valid"]) == []
    assert not validator.quick.is_valid(sample["invalid"])
    assert validator.errors(sample["invalid"])


# ---- Phones and ID numbers as people write them (issue 12) ----------------------------------------

PASSPORT = _load(ROOT / "schemas" / "procedures" / "cap-ho-chieu-pho-thong.json")
WRITTEN_ON = date(2026, 11, 21)


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("+84912345678", "0912345678"),
        ("091 234 5678", "0912345678"),
        ("+84 (0) 98 123 4567", "0981234567"),
        ("0522.123.456", "0522123456"),
        ("84 99 3123 456", "0993123456"),
    ],
)
def test_a_phone_written_with_84_or_spaces_passes_and_is_stored_as_0(written: str, stored: str) -> None:
    data = {**SAMPLES["cap-ho-chieu-pho-thong"]["valid"], "phone": written}
    assert check_declaration(PASSPORT, data, today=WRITTEN_ON) == []
    normalised = normalise_declaration(PASSPORT, data)
    assert normalised["phone"] == stored
    assert data["phone"] == written, "the data given is not changed"


def test_an_id_number_typed_in_groups_passes_and_is_stored_without_spaces() -> None:
    data = {**SAMPLES["cap-ho-chieu-pho-thong"]["valid"], "personal_id": " 014 301 001 122 "}
    assert check_declaration(PASSPORT, data, today=WRITTEN_ON) == []
    assert normalise_declaration(PASSPORT, data)["personal_id"] == "014301001122"


def test_normal_data_is_returned_as_it_is() -> None:
    data = SAMPLES["cap-ho-chieu-pho-thong"]["valid"]
    assert normalise_declaration(PASSPORT, data) is data
    assert normalise_declaration(PASSPORT, ["not", "an", "object"]) == ["not", "an", "object"]


@pytest.mark.parametrize(
    ("field", "written", "code"),
    [
        ("phone", "091234567", "phone.wrong_length"),
        ("phone", "0992123456", "phone.not_mobile"),
        ("phone", "+1 202 555 0100", "phone.not_vietnamese"),
        ("phone", "024 3825 1234", "phone.not_mobile"),
        ("personal_id", "01430100112a", "personal_id.not_digits"),
        ("personal_id", "014 301 001 12", "personal_id.wrong_length"),
    ],
)
def test_a_wrong_phone_or_id_number_says_what_is_wrong(field: str, written: str, code: str) -> None:
    data = {**SAMPLES["cap-ho-chieu-pho-thong"]["valid"], field: written}
    problems = check_declaration(PASSPORT, data, today=WRITTEN_ON)
    assert [(p.field, p.code) for p in problems] == [(field, code)]
