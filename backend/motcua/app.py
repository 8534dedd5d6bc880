"""Builds the Litestar application: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import contextlib
from functools import partial
from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar import Litestar, Request
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from motcua import __version__
from motcua.accounts.api import AuthController, UsersController
from motcua.accounts.middleware import AuthenticationMiddleware
from motcua.accounts.pages import InvitationPages, PagesController, VolunteerPages
from motcua.accounts.sessions import widen_places_with
from motcua.attachments.api import AttachmentController, DossierController
from motcua.auth.guards import current_principal
from motcua.auth.principal import Principal
from motcua.campaigns.pages import CampaignPages
from motcua.catalogue.api import CatalogueController
from motcua.catalogue.pages import GuidesController
from motcua.catalogue.service import publish_on_start
from motcua.compression import compression_config
from motcua.dashboard.pages import DashboardPages
from motcua.db.engine import make_engine
from motcua.db.keys import with_keys
from motcua.desk.api import DeskController
from motcua.desk.pages import DeskPages
from motcua.dossiers.api import ReceiptController
from motcua.dossiers.lifecycle import announce_moves_with, announce_supplements_with
from motcua.errors import EXCEPTION_HANDLERS, ErrorResponses, refuse_nul_bytes
from motcua.health import Health, health
from motcua.i18n import current_lang, date_in_words, local_date, local_time, said, t
from motcua.logs import QUIET, AccessLogMiddleware, configure_logging
from motcua.places.api import PlacesController
from motcua.privacy.api import PrivacyController
from motcua.privacy.consents import withdraw
from motcua.privacy.retention import run_retention
from motcua.push.api import PushController
from motcua.push.outbox import notify_status, notify_supplemented
from motcua.push.worker import PushWorker
from motcua.pwa import pwa_router
from motcua.reach.api import ReachController
from motcua.reach.pages import ReachPages
from motcua.records.residents import on_withdrawal_with
from motcua.rounds.api import RouteController
from motcua.rounds.pages import RoutePages
from motcua.rounds.service import assigned_communes
from motcua.security_headers import add_security_headers
from motcua.settings import Settings, get_settings
from motcua.status.pages import StatusPages
from motcua.sync.api import SyncController
from motcua.sync.gate import SyncGate
from motcua.telemetry.api import RequestMetricsMiddleware, metrics
from motcua.words import deadline_word, status_word
from motcua.worktime.pages import CalendarPages

_HERE = Path(__file__).resolve().parent


def _principal(request: Request[Any, Any, Any]) -> Principal:
    return current_principal(request)


def wire_domains() -> None:
    """Where a lower package calls up, the upper one is registered here, at the composition
    root (docs/architecture.md): a dossier's moves and its completed supplements reach the
    push outbox, the rounds a volunteer is on widen their places, and a withdrawn consent
    takes away what depended on it."""
    announce_moves_with("push", notify_status)
    announce_supplements_with("push", notify_supplemented)
    widen_places_with("rounds", assigned_communes)
    on_withdrawal_with("privacy", withdraw)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = with_keys(settings or get_settings())
    configure_logging(settings.log_level, settings.log_format)
    wire_domains()
    engine = make_engine(settings)
    sync_gate = SyncGate(1 if settings.is_sqlite else settings.sync_concurrency)
    database = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        before_send_handler="autocommit_include_redirects",
        set_default_exception_handler=False,
    )

    def engine_setup(jinja: JinjaTemplateEngine) -> None:
        jinja.engine.globals.update(
            t=t,
            lang=current_lang,
            said=said,
            status_word=status_word,
            deadline_word=deadline_word,
            version=__version__,
        )
        jinja.engine.filters["local_time"] = local_time
        jinja.engine.filters["local_date"] = local_date
        jinja.engine.filters["date_in_words"] = date_in_words

    app = Litestar(
        route_handlers=[
            health,
            metrics,
            AuthController,
            UsersController,
            PlacesController,
            CatalogueController,
            SyncController,
            AttachmentController,
            DossierController,
            ReceiptController,
            DeskController,
            DeskPages,
            PagesController,
            DashboardPages,
            CampaignPages,
            VolunteerPages,
            InvitationPages,
            CalendarPages,
            RouteController,
            RoutePages,
            GuidesController,
            StatusPages,
            PushController,
            ReachController,
            ReachPages,
            PrivacyController,
            pwa_router(),
            create_static_files_router(
                path="/static", directories=[_HERE / "static"], include_in_schema=False, opt={QUIET: True}
            ),
        ],
        plugins=[
            SQLAlchemyPlugin(config=database),
            ErrorResponses(
                special={
                    ("GET", "/health"): {
                        503: ResponseSpec(
                            Health, generate_examples=False, description="The database does not answer."
                        )
                    }
                }
            ),
        ],
        dependencies={
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "principal": Provide(_principal, sync_to_thread=False),
            "sync_gate": Provide(lambda: sync_gate, sync_to_thread=False),
        },
        middleware=[
            refuse_nul_bytes,
            DefineMiddleware(AuthenticationMiddleware, engine=engine, settings=settings),
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="motcua_csrf",
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            header_name="x-csrf-token",
            # Monitoring answers set no cookie.
            exclude=["/api/", "/health", "/metrics"],
        ),
        template_config=TemplateConfig(
            directory=_HERE / "templates", engine=JinjaTemplateEngine, engine_callback=engine_setup
        ),
        openapi_config=OpenAPIConfig(title="motcua", version=__version__, path="/schema"),
        exception_handlers=EXCEPTION_HANDLERS,
        # The plugin disposes only the engine of the first config made in a process; be sure.
        on_startup=[partial(publish_on_start, engine)],
        on_shutdown=[engine.dispose],
        logging_config=None,
        state=State({"settings": settings}),
        before_send=[add_security_headers],
        compression_config=compression_config(),
    )
    # Outermost, so that requests no route matches (404, 405) are counted and logged too.
    app.asgi_handler = AccessLogMiddleware(RequestMetricsMiddleware(app.asgi_handler))
    return app


def with_push_worker(app: Litestar, settings: Settings) -> Litestar:
    """Start a :class:`PushWorker` and the retention schedule with the app and stop them,
    politely, when the app stops."""
    stop = asyncio.Event()
    running: list[asyncio.Task[None]] = []

    async def start() -> None:
        worker = PushWorker(settings)

        async def run() -> None:
            async with worker:
                await worker.run(stop)

        running.append(asyncio.create_task(run(), name="push-worker"))
        running.append(asyncio.create_task(run_retention(settings, stop), name="retention"))

    async def finish() -> None:
        stop.set()
        for task in running:
            try:
                await asyncio.wait_for(task, timeout=15)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app.on_startup.append(start)
    app.on_shutdown.insert(0, finish)
    return app


def create_app_with_push_worker() -> Litestar:
    """The uvicorn factory ``motcua serve`` uses when the worker runs in process (SQLite)."""
    settings = with_keys(get_settings())
    return with_push_worker(create_app(settings), settings)
