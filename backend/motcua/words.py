"""What a dossier's status means, said to the resident in words a grandmother understands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from motcua.i18n import local_time


@dataclass(frozen=True)
class Said:
    """One sentence in both languages: Vietnamese first, English second."""

    vi: str
    en: str


def honorific(sex: str | None) -> str:
    """How the page addresses the resident: "bà" for a woman, "ông" for a man."""
    return "bà" if sex == "female" else "ông"


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
        return Said(f"Xã đã nhận hồ sơ của {you}.", "The commune has received your dossier.")
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
            f"Đã có kết quả, mời {you} đến nhận tại {desk.vi}.",
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


# The steps of the timeline, short, in the past tense.
TIMELINE: dict[str, Said] = {
    "received": Said("Xã đã nhận hồ sơ", "The commune received the dossier"),
    "accepted": Said("Cán bộ xã tiếp nhận hồ sơ", "A commune officer accepted it"),
    "in_progress": Said("Xã bắt đầu giải quyết", "The commune started working on it"),
    "needs_supplement": Said("Xã đề nghị bổ sung giấy tờ", "The commune asked for more papers"),
    "ready": Said("Đã có kết quả", "The result was ready"),
    "delivered": Said("Đã trả kết quả", "The result was handed over"),
    "rejected": Said("Xã không giải quyết hồ sơ", "The commune turned the request down"),
    "withdrawn": Said("Hồ sơ được rút lại", "The dossier was withdrawn"),
}

# Statuses the resident has to act on: a push for them is sent with Urgency high, and a
# resident not reached by push appears on the volunteer's "call or visit" list.
ACT_ON = ("needs_supplement", "ready", "rejected")
