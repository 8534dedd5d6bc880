"""Demo data: a real commune of Đắk Lắk with five villages and one account of each kind."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import User
from motcua.accounts.users import create_user
from motcua.places.models import Commune, Village

DEMO_COMMUNE_CODE = 24235  # Xã Buôn Đôn, Đắk Lắk (official code, 2025 dataset)
DEMO_VILLAGES = ("Buôn Trí A", "Buôn Jang Lành", "Buôn Ea Rông", "Thôn Hà Bắc", "Buôn Ko Tam")
DEMO_PASSWORD = "motcua-demo"  # noqa: S105 - printed for anyone trying the demo


@dataclass(frozen=True)
class DemoAccount:
    phone: str
    full_name: str
    role: str


DEMO_ACCOUNTS = (
    DemoAccount("0901000000", "Quản trị Demo", "admin"),
    DemoAccount("0901000001", "Y Blô Điều Phối", "coordinator"),
    DemoAccount("0901000002", "Nguyễn Thị Một Cửa", "desk_officer"),
    DemoAccount("0901000011", "H’Hen Niê", "volunteer"),
    DemoAccount("0901000012", "Trần Văn Bình", "volunteer"),
    DemoAccount("0901000013", "Y Sol Ksor", "volunteer"),
    DemoAccount("0901000014", "Lê Thị Hoa", "volunteer"),
)


async def seed_demo(db: AsyncSession) -> tuple[Commune, list[DemoAccount]]:
    """Create what is missing and leave the rest alone: running it twice changes nothing."""
    commune = await db.get(Commune, DEMO_COMMUNE_CODE)
    if commune is None:
        raise RuntimeError("the places are not loaded: run `motcua db upgrade` first")
    have = set(await db.scalars(select(Village.name).where(Village.commune_code == commune.code)))
    for name in DEMO_VILLAGES:
        if name not in have:
            db.add(Village(commune_code=commune.code, name=name))
    phones = set(await db.scalars(select(User.phone)))
    for account in DEMO_ACCOUNTS:
        if account.phone not in phones:
            await create_user(
                db,
                phone=account.phone,
                full_name=account.full_name,
                role=account.role,
                password=DEMO_PASSWORD,
                commune_codes=[] if account.role == "admin" else [commune.code],
            )
    await db.flush()
    return commune, list(DEMO_ACCOUNTS)
