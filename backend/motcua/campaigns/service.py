"""Creating campaigns, finding them within the user's places, and their progress.

Progress counts over the campaign's own dates and commune, with the dashboard's
definitions (``motcua.metrics.service``): digital citizens completed, dossiers written and
villages visited in those dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.principal import Principal
from motcua.campaigns.models import Campaign
from motcua.errors import ApiError, FieldError
from motcua.i18n import VIETNAM_TIME
from motcua.metrics.service import Filters, target_counts
from motcua.places.models import Commune, Village
from motcua.places.schemas import is_place_code
from motcua.places.service import commune_filter

TARGETS = ("target_digital_citizens", "target_dossiers", "target_villages")
MAX_TARGET = 10_000_000


def today() -> date:
    return datetime.now(VIETNAM_TIME).date()


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _count(text: str) -> int | None:
    clean = text.strip().replace(".", "").replace(",", "").replace(" ", "")
    if not clean.isdigit():
        return None
    value = int(clean)
    return value if value <= MAX_TARGET else None


async def create_campaign(db: AsyncSession, principal: Principal, form: Mapping[str, str]) -> Campaign:
    """A new campaign from the form, or an ApiError naming every field that is wrong."""
    problems: list[FieldError] = []
    name = " ".join(form.get("name", "").split())
    if not name or len(name) > 200:
        problems.append(
            FieldError(
                "name",
                "required",
                "Cần nhập tên chiến dịch (tối đa 200 ký tự).",
                "Enter a name of up to 200 characters.",
            )
        )
    commune = None
    code = form.get("commune", "").strip()
    if code.isdigit() and is_place_code(int(code)):
        commune = await db.get(Commune, int(code))
    if commune is not None and not principal.may_act_in(commune):
        commune = None  # another commune's villages are not counted, nor named
    if commune is None:
        problems.append(
            FieldError(
                "commune",
                "scope.outside",
                "Chọn một xã trong địa bàn của bạn.",
                "Choose a commune within your places.",
            )
        )
    starts_on, ends_on = _date(form.get("starts_on", "")), _date(form.get("ends_on", ""))
    if starts_on is None:
        problems.append(
            FieldError("starts_on", "invalid_date", "Cần chọn ngày bắt đầu.", "Choose the start date.")
        )
    if ends_on is None:
        problems.append(
            FieldError("ends_on", "invalid_date", "Cần chọn ngày kết thúc.", "Choose the end date.")
        )
    elif starts_on is not None and ends_on < starts_on:
        problems.append(
            FieldError(
                "ends_on",
                "before_start",
                "Ngày kết thúc phải từ ngày bắt đầu trở đi.",
                "The end date must be on or after the start date.",
            )
        )
    targets: dict[str, int] = {}
    for key in TARGETS:
        value = _count(form.get(key, ""))
        if value is None:
            problems.append(
                FieldError(
                    key,
                    "not_a_count",
                    "Chỉ tiêu là số nguyên từ 0 trở lên.",
                    "A target is a whole number, 0 or more.",
                )
            )
        else:
            targets[key] = value
    if commune is not None and "target_villages" in targets:
        villages = (await village_counts(db, [commune.code]))[commune.code]
        if targets["target_villages"] > villages:
            problems.append(too_many_villages(commune, villages))
    if problems or commune is None or starts_on is None or ends_on is None:
        raise ApiError(
            400,
            "campaign.invalid",
            "Chưa tạo được chiến dịch: xem các ô được đánh dấu.",
            "The campaign was not created: see the marked fields.",
            problems,
        )
    campaign = Campaign(
        commune_code=commune.code,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=principal.user_id,
        **targets,
    )
    db.add(campaign)
    await db.flush()
    return campaign


def too_many_villages(commune: Commune, villages: int) -> FieldError:
    """A campaign cannot visit more villages than its commune has."""
    return FieldError(
        "target_villages",
        "target.above_villages",
        f"{commune.name} có {villages} thôn/buôn: chỉ tiêu thôn đã đến tối đa là {villages}.",
        f"{commune.name} has {villages} villages: the villages target is at most {villages}.",
    )


async def village_counts(db: AsyncSession, codes: list[int]) -> dict[int, int]:
    """How many villages each commune of ``codes`` has (0 for one without any)."""
    found = await db.execute(
        select(Village.commune_code, func.count())
        .where(Village.commune_code.in_(codes))
        .group_by(Village.commune_code)
    )
    return dict.fromkeys(codes, 0) | dict(found.all())


async def communes_to_offer(db: AsyncSession, principal: Principal) -> list[Commune]:
    """Communes to choose from in a form: the user's own, or for an admin those with villages."""
    query = select(Commune).order_by(Commune.province_code, Commune.name)
    if principal.is_admin:
        # Thousands of communes: offer those where there is work (a village) to look at.
        return list(await db.scalars(query.where(Commune.code.in_(select(Village.commune_code)))))
    return list(await db.scalars(query.where(commune_filter(principal))))


