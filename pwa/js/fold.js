// Offline search of residents and procedures: Vietnamese text folded to bare lowercase letters.

const MARKS = /[\u0300-\u036f]/g;
const PUNCTUATION = /[’‘'`´.,;:()\-_/]/g;

/** "Nguyễn Văn Ân", "NGUYEN VAN AN" and "nguyen  van an" all fold to "nguyen van an"; "H’Hen" to "hhen". */
export function fold(text) {
  return String(text ?? "")
    .normalize("NFD")
    .replace(MARKS, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(PUNCTUATION, "")
    .replace(/\s+/g, " ")
    .trim();
}

const digitsOf = (text) => String(text ?? "").replace(/[^0-9]/g, "");

/** A phone number as its last nine digits, so 0912…, +84912… and 84912… match each other. */
function phoneKey(text) {
  return digitsOf(text).slice(-9);
}

/** How well a resident matches a query (0: not): name words by prefix, digits in ID end or phone. */
export function matchScore(person, query) {
  const q = fold(query);
  if (!q) return 1;
  const compact = q.replace(/[\s+]/g, "");
  if (/^[0-9]+$/.test(compact)) {
    let score = 0;
    const id = digitsOf(person.personal_id);
    if (compact.length >= 3 && id.endsWith(compact)) score = Math.max(score, 50 + compact.length);
    const phone = digitsOf(person.phone);
    const queryPhone = compact.length >= 9 ? phoneKey(compact) : compact;
    if (compact.length >= 4 && phone && phoneKey(phone).includes(queryPhone)) {
      score = Math.max(score, 40 + compact.length);
    }
    return score;
  }
  const words = fold(person.full_name).split(" ");
  let score = 0;
  for (const token of q.split(" ")) {
    if (words.includes(token)) score += 3;
    else if (words.some((word) => word.startsWith(token))) score += 1;
    else return 0;
  }
  return score;
}

export function searchPeople(people, query, limit = 200) {
  const scored = [];
  for (const person of people) {
    const score = matchScore(person, query);
    if (score > 0) scored.push([score, fold(person.full_name), person]);
  }
  scored.sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return scored.slice(0, limit).map((entry) => entry[2]);
}

/** Procedures whose name matches every word of the query (folded, by substring). */
export function matchesText(text, query) {
  const haystack = fold(text);
  return fold(query)
    .split(" ")
    .every((token) => haystack.includes(token));
}
