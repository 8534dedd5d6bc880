"""The one module that builds push requests: right ``aud`` for any endpoint, headers per call."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from webpush import WebPush, WebPushSubscription

from motcua.push.message import MAX_PLAINTEXT, MessageBuilder, Subscription, origin
from motcua.push.outbox import PAYLOAD_BUDGET, fit
from motcua.push.vapid import VapidKeys
from tests.push.fake_push import Browser, FakePushService


@pytest.fixture
def builder() -> MessageBuilder:
    return MessageBuilder(VapidKeys(ec.generate_private_key(ec.SECP256R1())), "mailto:push@motcua.example")


@pytest.fixture
def browser() -> Iterator[Browser]:
    with FakePushService() as service:
        yield service.browser("phone")


def _claims(builder: MessageBuilder, authorization: str, audience: str) -> dict[str, object]:
    token = authorization.removeprefix("vapid t=").split(",")[0]
    claims: dict[str, object] = jwt.decode(
        token, builder.keys.public_pem, algorithms=["ES256"], audience=audience
    )
    return claims


@pytest.mark.parametrize(
    ("endpoint", "audience"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc", "https://fcm.googleapis.com"),
        ("https://push.example:8443/p/abc", "https://push.example:8443"),
        ("https://push.example:443/p/abc", "https://push.example"),
        ("http://127.0.0.1:49152/push/abc", "http://127.0.0.1:49152"),
        ("https://user@Push.Example:9000/x", "https://push.example:9000"),
        ("https://[2001:db8::1]:8443/x", "https://[2001:db8::1]:8443"),
    ],
)
def test_the_jwt_audience_is_the_endpoints_origin_port_included(
    builder: MessageBuilder, browser: Browser, endpoint: str, audience: str
) -> None:
    assert origin(endpoint) == audience
    subscription = browser.subscription()
    target = type("S", (), {})  # the builder only reads three attributes
    target.endpoint, target.p256dh, target.auth = (
        endpoint,
        subscription["keys"]["p256dh"],
        subscription["keys"]["auth"],
    )
    request = builder.build(target, b"{}", ttl=60)  # type: ignore[arg-type]
    claims = _claims(builder, request.headers["Authorization"], audience)
    assert claims["sub"] == "mailto:push@motcua.example"
    assert 0 < int(claims["exp"]) - time.time() <= 24 * 3600  # type: ignore[call-overload]
    assert request.headers["Authorization"].endswith(f", k={builder.keys.public_key}")


def test_webpush_alone_drops_the_port_and_keeps_a_ttl_for_later_calls(browser: Browser) -> None:
    """Why the builder signs its own JWT and sets every header itself (docs/push.md)."""
    keys = VapidKeys(ec.generate_private_key(ec.SECP256R1()))
    library = WebPush(private_key=keys.private_pem, public_key=keys.public_pem, subscriber="a@b.example")
    target = WebPushSubscription.model_validate(
        {**browser.subscription(), "endpoint": "https://push.example:8443/p/1"}
    )
    first = library.get("x", target, ttl=60)
    later = library.get("x", target)
    token = first.headers["authorization"].removeprefix("vapid t=").split(",")[0]
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == "https://push.example"
    assert later.headers["ttl"] == "60"


def test_each_request_carries_its_own_ttl_urgency_and_topic(
    builder: MessageBuilder, browser: Browser
) -> None:
    keys = browser.subscription()["keys"]
    target = Subscription(browser.endpoint, keys["p256dh"], keys["auth"])
    short = builder.build(target, b"{}", ttl=60, urgency="high", topic="a" * 32)
    plain = builder.build(target, b"{}", ttl=86400)
    assert (short.headers["TTL"], short.headers["Urgency"], short.headers["Topic"]) == (
        "60",
        "high",
        "a" * 32,
    )
    assert (plain.headers["TTL"], plain.headers["Urgency"]) == ("86400", "normal")
    assert "Topic" not in plain.headers
    assert short.headers["Content-Encoding"] == "aes128gcm"
    assert browser.decrypt(short.body) == b"{}"
    with pytest.raises(ValueError, match="Topic"):
        builder.build(target, b"{}", ttl=60, topic="not a topic!")
    with pytest.raises(ValueError, match="Urgency"):
        builder.build(target, b"{}", ttl=60, urgency="urgent")


def test_the_largest_payload_fits_the_4096_bytes_a_push_service_must_accept(
    builder: MessageBuilder, browser: Browser
) -> None:
    keys = browser.subscription()["keys"]
    target = Subscription(browser.endpoint, keys["p256dh"], keys["auth"])
    largest = builder.build(target, b"x" * MAX_PLAINTEXT, ttl=60)
    assert len(largest.body) == 4096
    assert browser.decrypt(largest.body) == b"x" * MAX_PLAINTEXT
    with pytest.raises(ValueError, match="at most"):
        builder.build(target, b"x" * (MAX_PLAINTEXT + 1), ttl=60)


def test_long_texts_are_shortened_to_the_payload_budget() -> None:
    payload = fit(
        {"title": "Hồ sơ K7Q-12", "body": "Cần bổ sung: " + "giấy tờ " * 800, "body_en": "x " * 800}
    )
    assert len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()) <= PAYLOAD_BUDGET
    assert payload["title"] == "Hồ sơ K7Q-12"
    assert payload["body"].startswith("Cần bổ sung: giấy tờ")
    assert payload["body"].endswith("…")


def test_the_vapid_jwt_is_reused_for_an_hour_then_renewed(builder: MessageBuilder) -> None:
    now = time.time()
    first = builder.vapid_token("https://push.example", now)
    assert builder.vapid_token("https://push.example", now + 1800) == first
    assert builder.vapid_token("https://push.example", now + 3 * 3600) != first
    assert builder.vapid_token("https://other.example", now) != first
