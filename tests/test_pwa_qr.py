"""The phone's own QR encoder (pwa/js/qr.js), read back by a real decoder and held against segno.

node prints the matrices; zxing-cpp decodes each one drawn as an image with its quiet zone, so a
receipt's QR made offline on the phone is known to scan. segno (which draws the server's QR codes)
must choose the same version, and with the same mask it must give the very same modules (for
texts that fill their version: segno writes a needless 0x00 codeword after the terminator when the
bit stream already ends on a codeword boundary, which scanners ignore but which changes the modules).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import segno
import zxingcpp
from PIL import Image

from tests.conftest import IN_CI

QR_JS = Path(__file__).resolve().parents[1] / "pwa" / "js" / "qr.js"
SCRIPT = f"""
import {{ readFileSync }} from "node:fs";
import {{ qrMatrix }} from {json.dumps(QR_JS.as_uri())};
const jobs = JSON.parse(readFileSync(0, "utf8"));
const rows = ({{ size, modules }}) => ({{ size, rows: modules.map((row) => row.map(Number).join("")) }});
process.stdout.write(JSON.stringify(jobs.map(([text, options]) => rows(qrMatrix(text, options)))));
"""
SECRET = "Zr4_kQ9xW2bN7mT0pL5sVg"  # 22 characters, as a receipt's key
RECEIPT_URL = f"https://motcua.example.vn/ho-so/K7QF-123?k={SECRET}"

TEXTS = [
    "a",
    "1",
    "HELLO",
    "Hà Nội",
    "Đắk Lắk",
    "https://motcua.example.vn",
    "Nguyễn Thị Hương, xã Buôn Đôn",
    "x" * 14,  # the last length of version 1-M …
    "x" * 15,  # … and the first of version 2
    RECEIPT_URL,
    f"https://motcua.example.vn/ho-so/K7QF-98765?k={SECRET}&lang=vi",
    "https://motcua.example.vn/ho-so/" + "Z" * 60,
    "Giấy khai sinh — bản sao có chứng thực; " * 2,
    "y" * 106,  # the last of version 6-M …
    "y" * 107,  # … version 7, the first with version information
    "Trẻ em dưới 6 tuổi được cấp thẻ bảo hiểm y tế miễn phí. " * 2,
    "z" * 122,
    "z" * 123,  # version 8
    "0123456789" * 15,
    "Ê Đê, Gia Rai, Mơ Nông: đồng bào các dân tộc tại chỗ. " * 3,
    "q" * 180,
    "q" * 181,  # version 10: a 16-bit character count
    "w" * 213,
    "w" * 214,  # version 11
    "ắ" * 70,  # 210 bytes of three-byte letters
    "Ủy ban nhân dân xã — " * 8,
    "v" * 230,
    "{}" * 120,
    "r" * 249,
    "s" * 250,
]


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        if IN_CI:
            pytest.fail("node is needed to run the PWA's QR encoder")
        pytest.skip("node is not installed")
    return node


def matrices(jobs: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    answer = subprocess.run(
        [_node(), "--input-type=module", "-e", SCRIPT],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        check=True,
    )
    result: list[dict[str, Any]] = json.loads(answer.stdout)
    return result


def image(rows: list[str], scale: int = 4, quiet: int = 4) -> Image.Image:
    """The matrix as a black-on-white picture with its quiet zone, as a phone screen shows it."""
    side = (len(rows) + 2 * quiet) * scale
    picture = Image.new("L", (side, side), 255)
    for y, row in enumerate(rows):
        for x, module in enumerate(row):
            if module == "1":
                left, top = (x + quiet) * scale, (y + quiet) * scale
                picture.paste(0, (left, top, left + scale, top + scale))
    return picture


def segno_rows(text: str, **options: Any) -> tuple[int, list[str]]:
    code = segno.make_qr(text, error="m", mode="byte", encoding="utf-8", boost_error=False, **options)
    return code.version, ["".join(str(module) for module in row) for row in code.matrix]


def test_the_texts_cover_versions_on_both_sides_of_7_and_of_10() -> None:
    versions = {segno_rows(text)[0] for text in TEXTS}
    assert {1, 2, 6, 7, 8, 9, 10, 11} <= versions
    lengths = [len(text.encode()) for text in TEXTS]
    assert min(lengths) == 1
    assert max(lengths) == 250
    assert any(len(text.encode()) > len(text) for text in TEXTS)  # multi-byte UTF-8


def test_every_code_decodes_to_its_text() -> None:
    for text, drawn in zip(TEXTS, matrices([(text, {}) for text in TEXTS]), strict=True):
        rows = drawn["rows"]
        assert drawn["size"] == len(rows) == len(rows[0])
        found = zxingcpp.read_barcodes(image(rows), formats=zxingcpp.BarcodeFormat.QRCode)
        assert len(found) == 1, text
        assert found[0].bytes == text.encode(), text
        assert found[0].text == text
        assert found[0].ec_level == "M"


def test_other_levels_decode_too() -> None:
    jobs = [(text, {"ecl": level}) for level in "LQH" for text in (RECEIPT_URL, "Đắk Lắk", "p" * 150)]
    for (text, options), drawn in zip(jobs, matrices(jobs), strict=True):
        found = zxingcpp.read_barcodes(image(drawn["rows"]), formats=zxingcpp.BarcodeFormat.QRCode)
        assert [(code.text, code.ec_level) for code in found] == [(text, options["ecl"])]


def test_the_same_version_as_segno() -> None:
    for text, drawn in zip(TEXTS, matrices([(text, {}) for text in TEXTS]), strict=True):
        assert drawn["size"] == 17 + 4 * segno_rows(text)[0], text


def test_with_the_same_mask_the_same_modules_as_segno() -> None:
    full = ["x" * 14, "ấp " * 8 + "ab", "y" * 122, "w" * 213, "Đắk Lắk, " * 17 + "x" * 13]
    assert [segno_rows(text)[0] for text in full] == [1, 3, 7, 10, 11]
    assert [len(text.encode()) for text in full] == [14, 42, 122, 213, 251]  # their capacities at M
    jobs = [(text, {"mask": mask}) for text in full for mask in range(8)]
    for (text, options), drawn in zip(jobs, matrices(jobs), strict=True):
        assert drawn["rows"] == segno_rows(text, mask=options["mask"])[1], (text, options)
