"""The dashboard page and the export downloads, for coordinators, desk officers and admins.

``GET /office/dashboard?commune=&campaign=&from=&to=&village=`` and
``GET /office/exports/{dossiers,register}.{csv,xlsx}`` with the same filters. A campaign sets
the commune and, unless ``from``/``to`` are given, the dates; without dates the last 30 days
are shown. Every place filter goes through the user's scope (403 or 404 outside it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Template
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from motcua import charts
from motcua.audit.service import record_access
from motcua.auth.guards import roles
from motcua.auth.principal import Principal
from motcua.campaigns.models import Campaign
from motcua.campaigns.pages import progress_charts
from motcua.campaigns.service import (
    campaign_in_scope,
    campaigns_in_scope,
    communes_to_offer,
    progress,
    today,
)
from motcua.dashboard.exports import Table, dossier_table, register_table, sees_full_ids, to_csv, to_xlsx
from motcua.dashboard.volunteers import volunteer_work
from motcua.dossiers.lifecycle import STATUSES
from motcua.errors import ApiError, FieldError
from motcua.i18n import language_of, translate
from motcua.metrics.service import STATUS_GROUPS, Figures, Filters, figures
from motcua.places import service as places
from motcua.places.models import Commune, Village

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
CHART_VILLAGES = 40
STEP_SEGMENTS = (("done", "#2e7d32"), ("not_applicable", "#8bc48e"), ("follow_up", "#e0a100"))
GROUP_COLOURS = {"open": "#1f5fa8", "result": "#2e7d32", "stopped": "#8d6e63"}
EXPORTS = {
    "dossiers.csv": ("dossiers", "csv"),
    "dossiers.xlsx": ("dossiers", "xlsx"),
    "register.csv": ("register", "csv"),
    "register.xlsx": ("register", "xlsx"),
}
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Query:
    """The filters as the browser sent them (all text: an empty select sends "")."""

    commune: str = ""
    campaign: str = ""
    starts: str = ""
    ends: str = ""
    village: str = ""


def _query(
    commune: Annotated[str | None, QueryParameter(name="commune")] = None,
    campaign: Annotated[str | None, QueryParameter(name="campaign")] = None,
    starts: Annotated[str | None, QueryParameter(name="from")] = None,
    ends: Annotated[str | None, QueryParameter(name="to")] = None,
    village: Annotated[str | None, QueryParameter(name="village")] = None,
) -> Query:
    return Query(*(value.strip() if value else "" for value in (commune, campaign, starts, ends, village)))


@dataclass
class Selection:
    """The filters once checked against the user's places, and the choices the form offers."""

    filters: Filters
    commune: Commune | None
    campaign: Campaign | None
    village: Village | None
    communes: list[Commune]
    campaigns: list[Campaign]
    villages: list[Village]
    problems: list[FieldError] = field(default_factory=list)

    def params(self) -> dict[str, str]:
        """The query string that gives these filters back (for links and exports)."""
        chosen = {
            "commune": str(self.commune.code) if self.commune else "",
            "campaign": str(self.campaign.id) if self.campaign else "",
            "from": self.filters.starts_on.isoformat(),
            "to": self.filters.ends_on.isoformat(),
            "village": str(self.village.id) if self.village else "",
        }
        return {key: value for key, value in chosen.items() if value}


def _not_found() -> ApiError:
    return ApiError(404, "not_found", "Không tìm thấy.", "Not found.")


