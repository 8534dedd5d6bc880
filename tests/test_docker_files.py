"""The Docker files, checked without Docker: no image can be pulled or built here (no registry,
no daemon), so what can be read is read — the build context, the lock file, the compose file
and the Caddyfile, and that they agree with motcua's settings."""

from __future__ import annotations

import importlib.metadata
import ipaddress
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from motcua.settings import SETTINGS, Settings

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
# Set by compose.yaml for the keys work merged separately; drop from here once it is a setting.
ADDED_ELSEWHERE: set[str] = set()
# Read by the image or by boto3 rather than by motcua's settings.
OTHER_VARIABLES = {"WORKERS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"}
LONG_RUNNING = {"proxy", "app", "worker", "db", "minio"}


def _ignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    """.dockerignore as Docker reads it: glob patterns (``**`` any depth), ``!`` to let back in,
    the last matching line deciding."""
    rules = []
    for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keep = line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        regex = ""
        for token in re.split(r"(\*\*/|\*\*|\*|\?)", pattern):
            regex += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(token, re.escape(token))
        rules.append((keep, re.compile(regex + r"\Z")))
    return rules


def _ignored(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Whether the build context leaves ``path`` out (a directory left out takes its files)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for keep, regex in rules:
        if any(regex.match(prefix) for prefix in prefixes):
            ignored = not keep
    return ignored


def test_the_build_context_leaves_out_state_environments_and_caches() -> None:
    rules = _ignore_rules()
    for path in (
        ".venv/bin/python",
        "var/secret_key",
        "var/motcua.db",
        "var/vapid_private_key.pem",
        "var/attachments/ab/abcdef",
        "node_modules/@biomejs/biome/package.json",
        ".git/HEAD",
        ".pytest_cache/v/cache/nodeids",
        ".hypothesis/examples/x",
        ".mypy_cache/3.11/x.json",
        ".ruff_cache/CACHEDIR.TAG",
        ".import_linter_cache/x",
        "tests/screenshots/desk.png",
        "backend/motcua/__pycache__/app.cpython-311.pyc",
        ".env",
    ):
        assert _ignored(path, rules), f"{path} would be sent to the Docker builder"
    # What the Dockerfile copies is all there (and exists).
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    copied = []
    for line in dockerfile.splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(w.startswith("--from") for w in words):
            copied += words[1:-1]
    assert {"pyproject.toml", "README.md", "backend", "pwa", "schemas", "docker/requirements.lock"} <= set(
        copied
    )
    for source in copied:
        base = ROOT / source
        assert base.exists(), source
        files = [base] if base.is_file() else [p for p in base.rglob("*") if p.is_file()]
        for file in files:
            relative = file.relative_to(ROOT).as_posix()
            if "__pycache__" not in relative:
                assert not _ignored(relative, rules), f"{relative} is copied by the Dockerfile but ignored"


def _lock() -> dict[str, str]:
    pins = {}
    for line in (DOCKER / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, equals, version = line.partition("==")
            assert equals, f"not an exact pin: {line!r}"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_every_runtime_dependency_is_pinned_in_the_lock_the_image_installs() -> None:
    pins = _lock()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for line in project["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in docker/requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{requirement.name}=={pins[name]} does not satisfy {requirement.specifier}: run `make lock`"
        )
        # What its extras bring (uvicorn[standard], litestar[jinja]) is pinned too.
        for extra in requirement.extras:
            for needed in importlib.metadata.requires(requirement.name) or []:
                brought = Requirement(needed)
                if brought.marker and Marker(str(brought.marker)).evaluate({"extra": extra}):
                    assert canonicalize_name(brought.name) in pins, f"{brought.name} ({line}) is not pinned"
    dev_tools = {"pytest", "ruff", "mypy", "moto", "playwright", "hypothesis", "schemathesis"}
    assert not dev_tools & set(pins), "the lock must come from a virtualenv without the dev tools"
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --no-cache-dir -r /tmp/requirements.lock" in dockerfile
    assert "--no-deps /wheels/*.whl" in dockerfile  # the wheel cannot pull other versions in


def _compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))
    return compose


def _example_env() -> dict[str, str]:
    """docker/env.example with every blank filled as an operator would."""
    env = {}
    for line in (DOCKER / "env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value or f"{name.lower()}-x-{'y' * 40}"
    env["MOTCUA_PUSH_CONTACT"] = "mailto:it@example.vn"
    env["MOTCUA_VAPID_PRIVATE_KEY"] = ""  # optional: made once and kept in the database
    return env


def _interpolate(value: Any, env: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?message}, as `docker compose` fills them."""

    def one(match: re.Match[str]) -> str:
        name, operator, rest = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        assert operator != ":?", f"{name} must be set: {rest}"
        return rest or ""

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, str(value))


def test_compose_wires_proxy_app_worker_database_and_object_storage(tmp_path: Path) -> None:
    compose = _compose()
    services = compose["services"]
    known = {setting.name for setting in SETTINGS}
    text = (DOCKER / "compose.yaml").read_text(encoding="utf-8")
    example = _example_env()
    # Every variable compose.yaml reads is in env.example, so an operator sees them all.
    assert set(re.findall(r"\$\{(\w+)", text)) <= set(example)

    for name in LONG_RUNNING:
        assert services[name]["restart"] in {"always", "unless-stopped"}, name
    assert services["bucket"]["restart"] == "no"  # a one-shot: makes the bucket, then ends

    app, worker = services["app"], services["worker"]
    assert worker["command"] == ["motcua", "worker"]
    assert worker["image"] == app["image"] == services["bucket"]["image"]
    assert {k: v for k, v in app["environment"].items() if k != "WORKERS"} == worker["environment"]
    assert "ports" not in app  # only through the proxy
    for service in (app, worker, services["bucket"]):
        for name in service["environment"]:
            if name.startswith("MOTCUA_"):
                assert name in known | ADDED_ELSEWHERE, f"{name} is not a setting in motcua/settings.py"
            else:
                assert name in OTHER_VARIABLES, name
    help_of_url = next(s.help for s in SETTINGS if s.name == "MOTCUA_OBJECT_STORE_URL")
    assert all(name in help_of_url for name in OTHER_VARIABLES - {"WORKERS"})

    # The settings compose gives are ones motcua accepts, object storage included.
    env = {name: _interpolate(value, example) for name, value in app["environment"].items()}
    settings = Settings.from_env({**env, "MOTCUA_DATA_DIR": str(tmp_path)})
    assert settings.object_store_url == "s3://motcua/attachments"
    assert settings.public_url == f"https://{example['DOMAIN']}"
    assert not settings.is_sqlite
    assert settings.secret_key == example["MOTCUA_SECRET_KEY"]
    assert env["MOTCUA_OBJECT_STORE_ENDPOINT"].startswith("http://minio:")
    assert "minio" in services
    assert "bucket" in app["depends_on"]

    # The proxy: TLS for DOMAIN, to the app's port, from the one address the app trusts.
    proxy = services["proxy"]
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    proxy_address = proxy["networks"]["motcua"]["ipv4_address"]
    subnet = compose["networks"]["motcua"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(subnet)
    assert settings.trusted_proxies == proxy_address
    caddyfile = (DOCKER / "Caddyfile").read_text(encoding="utf-8")
    assert "{$DOMAIN:localhost} {" in caddyfile
    assert re.search(r"reverse_proxy app:8000\b", caddyfile)
    assert app["expose"] == ["8000"]
    directives = [line.split("#")[0] for line in caddyfile.splitlines()]
    assert not any("trusted_proxies" in line for line in directives)  # Caddy drops a client's X-Forwarded-For
