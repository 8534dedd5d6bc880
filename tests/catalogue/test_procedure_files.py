"""The procedure catalogue in schemas/: every document is valid, complete, bilingual and self-consistent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from motcua.identity.service import (
    check_age,
    check_date_not_future,
    check_mobile_phone,
    check_personal_id,
)

ROOT = Path(__file__).resolve().parents[2]
META_SCHEMA_FILE = ROOT / "schemas" / "procedure.schema.json"
PROCEDURES_DIR = ROOT / "schemas" / "procedures"
SAMPLES_DIR = ROOT / "tests" / "fixtures" / "procedure_samples"

STARTER_CODES = {
    "xac-nhan-tinh-trang-hon-nhan",
    "cap-phieu-ly-lich-tu-phap",
    "cap-ban-sao-trich-luc-ho-tich",
    "doi-giay-phep-lai-xe",
    "cap-ho-chieu-pho-thong",
    "dang-ky-khai-sinh",
    "dang-ky-khai-tu",
    "dang-ky-thuong-tru",
    "dang-ky-tam-tru",
    "chung-thuc-ban-sao-tu-ban-chinh",
}
# Every published version: code.json (the newest) and code@N.json (older ones kept beside it).
PROCEDURE_FILES = sorted(PROCEDURES_DIR.glob("*.json"))
NEWEST_FILES = [path for path in PROCEDURE_FILES if "@" not in path.stem]
FORMATS = FormatChecker()


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def procedure(code: str) -> dict[str, Any]:
    document: dict[str, Any] = load(PROCEDURES_DIR / f"{code}.json")
    return document


def form_validator(code: str) -> Draft202012Validator:
    return Draft202012Validator(procedure(code)["form"], format_checker=FORMATS)


def vietnamese_texts(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Every string a Vietnamese user reads: the vi of each {vi, en} text and every form title/description."""
    if isinstance(node, dict):
        if set(node) == {"vi", "en"}:
            yield where + "/vi", node["vi"]
            yield where + "/en", node["en"]
        for key, value in node.items():
            if key in ("title", "description", "x-title-en", "x-description-en"):
                yield f"{where}/{key}", value
            yield from vietnamese_texts(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from vietnamese_texts(value, f"{where}/{index}")


def resolve_pointer(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def reported_fields(error: ValidationError, form: dict[str, Any]) -> set[str]:
    """The form fields a validation error is about."""
    if error.absolute_path:
        return {str(error.absolute_path[0])}
    instance = error.instance
    assert isinstance(instance, dict), error
    if error.validator == "required":
        return {name for name in error.validator_value if name not in instance}
    if error.validator == "dependentRequired":
        return {
            needed
            for present, needs in error.validator_value.items()
            if present in instance
            for needed in needs
            if needed not in instance
        }
    if error.validator == "additionalProperties":
        return set(instance) - set(form["properties"])
    raise AssertionError(f"cannot tell which field this error is about: {error.message}")


def test_the_meta_schema_is_a_valid_2020_12_schema() -> None:
    Draft202012Validator.check_schema(load(META_SCHEMA_FILE))


def test_the_catalogue_holds_exactly_the_ten_starter_procedures() -> None:
    assert len(NEWEST_FILES) == 10
    assert {path.stem for path in NEWEST_FILES} == STARTER_CODES


def test_an_older_version_is_kept_as_code_at_version_below_the_newest() -> None:
    for path in PROCEDURE_FILES:
        if "@" in path.stem:
            code, version = path.stem.split("@")
            assert load(path)["code"] == code
            assert load(path)["version"] == int(version)
            assert int(version) < procedure(code)["version"], path.name


def test_codes_and_names_are_unique() -> None:
    documents = [load(path) for path in NEWEST_FILES]
    assert len({d["code"] for d in documents}) == len(documents)
    assert len({d["name"]["vi"] for d in documents}) == len(documents)
    assert len({d["name"]["en"] for d in documents}) == len(documents)


@pytest.mark.parametrize("path", PROCEDURE_FILES, ids=lambda p: p.stem)
def test_procedure_file_follows_the_meta_schema(path: Path) -> None:
    validator = Draft202012Validator(load(META_SCHEMA_FILE), format_checker=FORMATS)
    document = load(path)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    assert document["code"] == path.stem.split("@")[0]


@pytest.mark.parametrize("code", sorted(STARTER_CODES))
def test_embedded_form_is_itself_a_valid_2020_12_schema(code: str) -> None:
    Draft202012Validator.check_schema(procedure(code)["form"])


@pytest.mark.parametrize("code", sorted(STARTER_CODES))
def test_every_text_a_user_reads_is_filled_in_and_vietnamese_has_its_diacritics(code: str) -> None:
    document = procedure(code)
    texts = list(vietnamese_texts(document))
    assert texts
    for where, value in texts:
        assert isinstance(value, str), f"{code}{where} is not text"
        assert value.strip(), f"{code}{where} is empty"
    # A Vietnamese name, authority and form title written without diacritics would be a typing slip.
    for text in (document["name"]["vi"], document["authority"]["vi"], document["form"]["title"]):
        assert any(ord(char) > 127 for char in text), f"{code}: {text!r} has no diacritics"


@pytest.mark.parametrize("code", sorted(STARTER_CODES))
def test_form_fields_named_anywhere_exist(code: str) -> None:
    document = procedure(code)
    form = document["form"]
    fields = form["properties"]
    assert set(form["required"]) <= set(fields)
    for present, needs in form.get("dependentRequired", {}).items():
        assert {present, *needs} <= set(fields)
    for name, field in fields.items():
        for role, other in field.get("x-person-fields", {}).items():
            expected_widget = {"sex": "choice", "birth_date": "date", "birth_year": "number"}[role]
            assert fields[other]["x-widget"] == expected_widget, f"{name} -> {role}: {other}"
    if "age_rule" in document:
        assert fields[document["age_rule"]["applies_to"]]["x-widget"] == "date"


@pytest.mark.parametrize("code", sorted(STARTER_CODES))
def test_paper_ids_are_unique_and_unconfirmed_paths_point_into_the_document(code: str) -> None:
    document = procedure(code)
    ids = [paper["id"] for paper in document["required_papers"]]
    assert len(ids) == len(set(ids))
    for item in document["unconfirmed"]:
        resolve_pointer(document, item["path"])  # raises if the path points nowhere


@pytest.mark.parametrize("code", sorted(STARTER_CODES))
def test_sample_declaration_is_accepted(code: str) -> None:
    valid = load(SAMPLES_DIR / f"{code}.json")["valid"]
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in form_validator(code).iter_errors(valid)]
    assert errors == []


@pytest.mark.parametrize("code", sorted(STARTER_CODES))
def test_faulty_declaration_is_refused_naming_exactly_the_faulty_fields(code: str) -> None:
    sample = load(SAMPLES_DIR / f"{code}.json")
    form = procedure(code)["form"]
    errors = list(form_validator(code).iter_errors(sample["invalid"]))
    assert errors, "the faulty declaration was accepted"
    reported = set().union(*(reported_fields(error, form) for error in errors))
    assert reported == set(sample["invalid_fields"])


@pytest.mark.parametrize("code", sorted(STARTER_CODES))
def test_sample_declaration_passes_the_shared_validators(code: str) -> None:
    document = procedure(code)
    fields = document["form"]["properties"]
    valid = load(SAMPLES_DIR / f"{code}.json")["valid"]
    today = document["last_checked"]
    for name, value in valid.items():
        widget = fields[name]["x-widget"]
        if widget == "date":
            assert check_date_not_future(value, today) == [], name
        elif widget == "phone":
            assert check_mobile_phone(value) == value, name
        elif widget == "personal-id":
            person = fields[name].get("x-person-fields", {})
            sex = valid.get(person["sex"]) if "sex" in person else None
            if "birth_date" in person:
                birth_year = int(valid[person["birth_date"]][:4])
            else:
                birth_year = valid.get(person.get("birth_year"))
            assert check_personal_id(value, sex=sex, birth_year=birth_year) == [], name
    if "age_rule" in document:
        rule = document["age_rule"]
        assert check_age(valid[rule["applies_to"]], today, rule["min_age"], rule["max_age"]) == []
