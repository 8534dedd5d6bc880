"""Checking a declaration against the exact procedure version it was written with.

Phone numbers and ID numbers are first normalised as people write them (``+84 912 345 678``,
``001 095 012 345``) into the form the published schemas' patterns expect (``0912345678``,
``001095012345``). The JSON Schema of the form then catches shape (required, types, choices,
formats); the shared validators check meaning (ID number against sex and birth year, mobile
numbers, dates not in the future, ages that fit the procedure), and for a phone or ID field
their precise problem replaces the schema's "not in the expected format"; last, the procedure's
cross-field checks (a father born before his child, a death after the birth). Every problem names
its field and says what is wrong in Vietnamese and English. pwa/js/formcheck.js does the same.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from motcua.catalogue.documents import canonical_json
from motcua.errors import FieldError
from motcua.identity.service import (
    Problem,
    check_age,
    check_date_not_future,
    check_mobile_phone,
    check_personal_id,
    normalise_personal_id,
)

_FORMATS = FormatChecker()


class FormValidator:
    """A form's JSON Schema, compiled twice: a fast verdict, and the errors of what fails.

    jsonschema-rs says whether a declaration is valid in microseconds; most are, and that is
    all they need. For one that is not, jsonschema names each failing field and keyword, as
    the messages need. Both follow draft 2020-12 with formats checked; a test holds them to
    the same verdict on every procedure's form.
    """

    def __init__(self, form: dict[str, Any]) -> None:
        self.quick = jsonschema_rs.validator_for(form, validate_formats=True)
        self.thorough = Draft202012Validator(form, format_checker=_FORMATS)

    def errors(self, data: Any) -> list[ValidationError]:
        if self.quick.is_valid(data):
            return []
        return list(self.thorough.iter_errors(data))


@lru_cache(maxsize=64)
def _form_validator(form_json: bytes) -> FormValidator:
    """Building a validator compiles the schema; a server sees the same few forms all day."""
    return FormValidator(json.loads(form_json))


# The validator of the forms seen lately, by the identity of the form object: a batch of
# dossiers checks many against the one version row it read, and turning that form into the
# cache key above (canonical JSON) cost more than a check of its own. The form is kept with
# its validator, so its id cannot be reused while the entry lives.
_LATELY: dict[int, tuple[dict[str, Any], FormValidator]] = {}


def validator_of(form: dict[str, Any]) -> FormValidator:
    seen = _LATELY.get(id(form))
    if seen is not None and seen[0] is form:
        return seen[1]
    validator = _form_validator(canonical_json(form))
    if len(_LATELY) >= 64:
        _LATELY.clear()
    _LATELY[id(form)] = (form, validator)
    return validator


def _keyword_message(error: ValidationError) -> tuple[str, str]:
    value = error.validator_value
    match error.validator:
        case "required" | "dependentRequired":
            return "Chưa điền mục này.", "This field is required."
        case "minLength" if value == 1:
            return "Chưa điền mục này.", "This field is required."
        case "minLength":
            return f"Cần ít nhất {value} ký tự.", f"At least {value} characters are needed."
        case "maxLength":
            return f"Tối đa {value} ký tự.", f"At most {value} characters."
        case "pattern":
            return "Không đúng định dạng.", "Not in the expected format."
        case "format" if value == "date":
            return "Ngày không hợp lệ (cần dạng năm-tháng-ngày).", "Not a valid date (YYYY-MM-DD)."
        case "oneOf" | "anyOf" | "enum" | "const":
            return "Lựa chọn không hợp lệ.", "Not one of the choices."
        case "type":
            return "Giá trị không đúng loại.", f"Must be of type {value}."
        case "minimum" | "exclusiveMinimum":
            return f"Phải từ {value} trở lên.", f"Must be at least {value}."
        case "maximum" | "exclusiveMaximum":
            return f"Không được quá {value}.", f"Must be at most {value}."
        case "additionalProperties":
            return "Mục này không có trong tờ khai.", "This field is not part of the declaration."
        case _:
            return "Giá trị không hợp lệ.", error.message


def _fields_of(error: ValidationError) -> list[str]:
    """The field(s) an error is about: the missing or extra ones for object-level keywords."""
    path = ".".join(str(part) for part in error.absolute_path)
    instance = error.instance if isinstance(error.instance, dict) else {}
    value: Any = error.validator_value
    schema: Any = error.schema
    if error.validator == "required":
        missing = [name for name in value if name not in instance]
    elif error.validator == "dependentRequired":
        missing = [
            name
            for trigger, needed in value.items()
            if trigger in instance
            for name in needed
            if name not in instance
        ]
    elif error.validator == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        missing = [name for name in instance if name not in allowed]
    else:
        return [path or "(form)"]
    return [f"{path}.{name}" if path else name for name in missing] or [path or "(form)"]


def field_error(field: str, problem: Problem) -> FieldError:
    """A shared validator's problem as the API's field error."""
    return FieldError(field, problem["code"], problem["message_vi"], problem["message_en"])


def _birth_year(data: dict[str, Any], person: dict[str, str]) -> int | None:
    if (year := data.get(person.get("birth_year", ""))) is not None:
        return year if isinstance(year, int) else None
    birth = data.get(person.get("birth_date", ""))
    if isinstance(birth, str) and len(birth) >= 4 and birth[:4].isdigit():
        return int(birth[:4])
    return None


# The widgets whose written forms are normalised before the schema sees them.
_NORMALISED_WIDGETS = ("phone", "personal-id")


def normalise_declaration(content: dict[str, Any], data: Any) -> Any:
    """``data`` with its phone fields as 0XXXXXXXXX and its ID numbers without spaces: the form to store.

    A phone that is not a Vietnamese mobile is left as written (the check names its problem); fields
    of other widgets, values that are not strings and data that is not an object are left alone. The
    data given is not changed; a new dict is returned when anything was normalised.
    """
    if not isinstance(data, dict):
        return data
    normalised: dict[str, Any] | None = None
    for name, spec in content["form"]["properties"].items():
        value = data.get(name)
        if not isinstance(value, str):
            continue
        widget = spec.get("x-widget")
        if widget == "phone":
            checked = check_mobile_phone(value)
            new = checked if isinstance(checked, str) else value
        elif widget == "personal-id":
            new = normalise_personal_id(value)
        else:
            continue
        if new != value:
            normalised = normalised if normalised is not None else dict(data)
            normalised[name] = new
    return data if normalised is None else normalised


def _meaning_problems(content: dict[str, Any], data: dict[str, Any], today: date) -> list[FieldError]:
    problems: list[FieldError] = []
    for name, spec in content["form"]["properties"].items():
        value = data.get(name)
        if not isinstance(value, str) or not value:
            continue
        widget = spec.get("x-widget")
        if widget == "personal-id":
            person = spec.get("x-person-fields", {})
            sex = data.get(person.get("sex", ""))
            problems += [
                field_error(name, problem)
                for problem in check_personal_id(
                    value,
                    sex=sex if sex in ("male", "female") else None,
                    birth_year=_birth_year(data, person),
                )
            ]
        elif widget == "phone":
            checked = check_mobile_phone(value)
            if not isinstance(checked, str):
                problems.append(field_error(name, checked))
        elif widget == "date":
            problems += [field_error(name, p) for p in check_date_not_future(value, today)]
    rule = content.get("age_rule")
    if rule and isinstance(birth := data.get(rule["applies_to"]), str):
        problems += [
            field_error(rule["applies_to"], p)
            for p in check_age(birth, today, rule.get("min_age"), rule.get("max_age"))
        ]
    return problems


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

# A moment a check compares: (year, (month, day)) for a date, (year, None) for a year alone.
Moment = tuple[int, tuple[int, int] | None]


def _moment(value: Any) -> Moment | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 2001.0 is an integer to JSON Schema, as to JavaScript
    if isinstance(value, int) and not isinstance(value, bool):
        return value, None
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        return day.year, (day.month, day.day)
    return None


def _years_apart(earlier: Moment, later: Moment) -> int:
    """Whole years from earlier to later; by year alone when either is only a year."""
    years = later[0] - earlier[0]
    if earlier[1] is not None and later[1] is not None and later[1] < earlier[1]:
        years -= 1
    return years


def _plausible(check: dict[str, Any], earlier: Moment, later: Moment) -> bool:
    if earlier[1] is None or later[1] is None:
        in_order = earlier[0] <= later[0]
    else:
        in_order = (earlier[0], earlier[1]) <= (later[0], later[1])
    years = _years_apart(earlier, later)
    return (
        in_order
        and years >= check.get("min_years", 0)
        and ("max_years" not in check or years <= check["max_years"])
    )


def plausibility_problems(
    content: dict[str, Any], data: dict[str, Any], flagged: set[str]
) -> list[FieldError]:
    """The procedure's cross-field checks that fail, each on its later field.

    A check is skipped when either field is empty, not a date or year, or already has a problem
    (``flagged``): that problem is the one to fix first.
    """
    problems = []
    for check in content.get("checks", []):
        if check["earlier"] in flagged or check["later"] in flagged:
            continue
        earlier, later = _moment(data.get(check["earlier"])), _moment(data.get(check["later"]))
        if earlier is None or later is None or _plausible(check, earlier, later):
            continue
        message = check["message"]
        problems.append(FieldError(check["later"], "form.implausible", message["vi"], message["en"]))
    return problems


def check_declaration(content: dict[str, Any], data: Any, *, today: date) -> list[FieldError]:
    """Every problem of ``data`` against the form of ``content`` (a procedure document).

    Judged as normalise_declaration leaves it: ``+84912345678`` passes a ``^0[0-9]{9}$`` pattern.
    """
    data = normalise_declaration(content, data)
    problems: list[FieldError] = []
    for error in validator_of(content["form"]).errors(data):
        vi, en = _keyword_message(error)
        problems += [FieldError(field, f"form.{error.validator}", vi, en) for field in _fields_of(error)]
    if isinstance(data, dict):
        meaning = _meaning_problems(content, data, today)
        # A phone or ID number the validators explain ("10 digits", "not a mobile") needs no vaguer
        # "not in the expected format" beside it.
        properties = content["form"]["properties"]
        explained = {
            p.field
            for p in meaning
            if isinstance(properties.get(p.field), dict)
            and properties[p.field].get("x-widget") in _NORMALISED_WIDGETS
        }
        problems = [p for p in problems if not (p.code == "form.pattern" and p.field in explained)]
        shape_failed = {problem.field for problem in problems}
        problems += [p for p in meaning if p.field not in shape_failed]
        problems += plausibility_problems(content, data, {problem.field for problem in problems})
    unique: dict[tuple[str, str], FieldError] = {}
    for problem in problems:
        unique.setdefault((problem.field, problem.code), problem)
    return sorted(unique.values(), key=lambda p: p.field)
