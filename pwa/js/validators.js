// Checks of ID numbers, phones, names, dates and ages; the same rules as backend/motcua/identity/service.py
// (one case table for both: tests/fixtures/validator_cases.json).

/**
 * @typedef {{code: string, message_vi: string, message_en: string}} Problem
 */

// Circular 07/2016/TT-BCA; pre-2025-merger codes, all 63 accepted (facts/identity.md).
export const PROVINCE_CODES = Object.freeze({
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
});

// Copy of schemas/vn-mobile-prefixes.json (kept inline so the module stays synchronous);
// regenerate with `python -m motcua.identity.service`.
// biome-ignore format: written by `python -m motcua.identity.service` as tests/catalogue expect
// BEGIN MOBILE_PREFIXES
export const MOBILE_PREFIXES = Object.freeze([
  "01210", "01211", "01212", "01213", "0140", "0160", "030", "031", "032", "033", "034", "035",
  "036", "037", "038", "039", "051", "0522", "0523", "0528", "0559", "056", "058", "059",
  "070", "076", "077", "078", "079", "081", "082", "083", "084", "085", "086", "087",
  "088", "0896", "0897", "0898", "0899", "090", "091", "092", "093", "094", "095", "096",
  "097", "098", "0990", "0991", "0993", "0994", "0995", "0996", "0997", "0998", "0999",
]);
// END MOBILE_PREFIXES
const PREFIX_SET = new Set(MOBILE_PREFIXES);
const PREFIX_LENGTHS = [...new Set(MOBILE_PREFIXES.map((prefix) => prefix.length))].sort((a, b) => a - b);

const DIGITS = /^[0-9]+$/;
const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
// Explicit whitespace: Python's and JavaScript's \s disagree.
const SPACE_CLASS = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const SPACES = new RegExp(`[${SPACE_CLASS}]+`, "gu");
const PHONE_SEPARATORS = new RegExp(`[${SPACE_CLASS}.\\-()]`, "gu");
// Bidi embeddings, overrides and isolates.
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/u;
const HIDDEN_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}]/u;
// Controls but tab and line feed, and lone surrogates.
const FREE_TEXT_CONTROL = /(?![\t\n])[\p{Cc}\p{Cs}]/u;
const LETTER = /\p{L}/u;

/** @returns {Problem} */
function problem(code, messageVi, messageEn) {
  return { code, message_vi: messageVi, message_en: messageEn };
}

/** The ID number as stored: NFC, spaces removed. */
export function normalisePersonalId(text) {
  return text.normalize("NFC").replace(SPACES, "");
}

/**
 * Check a 12-digit ID number (normalised), against sex and birth year when given.
 * @returns {Problem[]}
 */
