"""Checks of personal ID numbers, phones, dates and ages; pwa/js/validators.js applies the same rules.

Both implementations are driven by one case table, tests/fixtures/validator_cases.json: change a rule or
a message here, change it there too, and add the case to the table.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from datetime import date
from pathlib import Path
from typing import Final, Literal, TypedDict

from motcua.resources import resource_dir


class Problem(TypedDict):
    """One thing wrong with a value: a stable machine code and what to tell the user."""

    code: str
    message_vi: str
    message_en: str


Sex = Literal["male", "female"]

# Decree 137/2015 art. 13, Circular 07/2016/TT-BCA. Numbers issued before the 2025 province merger keep
# these codes; that no new codes were introduced is UNCONFIRMED (facts/identity.md), so accept all 63.
PROVINCE_CODES: Final[dict[str, str]] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa–Vũng Tàu",
    "079": "TP. Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# The Vietnamese mobile prefixes, one table for the server and the PWA: generated from the phonenumbers
# package (Google's libphonenumber metadata, facts/identity.md) into schemas/vn-mobile-prefixes.json by
# `python -m motcua.identity.service`, which also copies it into pwa/js/validators.js. The tests fail
# when the file, or the PWA's copy, differs from what the installed phonenumbers says.
MOBILE_PREFIXES_FILE: Final = "vn-mobile-prefixes.json"


def _load_mobile_prefixes() -> tuple[str, ...]:
    loaded = json.loads((resource_dir("schemas") / MOBILE_PREFIXES_FILE).read_text(encoding="utf-8"))
    prefixes = tuple(str(prefix) for prefix in loaded["prefixes"])
    if not prefixes or not all(_DIGITS.fullmatch(prefix) and prefix[0] == "0" for prefix in prefixes):
        raise RuntimeError(f"schemas/{MOBILE_PREFIXES_FILE} holds no list of 0-prefixes")
    return prefixes


_DIGITS = re.compile(r"[0-9]+")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# Whitespace as people type and paste it, the same in pwa/js/validators.js (Python's \s and JavaScript's \s
# disagree on a few characters, so neither is used): ASCII spaces, tab and line breaks, no-break and
# typographic spaces, the line and paragraph separators, the ideographic space.
_SPACE_CLASS = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACES = re.compile(f"[{_SPACE_CLASS}]+")
_PHONE_SEPARATORS = re.compile(rf"[{_SPACE_CLASS}.\-()]")
# Bidirectional embeddings, overrides and isolates: they reorder what the desk reads (U+202A-202E, U+2066-2069).
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")

MOBILE_PREFIXES: Final[tuple[str, ...]] = _load_mobile_prefixes()
_PREFIX_SET: Final[frozenset[str]] = frozenset(MOBILE_PREFIXES)
_PREFIX_LENGTHS: Final[tuple[int, ...]] = tuple(sorted({len(prefix) for prefix in MOBILE_PREFIXES}))


def _problem(code: str, message_vi: str, message_en: str) -> Problem:
    return {"code": code, "message_vi": message_vi, "message_en": message_en}


def normalise_personal_id(text: str) -> str:
    """The ID number as it is stored and compared: NFC, without the spaces people type between groups.

    ``" 001 095 012 345 "`` becomes ``"001095012345"``. Only whitespace goes; anything else stays for
    check_personal_id to refuse.
    """
    return _SPACES.sub("", unicodedata.normalize("NFC", text))


def check_personal_id(number: str, *, sex: Sex | None = None, birth_year: int | None = None) -> list[Problem]:
    """Check a 12-digit personal ID number, and against the declared sex and birth year when given.

    The number is judged as normalise_personal_id leaves it: store that form, not what was typed.
    """
    if sex is not None and sex not in ("male", "female"):
        raise ValueError(f"sex must be 'male', 'female' or None, not {sex!r}")
    digits = normalise_personal_id(number)
    if not digits:
        return [
            _problem(
                "personal_id.empty", "Chưa nhập số định danh cá nhân.", "The personal ID number is missing."
            )
        ]
    if not _DIGITS.fullmatch(digits):
        return [
            _problem(
                "personal_id.not_digits",
                "Số định danh cá nhân chỉ gồm các chữ số.",
                "The personal ID number must contain digits only.",
            )
        ]
    if len(digits) != 12:
        return [
            _problem(
                "personal_id.wrong_length",
                "Số định danh cá nhân phải có đúng 12 chữ số.",
                "The personal ID number must have exactly 12 digits.",
            )
        ]

    problems: list[Problem] = []
    if digits[:3] not in PROVINCE_CODES:
        problems.append(
            _problem(
                "personal_id.province_unknown",
                "Ba chữ số đầu không phải là mã tỉnh, thành phố hợp lệ.",
                "The first three digits are not a known province code.",
            )
        )
    # Digit 4: 0/1 for the 1900s, 2/3 for the 2000s ... 8/9 for the 2300s; even is male, odd is female.
    century_sex = int(digits[3])
    century = 1900 + 100 * (century_sex // 2)
    is_female = century_sex % 2 == 1
    if sex is not None and (sex == "female") != is_female:
        problems.append(
            _problem(
                "personal_id.sex_mismatch",
                "Chữ số thứ 4 không khớp với giới tính đã khai.",
                "The 4th digit does not match the declared sex.",
            )
        )
    if birth_year is not None:
        if birth_year // 100 * 100 != century:
            problems.append(
                _problem(
                    "personal_id.century_mismatch",
                    "Chữ số thứ 4 không khớp với thế kỷ của năm sinh.",
                    "The 4th digit does not match the century of the birth year.",
                )
            )
        if birth_year % 100 != int(digits[4:6]):
            problems.append(
                _problem(
                    "personal_id.birth_year_mismatch",
                    "Chữ số thứ 5 và 6 không khớp với năm sinh.",
                    "Digits 5 and 6 do not match the birth year.",
                )
            )
    return problems


def check_mobile_phone(text: str) -> str | Problem:
    """Return the number as 0XXXXXXXXX, or the problem with it. Accepts +84, 84, 0084, spaces and dots."""
    compact = _PHONE_SEPARATORS.sub("", text)
    if not compact:
        return _problem("phone.empty", "Chưa nhập số điện thoại.", "The phone number is missing.")
    if compact.startswith("+"):
        if not compact.startswith("+84"):
            return _problem(
                "phone.not_vietnamese",
                "Chỉ nhận số điện thoại Việt Nam (+84).",
                "Only Vietnamese numbers (+84) are accepted.",
            )
        compact = "0" + compact[3:].removeprefix("0")
    elif compact.startswith("0084"):
        compact = "0" + compact[4:].removeprefix("0")
    elif compact.startswith("84") and len(compact) == 11:
        compact = "0" + compact[2:]
    if not _DIGITS.fullmatch(compact):
        return _problem(
            "phone.invalid_characters",
            "Số điện thoại chỉ gồm chữ số, có thể kèm +84, dấu cách hoặc dấu chấm.",
            "A phone number may contain only digits, with +84, spaces or dots.",
        )
    # Landlines (02x area codes, 11 digits) are told apart from typos: they are real numbers, not mobiles.
    if compact.startswith("02"):
        return _problem(
            "phone.not_mobile",
            "Đây không phải số di động Việt Nam (số cố định hoặc đầu số không hợp lệ).",
            "This is not a Vietnamese mobile number (a landline or an unknown prefix).",
        )
    if len(compact) != 10:
        return _problem(
            "phone.wrong_length",
            "Số di động phải có 10 chữ số, bắt đầu bằng số 0.",
            "A mobile number has 10 digits and starts with 0.",
        )
    if not any(compact[:length] in _PREFIX_SET for length in _PREFIX_LENGTHS):
        return _problem(
            "phone.not_mobile",
            "Đây không phải số di động Việt Nam (số cố định hoặc đầu số không hợp lệ).",
            "This is not a Vietnamese mobile number (a landline or an unknown prefix).",
        )
    return compact


def _is_hidden_or_control(char: str) -> bool:
    """Control (Cc), format (Cf: bidi overrides, zero-width), surrogate (Cs) and private-use (Co) characters."""
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co")


def normalise_name(text: str, *, max_length: int = 120) -> str | Problem:
    """A person's name as it is stored, or the problem with it.

    NFC; whitespace trimmed and each inner run made one space; refused when empty, when it holds a
    control or invisible character (bidi overrides, zero-width spaces, NUL...) or when it has no letter.
    Apostrophes, hyphens and dots stay: "H’Hen Niê", "Y Sol Ksor", "Nguyễn Thị Ánh" are names.
    """
    name = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip(" ")
    if not name:
        return _problem("name.empty", "Chưa nhập họ tên.", "The name is missing.")
    if any(_is_hidden_or_control(char) for char in name):
        return _problem(
            "name.control_characters",
            "Họ tên có ký tự điều khiển hoặc ký tự ẩn; hãy gõ lại.",
            "The name contains control or invisible characters; type it again.",
        )
    if not any(unicodedata.category(char).startswith("L") for char in name):
        return _problem(
            "name.no_letter",
            "Họ tên phải có ít nhất một chữ cái.",
            "A name must contain at least one letter.",
        )
    if len(name) > max_length:
        return _problem(
            "name.too_long",
            f"Họ tên tối đa {max_length} ký tự.",
            f"A name has at most {max_length} characters.",
        )
    return name


def check_free_text(text: str, max_length: int) -> str | Problem:
    """Free text (a note, a consent's wording) as it is stored, or the problem with it.

    NFC, line ends made \\n. Refused: NUL and every other control character but tab and line feed,
    lone surrogates, and the bidi embeddings, overrides and isolates that reorder what a reader sees;
    and more than ``max_length`` characters (code points). Empty text is fine; nothing is trimmed.
    """
    checked = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if _BIDI_CONTROLS.search(checked) or any(
        char not in "\t\n" and unicodedata.category(char) in ("Cc", "Cs") for char in checked
    ):
        return _problem(
            "text.control_characters",
            "Nội dung có ký tự điều khiển không được phép; hãy gõ lại.",
            "The text contains control characters that are not allowed; type it again.",
        )
    if len(checked) > max_length:
        return _problem("text.too_long", f"Tối đa {max_length} ký tự.", f"At most {max_length} characters.")
    return checked


def _parse_iso_date(text: str) -> date | None:
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _today(today: str | date) -> date:
    if isinstance(today, date):
        return today
    parsed = _parse_iso_date(today)
    if parsed is None:
        raise ValueError(f"today must be a YYYY-MM-DD date, not {today!r}")
    return parsed


def check_date_not_future(iso_date: str, today: str | date) -> list[Problem]:
    """Check that a YYYY-MM-DD date exists and is not after today."""
    day = _parse_iso_date(iso_date)
    if day is None:
        return [
            _problem(
                "date.invalid",
                "Ngày không hợp lệ (cần dạng năm-tháng-ngày, ví dụ 1990-05-31).",
                "Not a valid date (expected YYYY-MM-DD, e.g. 1990-05-31).",
            )
        ]
    if day > _today(today):
        return [_problem("date.in_future", "Ngày này nằm ở tương lai.", "This date is in the future.")]
    return []


def age_on(birth: date, today: date) -> int:
    """Whole years lived; someone born on 29 February turns a year older on 1 March in common years."""
    years = today.year - birth.year
    if (today.month, today.day) < (birth.month, birth.day):
        years -= 1
    return years


def check_age(
    birth_date: str, today: str | date, min_age: int | None = None, max_age: int | None = None
) -> list[Problem]:
    """Check that a date of birth gives an age that makes sense for the procedure."""
    problems = check_date_not_future(birth_date, today)
    if problems:
        return problems
    birth = _parse_iso_date(birth_date)
    assert birth is not None  # checked just above
    age = age_on(birth, _today(today))
    if min_age is not None and age < min_age:
        problems.append(
            _problem("age.too_young", f"Chưa đủ {min_age} tuổi.", f"Younger than {min_age} years.")
        )
    if max_age is not None and age > max_age:
        problems.append(
            _problem(
                "age.too_old",
                f"Trên {max_age} tuổi, hãy kiểm tra lại ngày sinh.",
                f"Older than {max_age} years; check the date of birth.",
            )
        )
    return problems


def mask_personal_id(number: str) -> str:
    """Hide all but the last four characters, for lists and logs: ********1234."""
    text = normalise_personal_id(number)
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]


# ---- The mobile prefix table, from phonenumbers -------------------------------------------------------

# Rests of numbers tried under a prefix: every next digit, each followed by zeros, nines and a mix.
_TAILS: Final = tuple(
    f"{digit}{rest}" for digit in "0123456789" for rest in ("00000000", "99999999", "31415926")
)
_JS_BEGIN: Final = "// BEGIN MOBILE_PREFIXES"
_JS_END: Final = "// END MOBILE_PREFIXES"


def mobile_prefixes_from_phonenumbers() -> list[str]:
    """The shortest prefixes (with the leading 0, at least three digits) under which phonenumbers calls every
    10-digit Vietnamese number a mobile, e.g. 032 but only 0896-0899 of 089.

    Every 4-digit national prefix is tried with 30 different rests, and deeper where they disagree; the
    metadata's patterns are digit classes followed by ``\\d{n}``, so the walk finds them exactly.
    """
    from phonenumbers import PhoneNumber, PhoneNumberType, number_type

    def mobile(national: str) -> bool:
        return (
            number_type(PhoneNumber(country_code=84, national_number=int(national))) == PhoneNumberType.MOBILE
        )

    def cover(prefix: str) -> list[str]:
        if len(prefix) >= 4:
            verdicts = {mobile(prefix + tail[: 9 - len(prefix)]) for tail in _TAILS}
            if verdicts == {True}:
                return [prefix]
            if verdicts == {False}:
                return []
            if len(prefix) >= 7:
                raise RuntimeError(
                    f"phonenumbers' Vietnamese mobile ranges do not end in whole prefixes: {prefix}"
                )
        children = [found for digit in "0123456789" for found in cover(prefix + digit)]
        if len(prefix) >= 2 and children == [prefix + digit for digit in "0123456789"]:
            return [prefix]
        return children

    return ["0" + prefix for prefix in cover("")]


def mobile_prefixes_document(prefixes: list[str]) -> str:
    """schemas/vn-mobile-prefixes.json as the generator writes it."""
    from importlib.metadata import version

    document = {
        "about": "Vietnamese mobile prefixes (numbers written with the leading 0): a 10-digit number is a mobile "
        "when it starts with one of them. Generated from the phonenumbers package (Google's libphonenumber "
        "metadata) by `python -m motcua.identity.service`; do not edit. Read by "
        "backend/motcua/identity/service.py, copied into pwa/js/validators.js by the same command.",
        "phonenumbers": version("phonenumbers"),
        "prefixes": prefixes,
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def js_prefix_block(prefixes: list[str]) -> str:
    """The lines of pwa/js/validators.js that hold its copy of the table, markers included."""
    rows = "".join(
        f"  {', '.join(json.dumps(p) for p in prefixes[i : i + 12])},\n" for i in range(0, len(prefixes), 12)
    )
    return f"{_JS_BEGIN}\nexport const MOBILE_PREFIXES = Object.freeze([\n{rows}]);\n{_JS_END}"


def js_prefix_block_in(source: str) -> str:
    """The table's block as it stands in pwa/js/validators.js."""
    start, end = source.index(_JS_BEGIN), source.index(_JS_END) + len(_JS_END)
    return source[start:end]


def write_mobile_prefixes(schemas: Path, pwa: Path) -> list[str]:
    """Write the table from the installed phonenumbers into the JSON file and the PWA's copy."""
    prefixes = mobile_prefixes_from_phonenumbers()
    (schemas / MOBILE_PREFIXES_FILE).write_text(mobile_prefixes_document(prefixes), encoding="utf-8")
    js = pwa / "js" / "validators.js"
    source = js.read_text(encoding="utf-8")
    js.write_text(source.replace(js_prefix_block_in(source), js_prefix_block(prefixes)), encoding="utf-8")
    return prefixes


if __name__ == "__main__":
    written = write_mobile_prefixes(resource_dir("schemas"), resource_dir("pwa"))
    sys.stdout.write(f"{len(written)} mobile prefixes: {' '.join(written)}\n")
