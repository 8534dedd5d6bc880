"""Coordinator pages for campaigns: the list, the form for a new one, one campaign's progress."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from motcua import charts
from motcua.auth.guards import roles
from motcua.auth.principal import Principal
from motcua.campaigns.service import (
    TARGETS,
    Progress,
    campaign_filters,
    campaign_in_scope,
    campaigns_in_scope,
    communes_to_offer,
    create_campaign,
    progress,
    today,
    village_counts,
)
from motcua.errors import ApiError
from motcua.i18n import language_of, translate
from motcua.metrics.service import figures
from motcua.places.models import Commune

FormBody = URLEncodedBody[dict[str, str]]
CAMPAIGN_DAYS = 60


async def _form(
    db: AsyncSession,
    principal: Principal,
    values: dict[str, str],
    error: ApiError | None = None,
) -> Template:
    communes = await communes_to_offer(db, principal)
    villages = await village_counts(db, [commune.code for commune in communes])
    chosen = next((c for c in communes if str(c.code) == values.get("commune", "").strip()), None)
    return Template(
        "campaigns/new.html",
        context={
            "communes": communes,
            "villages": villages,
            "chosen": chosen,
            # The most villages a campaign may target: its commune's, or the largest offered.
            "most_villages": villages[chosen.code] if chosen else max(villages.values(), default=0),
            "values": values,
            "error": error.body if error else None,
            "problems": {problem.field: problem for problem in error.body.fields} if error else {},
            "targets": TARGETS,
        },
        status_code=error.status_code if error else 200,
    )


TARGET_COLOURS = {"digital_citizens": "#2e7d32", "dossiers": "#1f5fa8", "villages": "#8e5a00"}


def progress_charts(found: Progress, lang: str) -> list[Markup]:
    out = []
    for target in found.targets:
        pace = (
            translate("pace_today", lang).format(charts.number(target.expected))
            if target.expected is not None
            else ""
        )
        out.append(
            charts.progress(
                f"progress-{found.campaign.id}-{target.key}",
                translate(f"progress_{target.key}", lang),
                target.value,
                target.target,
                TARGET_COLOURS[target.key],
                target.expected,
                pace,
            )
        )
    return out


class CampaignPages(Controller):
    path = "/office/campaigns"
    include_in_schema = False
    guards = [roles("coordinator")]

    @get("/")
    async def campaigns(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Template:
        lang = language_of(dict(request.cookies))
        found = [await progress(db_session, c) for c in await campaigns_in_scope(db_session, principal)]
        names = {c.code: c.name for c in await communes_to_offer(db_session, principal)}
        for item in found:
            if item.campaign.commune_code not in names:
                commune = await db_session.get_one(Commune, item.campaign.commune_code)
                names[commune.code] = commune.name
        return Template(
            "campaigns/list.html",
            context={
                "campaigns": [(item, progress_charts(item, lang)) for item in found],
                "communes": names,
            },
        )

    @get("/new")
    async def new(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> Template:
        start = today()
        communes = await communes_to_offer(db_session, principal)
        values = {
            "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=CAMPAIGN_DAYS - 1)).isoformat(),
            "commune": str(communes[0].code) if len(communes) == 1 else "",
            **dict.fromkeys(TARGETS, "0"),
        }
        return await _form(db_session, principal, values)

    @post("/new", status_code=303)
    async def create(
        self,
        data: FormBody,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect | Template:
        try:
            campaign = await create_campaign(db_session, principal, data)
        except ApiError as error:
            return await _form(db_session, principal, dict(data), error)
        return Redirect(f"/office/campaigns/{campaign.id}", status_code=303)

    @get("/{campaign_id:uuid}")
    async def campaign(
        self,
        campaign_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Template:
        lang = language_of(dict(request.cookies))
        campaign = await campaign_in_scope(db_session, principal, campaign_id)
        found = await progress(db_session, campaign)
        return Template(
            "campaigns/campaign.html",
            context={
                "progress": found,
                "charts": progress_charts(found, lang),
                "figures": await figures(db_session, campaign_filters(campaign)),
                "commune": await db_session.get_one(Commune, campaign.commune_code),
                "number": charts.number,
            },
        )
