"""Every text answer names its character set once: `text/html; charset=utf-8`, never
`…; charset=utf-8; charset=utf-8` (Litestar adds the charset to text types itself)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from tests.conftest import COMMUNE_A, add_user
from tests.test_bad_input import _page_sign_in

PAGES = ["/", "/sw.js", "/app/js/app.js", "/app/css/app.css", "/ho-so", "/ho-so/sw.js", "/login"]


@pytest.mark.parametrize("path", PAGES)
def test_a_text_answer_names_its_charset_once(client: TestClient[Any], path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200, path
    content_type = answer.headers["content-type"]
    assert content_type.startswith("text/")
    assert content_type.count("charset") == 1, content_type


def test_the_csv_export_names_its_charset_once(client: TestClient[Any], settings: Any) -> None:
    add_user(settings, "0961000041", "coordinator", (COMMUNE_A,))
    _page_sign_in(client, "0961000041")
    answer = client.get("/office/exports/dossiers.csv")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].count("charset") == 1, answer.headers["content-type"]
