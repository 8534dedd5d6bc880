"""The words both the server and the volunteer app show (schemas/words.json, read once), and what a
dossier's status means, said to the resident in words a grandmother understands.

``python -m motcua.words`` copies the catalogue into pwa/js/words.js, the app's offline copy.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from jinja2 import pass_context

from motcua.i18n import VIETNAM_TIME, current_lang, local_time, translate
from motcua.resources import resource_dir

WORDS_FILE: Final = "words.json"
JS_FILE: Final = "words.js"
_JS_LINE_WIDTH: Final = 110  # biome.json


@dataclass(frozen=True)
class Said:
    """One sentence in both languages: Vietnamese first, English second."""

    vi: str
    en: str

    def in_lang(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


def read_catalogue(schemas: Path) -> dict[str, dict[str, Said]]:
    """schemas/words.json as sections of ``key → Said`` (its ``about`` left out)."""
    document: dict[str, Any] = json.loads((schemas / WORDS_FILE).read_text(encoding="utf-8"))
    return {
        section: {key: Said(pair["vi"], pair["en"]) for key, pair in entries.items()}
        for section, entries in document.items()
        if section != "about"
    }


CATALOGUE: Final = read_catalogue(resource_dir("schemas"))
# A dossier's status by name: the desk, the dashboard and its exports, the status page, push
# messages and the phone all say these, and nothing else.
STATUS: Final[dict[str, Said]] = CATALOGUE["status"]
# Where a dossier stands against its deadline: ``overdue``, ``due_soon``.
DEADLINE: Final[dict[str, Said]] = CATALOGUE["deadline"]


def status_name(status: str, lang: str = "vi") -> str:
    """The catalogue's name of ``status`` in ``lang`` (an unknown status as it is written)."""
    said = STATUS.get(status)
    return said.in_lang(lang) if said else status


@pass_context
def status_word(context: Any, status: str) -> str:
    """Jinja global: the status's name in the request's language."""
    return status_name(status, current_lang(context))


@pass_context
def deadline_word(context: Any, key: str) -> str:
    """Jinja global: ``overdue`` or ``due_soon`` in the request's language."""
    return DEADLINE[key].in_lang(current_lang(context))


def words_js(schemas: Path) -> str:
    """pwa/js/words.js as the generator writes it from schemas/words.json (formatted as Biome wants)."""
    lines = [
        "// The words the server shows too, from schemas/words.json: written by `python -m motcua.words`;",
        "// do not edit. pwa/js/i18n.js reads them (status.*, deadline.*).",
        "",
        "export const WORDS = Object.freeze({",
    ]
    for section, entries in read_catalogue(schemas).items():
        lines.append(f"  {section}: {{")
        for key, said in entries.items():
            vi, en = json.dumps(said.vi, ensure_ascii=False), json.dumps(said.en, ensure_ascii=False)
            line = f"    {key}: {{ vi: {vi}, en: {en} }},"
            if len(line) > _JS_LINE_WIDTH:
                line = f"    {key}: {{\n      vi: {vi},\n      en: {en},\n    }},"
            lines.append(line)
        lines.append("  },")
    lines.append("});")
    return "\n".join(lines) + "\n"


def write_words_js(schemas: Path, pwa: Path) -> Path:
    """Write the app's copy of the catalogue; returns where."""
    target = pwa / "js" / JS_FILE
    target.write_text(words_js(schemas), encoding="utf-8")
    return target


def honorific(sex: str | None) -> str:
    """How the page addresses the resident: "bà" for a woman, "ông" for a man."""
    return "bà" if sex == "female" else "ông"


_WEEKDAY_KEYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def day_with_weekday(moment: datetime) -> Said:
    """A stored UTC time as the day people in Vietnam read it: ``Thứ Ba, 24/11/2026``."""
    local = moment.astimezone(VIETNAM_TIME)
    key = f"weekday_{_WEEKDAY_KEYS[local.weekday()]}"
    day = local.strftime("%d/%m/%Y")
    return Said(f"{translate(key, 'vi')}, {day}", f"{translate(key, 'en')}, {day}")


def desk_of(commune_name: str) -> Said:
    return Said(f"Bộ phận một cửa, UBND {commune_name}", f"the one-stop desk of {commune_name}")


def status_sentence(
    status: str,
    *,
    sex: str | None,
    commune_name: str,
    deadline_at: datetime | None = None,
) -> Said:
    """The sentence the status page leads with, and the body of a resident's notification."""
    you = honorific(sex)
    desk = desk_of(commune_name)
    if status == "incomplete":
        return Said(
            f"Tình nguyện viên đang gửi hồ sơ của {you} lên xã.",
            "The volunteer is still sending your dossier to the commune.",
        )
    if status == "received":
        return Said(
            f"Hồ sơ của {you} đã đến xã, đang chờ cán bộ tiếp nhận.",
            "Your dossier has reached the commune and is waiting to be accepted.",
        )
    if status == "accepted":
        said = Said(
            f"Cán bộ xã đã tiếp nhận hồ sơ của {you}.", "A commune officer has accepted your dossier."
        )
        if deadline_at is not None:
            when = local_time(deadline_at)
            said = Said(f"{said.vi} Hẹn trả kết quả: {when}.", f"{said.en} Result promised by {when}.")
        return said
    if status == "in_progress":
        return Said(f"Xã đang giải quyết hồ sơ của {you}.", "The commune is working on your dossier.")
    if status == "needs_supplement":
        return Said(
            f"Hồ sơ cần thêm giấy tờ. Mời {you} mang đến {desk.vi}, hoặc báo cho tình nguyện viên.",
            f"Some papers must be added. Please bring them to {desk.en}, or tell your volunteer.",
        )
    if status == "ready":
        return Said(
            f"Có kết quả, mời {you} đến nhận tại {desk.vi}.",
            f"The result is ready: please collect it at {desk.en}.",
        )
    if status == "delivered":
        return Said(
            f"{you.capitalize()} đã nhận kết quả. Cảm ơn {you}!", "You have received the result. Thank you!"
        )
    if status == "rejected":
        return Said("Xã không giải quyết được hồ sơ này.", "The commune could not grant this request.")
    if status == "withdrawn":
        return Said("Hồ sơ đã được rút lại.", "The dossier was withdrawn.")
    return Said(status, status)


if __name__ == "__main__":
    written = write_words_js(resource_dir("schemas"), resource_dir("pwa"))
    sys.stdout.write(f"{written}: {sum(len(entries) for entries in CATALOGUE.values())} words\n")
