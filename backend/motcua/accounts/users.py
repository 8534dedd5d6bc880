"""Creating users and finding them, shared by the API, the pages and the command line."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import ROLES, User, UserCommune, UserProvince
from motcua.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password
from motcua.accounts.phones import normalise_phone
from motcua.auth.principal import Principal
from motcua.errors import ApiError, FieldError
from motcua.identity.service import check_mobile_phone
from motcua.places.models import Commune, Province
from motcua.places.service import commune_filter


async def create_user(
    db: AsyncSession,
    *,
    phone: str,
    full_name: str,
    role: str,
    password: str,
    commune_codes: Iterable[int] = (),
    province_codes: Iterable[int] = (),
) -> User:
    """Validate and add a user; every problem is reported at once, field by field."""
    problems: list[FieldError] = []
    communes, provinces = sorted(set(commune_codes)), sorted(set(province_codes))
    checked = check_mobile_phone(phone)
    canonical = checked if isinstance(checked, str) else None
    if not isinstance(checked, str):
        problems.append(FieldError("phone", checked["code"], checked["message_vi"], checked["message_en"]))
    elif await db.scalar(select(User.id).where(User.phone == canonical)) is not None:
        problems.append(
            FieldError(
                "phone", "phone.taken", "Số điện thoại này đã có tài khoản.", "This number has an account."
            )
        )
    if not full_name.strip():
        problems.append(
            FieldError("full_name", "required", "Cần nhập họ và tên.", "The full name is required.")
        )
    if role not in ROLES:
        problems.append(
            FieldError(
                "role", "role.unknown", "Vai trò không hợp lệ.", f"Role must be one of {', '.join(ROLES)}."
            )
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            FieldError(
                "password",
                "password.too_short",
                f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
                f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
            )
        )
    if role != "admin" and not communes and not provinces:
        problems.append(
            FieldError(
                "communes",
                "scope.required",
                "Cần chọn ít nhất một xã hoặc một tỉnh.",
                "Choose at least one commune or province.",
            )
        )
    known_communes = set((await db.scalars(select(Commune.code).where(Commune.code.in_(communes)))).all())
    known_provinces = set((await db.scalars(select(Province.code).where(Province.code.in_(provinces)))).all())
    if missing := [c for c in communes if c not in known_communes]:
        problems.append(
            FieldError(
                "communes",
                "commune.unknown",
                f"Không có xã mã {missing}.",
                f"No commune with code {missing}.",
            )
        )
    if missing := [p for p in provinces if p not in known_provinces]:
        problems.append(
            FieldError(
                "provinces",
                "province.unknown",
                f"Không có tỉnh mã {missing}.",
                f"No province with code {missing}.",
            )
        )
    if problems or canonical is None:
        raise ApiError(
            400,
            "invalid_user",
            "Thông tin tài khoản chưa hợp lệ.",
            "The account details are not valid.",
            problems,
        )
    user = User(
        phone=canonical,
        full_name=full_name.strip(),
        role=role,
        password_hash=hash_password(password),
        communes=[UserCommune(commune_code=c) for c in communes],
        provinces=[UserProvince(province_code=p) for p in provinces],
    )
    db.add(user)
    await db.flush()
    return user


async def find_user_by_phone(db: AsyncSession, phone: str) -> User | None:
    canonical = normalise_phone(phone)
    return None if canonical is None else await db.scalar(select(User).where(User.phone == canonical))


async def users_in_scope(db: AsyncSession, principal: Principal) -> list[User]:
    """Admins see every user; others see the users of their communes and provinces."""
    statement = select(User).order_by(User.role, User.full_name)
    if not principal.is_admin:
        communes = select(Commune.code).where(commune_filter(principal))
        statement = statement.where(
            User.id.in_(select(UserCommune.user_id).where(UserCommune.commune_code.in_(communes)))
            | User.id.in_(
                select(UserProvince.user_id).where(UserProvince.province_code.in_(principal.province_codes))
            )
        )
    return list(await db.scalars(statement))


async def ensure_may_manage(
    db: AsyncSession, principal: Principal, role: str, commune_codes: Iterable[int]
) -> None:
    """Admins manage anyone; a coordinator manages volunteers whose communes are all in their scope."""
    if principal.is_admin:
        return
    codes = set(commune_codes)
    in_scope = set(
        await db.scalars(select(Commune.code).where(Commune.code.in_(codes), commune_filter(principal)))
    )
    if principal.role != "coordinator" or role != "volunteer" or not codes or codes - in_scope:
        raise ApiError(
            403,
            "scope.outside",
            "Bạn chỉ quản lý được tình nguyện viên thuộc xã của mình.",
            "You can only manage volunteers of your own communes.",
        )