async def campaigns_in_scope(db: AsyncSession, principal: Principal, limit: int = 100) -> list[Campaign]:
    """The user's campaigns, the newest start first."""
    in_scope = select(Commune.code).where(commune_filter(principal))
    return list(
        await db.scalars(
            select(Campaign)
            .where(Campaign.commune_code.in_(in_scope))
            .order_by(Campaign.starts_on.desc(), Campaign.name)
            .limit(limit)
        )
    )


async def campaign_in_scope(db: AsyncSession, principal: Principal, campaign_id: UUID) -> Campaign:
    campaign = await db.get(Campaign, campaign_id)
    commune = await db.get(Commune, campaign.commune_code) if campaign else None
    if campaign is None or commune is None or not principal.may_act_in(commune):
        # Another commune's campaign answers as if it did not exist.
        raise ApiError(404, "campaign.not_found", "Không tìm thấy chiến dịch.", "No such campaign.")
    return campaign


@dataclass(frozen=True)
class Target:
    key: str  # digital_citizens, dossiers, villages
    value: int
    target: int
    expected: float | None  # where the count should be by today at an even pace

    @property
    def reached(self) -> bool:
        return self.value >= self.target


@dataclass(frozen=True)
class Progress:
    campaign: Campaign
    today: date
    targets: list[Target]

    @property
    def days(self) -> int:
        return (self.campaign.ends_on - self.campaign.starts_on).days + 1

    @property
    def phase(self) -> str:
        if self.today < self.campaign.starts_on:
            return "upcoming"
        return "ended" if self.today > self.campaign.ends_on else "running"

    @property
    def days_left(self) -> int:
        """Days still to work, today included (0 once it has ended)."""
        if self.phase == "upcoming":
            return self.days
        return max((self.campaign.ends_on - self.today).days + 1, 0)

    @property
    def days_to_start(self) -> int:
        return max((self.campaign.starts_on - self.today).days, 0)


def campaign_filters(campaign: Campaign) -> Filters:
    return Filters((campaign.commune_code,), campaign.starts_on, campaign.ends_on)


async def progress(db: AsyncSession, campaign: Campaign, on: date | None = None) -> Progress:
    on = on or today()
    citizens, dossiers, villages = await target_counts(db, campaign_filters(campaign))
    days = (campaign.ends_on - campaign.starts_on).days + 1
    elapsed = min(max((on - campaign.starts_on).days + 1, 0), days)
    share = elapsed / days if on <= campaign.ends_on else None

    def target(key: str, value: int, goal: int) -> Target:
        return Target(key, value, goal, goal * share if share is not None else None)

    return Progress(
        campaign,
        on,
        [
            target("digital_citizens", citizens, campaign.target_digital_citizens),
            target("dossiers", dossiers, campaign.target_dossiers),
            target("villages", villages, campaign.target_villages),
        ],
    )
