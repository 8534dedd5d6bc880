"""Procedure documents as files: loading, checking against the meta-schema, hashing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from motcua.resources import resource_dir


class CatalogueError(ValueError):
    """The catalogue files are wrong; ``problems`` lists every one, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ProcedureDocument:
    """One version of one procedure, exactly as published."""

    code: str
    version: int
    content: dict[str, Any]
    content_hash: str

    @property
    def name_vi(self) -> str:
        return str(self.content["name"]["vi"])

    @property
    def name_en(self) -> str:
        return str(self.content["name"]["en"])


def canonical_json(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def catalogue_dir() -> Path:
    return resource_dir("schemas") / "procedures"


@lru_cache(maxsize=1)
def meta_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (resource_dir("schemas") / "procedure.schema.json").read_text("utf-8")
    )
    return schema


# The widgets a cross-field check compares: a date, or a year held in a number field.
CHECKED_WIDGETS = ("date", "number")


def _paper_problems(papers: list[dict[str, Any]]) -> list[str]:
    """Alternatives name other papers of the procedure that are optional and photographed."""
    by_id = {paper["id"]: paper for paper in papers}
    problems = []
    for index, paper in enumerate(papers):
        alternatives = paper.get("alternatives", [])
        if alternatives and not (paper["required"] and paper["photos"]):
            problems.append(f"required_papers/{index}: only a required paper with photos has alternatives")
        for other in alternatives:
            replacement = by_id.get(other)
            if replacement is None or other == paper["id"]:
                problems.append(f"required_papers/{index}/alternatives: {other!r} is not another paper")
            elif replacement["required"] or not replacement["photos"]:
                problems.append(
                    f"required_papers/{index}/alternatives: {other!r} must be optional and have photos"
                )
    return problems


def _check_problems(content: dict[str, Any]) -> list[str]:
    """Cross-field checks name two different date or number fields of the form, in a sane range."""
    fields = content["form"]["properties"]
    problems = []
    for index, check in enumerate(content.get("checks", [])):
        for role in ("earlier", "later"):
            name = check[role]
            if name not in fields:
                problems.append(f"checks/{index}/{role}: the form has no field {name!r}")
            elif fields[name]["x-widget"] not in CHECKED_WIDGETS:
                problems.append(f"checks/{index}/{role}: {name!r} is not a date or number field")
        if check["earlier"] == check["later"]:
            problems.append(f"checks/{index}: earlier and later are the same field")
        if check.get("max_years", 150) < check.get("min_years", 0):
            problems.append(f"checks/{index}: max_years is below min_years")
    return problems


def check_document(content: Any) -> list[str]:
    """What is wrong with one procedure document: meta-schema errors, an invalid form schema, and
    alternatives or checks naming papers or fields the procedure does not have."""
    problems = [
        f"{'/'.join(map(str, error.absolute_path)) or '(document)'}: {error.message}"
        for error in Draft202012Validator(meta_schema()).iter_errors(content)
    ]
    if not problems:
        problems += [
            f"form: {error.message}"
            for error in Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(content["form"])
        ]
        problems += _paper_problems(content["required_papers"]) + _check_problems(content)
    return problems


def load_documents(directory: Path | None = None) -> list[ProcedureDocument]:
    """Every procedure file of ``directory`` (the shipped catalogue by default), checked.

    Raises :class:`CatalogueError` naming every bad file, so one run shows all the work.
    """
    directory = directory or catalogue_dir()
    documents, problems, seen = [], [], set()
    for path in sorted(directory.glob("*.json")):
        try:
            content = json.loads(path.read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            problems.append(f"{path.name}: not readable JSON ({error})")
            continue
        found = check_document(content)
        # code.json, or code@2.json for an older version kept beside the newest
        if not found and content["code"] != path.stem.split("@")[0]:
            found.append(f"code {content['code']!r} differs from the file name")
        if not found and (content["code"], content["version"]) in seen:
            found.append(f"version {content['version']} of {content['code']} appears twice")
        if found:
            problems += [f"{path.name}: {problem}" for problem in found]
            continue
        seen.add((content["code"], content["version"]))
        documents.append(
            ProcedureDocument(content["code"], content["version"], content, content_hash(content))
        )
    if problems:
        raise CatalogueError(problems)
    return documents