export function checkPersonalId(number, { sex = null, birthYear = null } = {}) {
  if (sex !== null && sex !== "male" && sex !== "female") {
    throw new RangeError(`sex must be "male", "female" or null, not ${JSON.stringify(sex)}`);
  }
  const digits = normalisePersonalId(number);
  if (!digits) {
    return [
      problem("personal_id.empty", "Chưa nhập số định danh cá nhân.", "The personal ID number is missing."),
    ];
  }
  if (!DIGITS.test(digits)) {
    return [
      problem(
        "personal_id.not_digits",
        "Số định danh cá nhân chỉ gồm các chữ số.",
        "The personal ID number must contain digits only.",
      ),
    ];
  }
  if (digits.length !== 12) {
    return [
      problem(
        "personal_id.wrong_length",
        "Số định danh cá nhân phải có đúng 12 chữ số.",
        "The personal ID number must have exactly 12 digits.",
      ),
    ];
  }

  const problems = [];
  if (!Object.hasOwn(PROVINCE_CODES, digits.slice(0, 3))) {
    problems.push(
      problem(
        "personal_id.province_unknown",
        "Ba chữ số đầu không phải là mã tỉnh, thành phố hợp lệ.",
        "The first three digits are not a known province code.",
      ),
    );
  }
  // Digit 4: 0/1 1900s, 2/3 2000s...; even male, odd female.
  const centurySex = Number(digits[3]);
  const century = 1900 + 100 * Math.floor(centurySex / 2);
  const isFemale = centurySex % 2 === 1;
  if (sex !== null && (sex === "female") !== isFemale) {
    problems.push(
      problem(
        "personal_id.sex_mismatch",
        "Chữ số thứ 4 không khớp với giới tính đã khai.",
        "The 4th digit does not match the declared sex.",
      ),
    );
  }
  if (birthYear !== null) {
    // Floor division and non-negative remainder, as in Python.
    if (Math.floor(birthYear / 100) * 100 !== century) {
      problems.push(
        problem(
          "personal_id.century_mismatch",
          "Chữ số thứ 4 không khớp với thế kỷ của năm sinh.",
          "The 4th digit does not match the century of the birth year.",
        ),
      );
    }
    if (((birthYear % 100) + 100) % 100 !== Number(digits.slice(4, 6))) {
      problems.push(
        problem(
          "personal_id.birth_year_mismatch",
          "Chữ số thứ 5 và 6 không khớp với năm sinh.",
          "Digits 5 and 6 do not match the birth year.",
        ),
      );
    }
  }
  return problems;
}

const NOT_MOBILE = [
  "phone.not_mobile",
  "Đây không phải số di động Việt Nam (số cố định hoặc đầu số không hợp lệ).",
  "This is not a Vietnamese mobile number (a landline or an unknown prefix).",
];

/** The number as 0XXXXXXXXX (from +84, 84, 0084, spaces, dots), or a Problem. */
export function checkMobilePhone(text) {
  let compact = text.replace(PHONE_SEPARATORS, "");
  if (!compact) {
    return problem("phone.empty", "Chưa nhập số điện thoại.", "The phone number is missing.");
  }
  if (compact.startsWith("+")) {
    if (!compact.startsWith("+84")) {
      return problem(
        "phone.not_vietnamese",
        "Chỉ nhận số điện thoại Việt Nam (+84).",
        "Only Vietnamese numbers (+84) are accepted.",
      );
    }
    compact = `0${withoutLeadingZero(compact.slice(3))}`;
  } else if (compact.startsWith("0084")) {
    compact = `0${withoutLeadingZero(compact.slice(4))}`;
  } else if (compact.startsWith("84") && compact.length === 11) {
    compact = `0${compact.slice(2)}`;
  }
  if (!DIGITS.test(compact)) {
    return problem(
      "phone.invalid_characters",
      "Số điện thoại chỉ gồm chữ số, có thể kèm +84, dấu cách hoặc dấu chấm.",
      "A phone number may contain only digits, with +84, spaces or dots.",
    );
  }
  // Landlines (02x) are real numbers, not typos.
  if (compact.startsWith("02")) {
    return problem(...NOT_MOBILE);
  }
  if (compact.length !== 10) {
    return problem(
      "phone.wrong_length",
      "Số di động phải có 10 chữ số, bắt đầu bằng số 0.",
      "A mobile number has 10 digits and starts with 0.",
    );
  }
  if (!PREFIX_LENGTHS.some((length) => PREFIX_SET.has(compact.slice(0, length)))) {
    return problem(...NOT_MOBILE);
  }
  return compact;
}

function withoutLeadingZero(text) {
  return text.startsWith("0") ? text.slice(1) : text;
}

