"""Chinese first, English complete: the catalogue covers every visible string."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.test import Client

from tests.conftest import make_user

PACKAGE = Path(__file__).resolve().parents[2] / "innobridge"
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e、，。：；（）]")


def test_english_catalogue_is_complete_and_compiled() -> None:
    po = polib.pofile(str(PO))
    assert not po.untranslated_entries()
    assert not po.fuzzy_entries()
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(MO))}
    assert {
        entry.msgid: entry.msgstr for entry in po.translated_entries()
    }.items() <= compiled.items()


def _source_strings() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.html"):
        found |= set(re.findall(r'{% translate "([^"]+)"', path.read_text(encoding="utf-8")))
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts or "demo" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'\b(?:_|gettext_lazy|gettext)\(\s*"([^"]+)"', text))
    return found


def test_every_marked_string_is_in_the_catalogue() -> None:
    catalogue = {entry.msgid for entry in polib.pofile(str(PO))}
    missing = sorted(_source_strings() - catalogue)
    assert not missing, f"run `make messages` and translate: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "signed_in"),
    [("/", False), ("/demands/", False), ("/labs/", False), ("/lists/", False), ("/account/login/", False),
     ("/", True), ("/projects/", True), ("/orgs/", True), ("/investors/", True),
     ("/projects/new/", True), ("/demands/new/", True), ("/orgs/new/", True),
     ("/investors/new/", True), ("/excel/projects/import/", True), ("/account/tokens/", True), ("/account/notifications/", True),
     ("/account/password/", True), ("/calls/", True), ("/calls/new/", True), ("/review/", True),
     ("/review/experts/", True), ("/excel/experts/import/", True), ("/matchmaking/", True),
     ("/matchmaking/stats/", True), ("/targets/reports/", True)],
)  # fmt: skip
def test_english_pages_have_no_chinese_left(path: str, signed_in: bool) -> None:
    from innobridge.core.services import roles_ensure

    roles_ensure()
    client = Client()
    if signed_in:
        client.force_login(make_user("staff_en", "bureau_staff", is_staff=True))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(path).content.decode()
    html = re.sub(r'<select id="language-select".*?</select>', "", html, flags=re.S)
    leftovers = sorted(set(CJK.findall(html)))
    assert not leftovers, leftovers


@pytest.mark.django_db
def test_brand_names_the_product_once_in_each_language() -> None:
    """Chinese pages show 科创桥 with "Innobridge" beside it; English ones say Innobridge once."""
    client = Client()
    chinese = client.get("/").content.decode()
    assert re.search(r'class="brand"[^>]*>科创桥<small>Innobridge</small></a>', chinese)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    brand = re.search(r'class="brand"[^>]*>(.*?)</a>', english)
    assert brand is not None
    assert brand.group(1) == "Innobridge"
