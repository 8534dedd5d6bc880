"""Cross-field checks and alternative papers, on the server, fed the vectors the phone's tests use too.

tests/fixtures/cross_field_cases.json and tests/fixtures/paper_cases.json are read here by pytest and
by tests/js/cross_field.test.js with node, so the server and the phone answer every case alike.
The meta-schema tests at the end show `motcua catalogue check` refusing checks and alternatives that
name what the procedure does not have.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from motcua.catalogue.documents import check_document
from motcua.catalogue.validation import check_declaration
from motcua.records.dossiers import PaperPhotos, _check_papers

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _procedure(stem: str) -> dict[str, Any]:
    document: dict[str, Any] = _load(ROOT / "schemas" / "procedures" / f"{stem}.json")
    return document


CROSS_FIELD = _load(FIXTURES / "cross_field_cases.json")["cases"]
PAPERS = _load(FIXTURES / "paper_cases.json")["cases"]


def _form(case: dict[str, Any]) -> dict[str, Any]:
    code = case["procedure"].split("@")[0]
    form: dict[str, Any] = dict(_load(FIXTURES / "procedure_samples" / f"{code}.json")["valid"])
    for name, value in case["form"].items():
        if value is None:
            form.pop(name, None)
        else:
            form[name] = value
    return form


@pytest.mark.parametrize("case", CROSS_FIELD, ids=lambda case: case["name"])
def test_cross_field_case(case: dict[str, Any]) -> None:
    problems = check_declaration(
        _procedure(case["procedure"]), _form(case), today=date.fromisoformat(case["today"])
    )
    found = [
        {"field": p.field, "code": p.code}
        | ({"message_vi": p.message_vi, "message_en": p.message_en} if p.code == "form.implausible" else {})
        for p in problems
    ]
    assert found == case["problems"]


def test_the_vectors_cover_every_check_of_the_catalogue() -> None:
    """Each check of each current procedure fails in at least one case, with its own message."""
    refused = {
        (case["procedure"], problem["message_en"])
        for case in CROSS_FIELD
        for problem in case["problems"]
        if problem["code"] == "form.implausible"
    }
    for path in sorted((ROOT / "schemas" / "procedures").glob("*.json")):
        for check in _load(path).get("checks", []):
            assert (path.stem, check["message"]["en"]) in refused, f"{path.stem}: {check}"


@pytest.mark.parametrize("case", PAPERS, ids=lambda case: case["name"])
def test_paper_case(case: dict[str, Any]) -> None:
    photos = [
        PaperPhotos(paper_id, [f"{index:064x}" for index in range(count)])
        for paper_id, count in case["photos"].items()
    ]
    problems = _check_papers(_procedure(case["procedure"]), photos)
    assert sorted(p.field for p in problems) == [f"papers.{paper_id}" for paper_id in case["missing"]]
    assert {p.code for p in problems} <= {"paper.photos_missing"}


def test_a_missing_paper_with_an_alternative_names_both() -> None:
    [problem] = _check_papers(
        _procedure("dang-ky-khai-sinh"), [PaperPhotos("can-cuoc", ["a" * 64, "b" * 64])]
    )
    assert problem.message_vi == (
        "Cần ảnh “Giấy chứng sinh” hoặc “Văn bản của người làm chứng hoặc giấy cam đoan về việc sinh”."
    )
    assert problem.message_en == (
        "Photos of “Birth certificate from the hospital or clinic” or "
        "“Witness statement or written commitment about the birth” are needed."
    )


def test_the_published_documents_pass_the_reference_checks() -> None:
    for path in sorted((ROOT / "schemas" / "procedures").glob("*.json")):
        assert check_document(_load(path)) == [], path.name


def _broken(change: Any) -> list[str]:
    document = copy.deepcopy(_procedure("dang-ky-khai-sinh"))
    change(document)
    return check_document(document)


def _check(**fields: Any) -> dict[str, Any]:
    return {"rule": "before", "message": {"vi": "Sai thứ tự.", "en": "Out of order."}} | fields


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["checks"].append(_check(earlier="father_birth_date", later="child_birth_date")),
            "checks/2/earlier: the form has no field 'father_birth_date'",
        ),
        (
            lambda d: d["checks"].append(_check(earlier="father_birth_year", later="child_full_name")),
            "checks/2/later: 'child_full_name' is not a date or number field",
        ),
        (
            lambda d: d["checks"].append(_check(earlier="child_birth_date", later="child_birth_date")),
            "checks/2: earlier and later are the same field",
        ),
        (
            lambda d: d["checks"].append(
                _check(earlier="father_birth_year", later="child_birth_date", min_years=30, max_years=20)
            ),
            "checks/2: max_years is below min_years",
        ),
        (
            lambda d: d["checks"].append(
                _check(rule="after", earlier="father_birth_year", later="child_birth_date")
            ),
            "checks/2/rule: 'after' is not one of ['before']",
        ),
        (
            lambda d: d["checks"].append({"rule": "before", "earlier": "a", "later": "b"}),
            "checks/2: 'message' is a required property",
        ),
        (
            lambda d: d["required_papers"][0].update(alternatives=["giay-khac"]),
            "required_papers/0/alternatives: 'giay-khac' is not another paper",
        ),
        (
            lambda d: d["required_papers"][0].update(alternatives=["giay-chung-sinh"]),
            "required_papers/0/alternatives: 'giay-chung-sinh' is not another paper",
        ),
        (
            lambda d: d["required_papers"][0].update(alternatives=["can-cuoc"]),
            "required_papers/0/alternatives: 'can-cuoc' must be optional and have photos",
        ),
        (
            lambda d: d["required_papers"][1].update(alternatives=["van-ban-uy-quyen"]),
            "required_papers/1: only a required paper with photos has alternatives",
        ),
        (
            lambda d: d["required_papers"][0].update(alternatives=[]),
            "required_papers/0/alternatives: [] should be non-empty",
        ),
    ],
)
def test_the_catalogue_check_refuses_a_malformed_check_or_alternative(change: Any, expected: str) -> None:
    assert expected in _broken(change)