/** A name as stored (NFC, spaces collapsed), or a Problem; punctuation stays: "H’Hen Niê". */
export function normaliseName(text, { maxLength = 120 } = {}) {
  const name = text.normalize("NFC").replace(SPACES, " ").replace(/^ | $/g, "");
  if (!name) return problem("name.empty", "Chưa nhập họ tên.", "The name is missing.");
  if (HIDDEN_OR_CONTROL.test(name)) {
    return problem(
      "name.control_characters",
      "Họ tên có ký tự điều khiển hoặc ký tự ẩn; hãy gõ lại.",
      "The name contains control or invisible characters; type it again.",
    );
  }
  if (!LETTER.test(name)) {
    return problem(
      "name.no_letter",
      "Họ tên phải có ít nhất một chữ cái.",
      "A name must contain at least one letter.",
    );
  }
  if ([...name].length > maxLength) {
    return problem(
      "name.too_long",
      `Họ tên tối đa ${maxLength} ký tự.`,
      `A name has at most ${maxLength} characters.`,
    );
  }
  return name;
}

/** Free text as stored (NFC, \n line ends, untrimmed), or a Problem. */
export function checkFreeText(text, maxLength) {
  const checked = text.normalize("NFC").replace(/\r\n?/g, "\n");
  if (BIDI_CONTROLS.test(checked) || FREE_TEXT_CONTROL.test(checked)) {
    return problem(
      "text.control_characters",
      "Nội dung có ký tự điều khiển không được phép; hãy gõ lại.",
      "The text contains control characters that are not allowed; type it again.",
    );
  }
  if ([...checked].length > maxLength) {
    return problem("text.too_long", `Tối đa ${maxLength} ký tự.`, `At most ${maxLength} characters.`);
  }
  return checked;
}

/** [year, month, day] of an existing YYYY-MM-DD date, or null; no Date, so no time zone. */
function parseIsoDate(text) {
  const match = ISO_DATE.exec(text);
  if (match === null) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= daysInMonth ? [year, month, day] : null;
}

/** Today as [year, month, day]; a Date counts in local time. */
function parseToday(today) {
  if (today instanceof Date) {
    return [today.getFullYear(), today.getMonth() + 1, today.getDate()];
  }
  const parsed = parseIsoDate(today);
  if (parsed === null) {
    throw new RangeError(`today must be a YYYY-MM-DD date, not ${JSON.stringify(today)}`);
  }
  return parsed;
}

function compareDates(a, b) {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** @returns {Problem[]} unless a YYYY-MM-DD date exists and is not after today. */
export function checkDateNotFuture(isoDate, today) {
  const day = parseIsoDate(isoDate);
  if (day === null) {
    return [
      problem(
        "date.invalid",
        "Ngày không hợp lệ (cần dạng năm-tháng-ngày, ví dụ 1990-05-31).",
        "Not a valid date (expected YYYY-MM-DD, e.g. 1990-05-31).",
      ),
    ];
  }
  if (compareDates(day, parseToday(today)) > 0) {
    return [problem("date.in_future", "Ngày này nằm ở tương lai.", "This date is in the future.")];
  }
  return [];
}

/** Whole years lived (29 February birthdays count from 1 March). */
function ageOn(birth, today) {
  let years = today[0] - birth[0];
  if (today[1] < birth[1] || (today[1] === birth[1] && today[2] < birth[2])) years -= 1;
  return years;
}

/** @returns {Problem[]} for a birth date out of the procedure's age range. */
export function checkAge(birthDate, today, minAge = null, maxAge = null) {
  const problems = checkDateNotFuture(birthDate, today);
  if (problems.length) return problems;
  const age = ageOn(parseIsoDate(birthDate), parseToday(today));
  if (minAge !== null && age < minAge) {
    problems.push(problem("age.too_young", `Chưa đủ ${minAge} tuổi.`, `Younger than ${minAge} years.`));
  }
  if (maxAge !== null && age > maxAge) {
    problems.push(
      problem(
        "age.too_old",
        `Trên ${maxAge} tuổi, hãy kiểm tra lại ngày sinh.`,
        `Older than ${maxAge} years; check the date of birth.`,
      ),
    );
  }
  return problems;
}

/** ********1234: all but the last four hidden. */
export function maskPersonalId(number) {
  const text = normalisePersonalId(number);
  if (text.length <= 4) return "*".repeat(text.length);
  return "*".repeat(text.length - 4) + text.slice(-4);
}