def _uuid(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise _not_found() from None


def _parse_date(text: str, name: str, problems: list[FieldError]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(
            FieldError(
                name,
                "invalid_date",
                "Ngày chưa đúng, đã dùng ngày mặc định.",
                "Not a date; the default is used.",
            )
        )
        return None


def _period(query: Query, campaign: Campaign | None, problems: list[FieldError]) -> tuple[date, date]:
    starts, ends = _parse_date(query.starts, "from", problems), _parse_date(query.ends, "to", problems)
    now = today()
    default_end = campaign.ends_on if campaign else now
    ends = ends or (starts + timedelta(days=DEFAULT_DAYS - 1) if starts and not campaign else default_end)
    starts = starts or (campaign.starts_on if campaign else ends - timedelta(days=DEFAULT_DAYS - 1))
    if ends < starts:
        problems.append(
            FieldError(
                "to",
                "before_start",
                "Ngày kết thúc trước ngày bắt đầu: đã đổi chỗ hai ngày.",
                "The end is before the start: the two dates were swapped.",
            )
        )
        starts, ends = ends, starts
    if (ends - starts).days >= MAX_DAYS:
        problems.append(
            FieldError("from", "too_long", "Khoảng thời gian tối đa 3 năm.", "At most three years at a time.")
        )
        starts = ends - timedelta(days=MAX_DAYS - 1)
    return starts, ends


async def select_scope(db: AsyncSession, principal: Principal, query: Query) -> Selection:
    """Check every filter against the user's places; explain what had to be corrected."""
    problems: list[FieldError] = []
    campaign = await campaign_in_scope(db, principal, _uuid(query.campaign)) if query.campaign else None
    communes = await communes_to_offer(db, principal)
    commune: Commune | None = None
    if campaign:
        commune = await places.commune_in_scope(db, principal, campaign.commune_code)
    elif query.commune:
        # ASCII digits only ("²" is a digit to Python); the range is checked by commune_in_scope.
        if not (query.commune.isascii() and query.commune.isdigit() and len(query.commune) <= 10):
            raise _not_found()
        commune = await places.commune_in_scope(db, principal, int(query.commune))
    elif len(communes) == 1 and not principal.is_admin:
        commune = communes[0]
    village: Village | None = None
    if query.village:
        village = await db.get(Village, _uuid(query.village))
        if village is None or (commune is not None and village.commune_code != commune.code):
            raise _not_found()
        commune = commune or await places.commune_in_scope(db, principal, village.commune_code)
    if commune is not None:
        codes: tuple[int, ...] | None = (commune.code,)
    elif principal.is_admin:
        codes = None
    else:
        codes = tuple(c.code for c in communes)
    starts, ends = _period(query, campaign, problems)
    return Selection(
        filters=Filters(codes, starts, ends, village.id if village else None),
        commune=commune,
        campaign=campaign,
        village=village,
        communes=communes,
        campaigns=await campaigns_in_scope(db, principal, limit=50),
        villages=await places.villages_of(db, commune) if commune else [],
        problems=problems,
    )


def duration(hours: float | None, lang: str) -> str:
    """A length of time as a person says it: 45 phút, 1,5 giờ, 3,2 ngày."""
    if hours is None:
        return "—"
    en = lang == "en"
    if hours < 1:
        return f"{round(hours * 60)} {'min' if en else 'phút'}"
    amount, unit = (hours, "h" if en else "giờ") if hours < 48 else (hours / 24, "days" if en else "ngày")
    text = f"{amount:.1f}".removesuffix(".0")
    return f"{text if en else text.replace('.', ',')} {unit}"


def _timeline(found: Figures) -> list[tuple[str, int]]:
    return [(day.strftime("%d/%m"), count) for day, count in found.timeline]


def build_charts(found: Figures, lang: str) -> dict[str, Markup]:
    def w(key: str) -> str:
        return translate(key, lang)

    steps = [
        charts.Stack(
            w(f"step_{step.step}"),
            {"done": step.done, "not_applicable": step.not_applicable, "follow_up": step.follow_up},
            # Out of the residents helped, which the chart's heading states.
            f"{step.fulfilled} ({charts.percent(step.fulfilled, found.residents_helped)})",
        )
        for step in found.checklist
    ]
    procedures = [
        charts.Stack(
            p.name_en if lang == "en" else p.name_vi,
            {group: p.group(group) for group in STATUS_GROUPS},
            charts.number(p.total),
        )
        for p in found.procedures
    ]
    helped_most = max((v.residents_helped for v in found.villages), default=0)
    villages = [
        charts.Bar(v.name, v.residents_helped, helped_most, charts.number(v.residents_helped))
        for v in sorted(found.villages, key=lambda v: -v.residents_helped)[:CHART_VILLAGES]
    ]
    timeline_title = w("chart_timeline_week" if found.timeline_days > 1 else "chart_timeline")
    return {
        "timeline": charts.columns("chart-timeline", timeline_title, _timeline(found), w("peak")),
        "checklist": charts.stacked(
            "chart-checklist",
            w("chart_checklist"),
            steps if found.residents_helped else [],
            [charts.Segment(key, w(f"state_{key}"), colour) for key, colour in STEP_SEGMENTS],
            w("nothing_yet"),
            scale=found.residents_helped,
        ),
        "procedures": charts.stacked(
            "chart-procedures",
            w("chart_procedures"),
            procedures,
            [charts.Segment(g, w(f"group_{g}"), GROUP_COLOURS[g]) for g in STATUS_GROUPS],
            w("nothing_yet"),
        ),
        "villages": charts.bars("chart-villages", w("chart_villages"), villages, w("no_villages")),
    }


async def _export_table(db: AsyncSession, report: str, filters: Filters, full: bool, lang: str) -> Table:
    if report == "dossiers":
        return await dossier_table(db, filters, full, lang)
    return await register_table(db, filters, full, lang)


class DashboardPages(Controller):
    path = "/office"
    include_in_schema = False
    guards = [roles("coordinator", "desk_officer")]
    dependencies = {"filters_asked": Provide(_query, sync_to_thread=False)}

    @get("/dashboard")
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        filters_asked: NamedDependency[Query],
    ) -> Template:
        lang = language_of(dict(request.cookies))
        chosen = await select_scope(db_session, principal, filters_asked)
        found = await figures(db_session, chosen.filters)
        campaign = await progress(db_session, chosen.campaign) if chosen.campaign else None
        statuses = [s for s in STATUSES if found.dossiers_by_status.get(s)]
        return Template(
            "dashboard/dashboard.html",
            context={
                "principal": principal,
                "chosen": chosen,
                "figures": found,
                "volunteers": await volunteer_work(db_session, chosen.filters),
                "charts": build_charts(found, lang),
                "campaign": campaign,
                "campaign_charts": progress_charts(campaign, lang) if campaign else [],
                "statuses": statuses,
                "number": charts.number,
                "percent": charts.percent,
                "median": duration(found.median_hours_to_result, lang),
                "export_query": urlencode(chosen.params()),
                "full_ids": sees_full_ids(principal),
            },
        )

    @get("/exports/{name:str}")
    async def export(
        self,
        name: FromPath[str],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        filters_asked: NamedDependency[Query],
    ) -> Response[bytes]:
        if name not in EXPORTS:
            raise _not_found()
        report, kind = EXPORTS[name]
        lang = language_of(dict(request.cookies))
        chosen = await select_scope(db_session, principal, filters_asked)
        full = sees_full_ids(principal)
        table = await _export_table(db_session, report, chosen.filters, full, lang)
        record_access(
            db_session,
            principal,
            f"export.{report}",
            table.resident_ids,
            {
                **chosen.filters.detail(),
                "campaign": str(chosen.campaign.id) if chosen.campaign else None,
                "format": kind,
                "rows": len(table.rows),
                "personal_ids": "full" if full else "masked",
            },
        )
        filters = chosen.filters
        place = str(chosen.commune.code) if chosen.commune else "all"
        filename = f"motcua-{report}-{place}-{filters.starts_on:%Y%m%d}-{filters.ends_on:%Y%m%d}.{kind}"
        return Response(
            content=to_csv(table) if kind == "csv" else to_xlsx(table),
            media_type=MEDIA_TYPES[kind],
            headers={
                "content-disposition": f'attachment; filename="{filename}"',
                "cache-control": "no-store",
            },
        )
