"""Checks of personal ID numbers, phones, dates and ages; pwa/js/validators.js applies the same rules.

Both implementations are driven by one case table, tests/fixtures/validator_cases.json: change a rule or
a message here, change it there too, and add the case to the table.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final, Literal, TypedDict


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

# Only the prefixes listed in facts/identity.md: Viettel, VinaPhone, MobiFone, Vietnamobile, Gmobile.
MOBILE_PREFIXES: Final[frozenset[str]] = frozenset(
    [
        *(f"03{d}" for d in "23456789"),
        "086",
        "096",
        "097",
        "098",
        *(f"08{d}" for d in "12345"),
        "088",
        "091",
        "094",
        "070",
        "076",
        "077",
        "078",
        "079",
        "089",
        "090",
        "093",
        "056",
        "058",
        "059",
    ]
)

_DIGITS = re.compile(r"[0-9]+")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def _problem(code: str, message_vi: str, message_en: str) -> Problem:
    return {"code": code, "message_vi": message_vi, "message_en": message_en}


def check_personal_id(number: str, *, sex: Sex | None = None, birth_year: int | None = None) -> list[Problem]:
    """Check a 12-digit personal ID number, and against the declared sex and birth year when given."""
    if sex is not None and sex not in ("male", "female"):
        raise ValueError(f"sex must be 'male', 'female' or None, not {sex!r}")
    digits = number.strip()
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
    if compact[:3] not in MOBILE_PREFIXES:
        return _problem(
            "phone.not_mobile",
            "Đây không phải số di động Việt Nam (số cố định hoặc đầu số không hợp lệ).",
            "This is not a Vietnamese mobile number (a landline or an unknown prefix).",
        )
    return compact


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
    text = number.strip()
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]
