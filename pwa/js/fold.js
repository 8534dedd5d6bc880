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

export const digitsOf = (text) => String(text ?? "").replace(/[^0-9]/g, "");

/** A phone number as its last nine digits, so 0912…, +84912… and 84912… match each other. */
export const phoneKey = (text) => digitsOf(text).slice(-9);

/** Procedures whose name matches every word of the query (folded, by substring). */
export function matchesText(text, query) {
  const haystack = fold(text);
  return fold(query)
    .split(" ")
    .every((token) => haystack.includes(token));
}
