"""The phone API of push: the server's public key, and a volunteer's phone subscribing."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.guards import signed_in
from motcua.auth.principal import Principal
from motcua.push.subscriptions import (
    BrowserSubscription,
    check_subscription,
    remove_device,
    save_subscription,
)
from motcua.push.vapid import vapid_keys
from motcua.settings import Settings


class PublicKey(msgspec.Struct, frozen=True):
    public_key: str


class DeviceSubscribed(msgspec.Struct, frozen=True):
    id: UUID


class EndpointOnly(msgspec.Struct, frozen=True):
    endpoint: str


class DeviceRemoved(msgspec.Struct, frozen=True):
    removed: bool


class PushController(Controller):
    path = "/api/push"
    tags = ["push"]

    @get("/key")
    async def key(self, settings: NamedDependency[Settings]) -> PublicKey:
        """The ``applicationServerKey`` to subscribe with (base64url of the raw P-256 point)."""
        return PublicKey(vapid_keys(settings).public_key)

    @post("/subscriptions", guards=[signed_in], status_code=201)
    async def subscribe(
        self,
        data: JSONBody[BrowserSubscription],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> DeviceSubscribed:
        """This phone receives its user's notifications: new assignments, their residents' news.

        Send ``PushSubscription.toJSON()`` again whenever the browser renews the subscription.
        """
        check_subscription(settings, data)
        subscription = await save_subscription(db_session, data, user_id=principal.user_id)
        return DeviceSubscribed(subscription.id)

    @post("/subscriptions/remove", guards=[signed_in], status_code=200)
    async def unsubscribe(
        self,
        data: JSONBody[EndpointOnly],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> DeviceRemoved:
        """This phone stops receiving its user's notifications (say it at sign-out)."""
        return DeviceRemoved(await remove_device(db_session, data.endpoint, principal.user_id))
