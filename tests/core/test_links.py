"""A record's link (core.links, each model's get_absolute_url) is the one reverse() gives, under
any URL prefix the site is mounted at."""

from __future__ import annotations

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from innobridge.core.links import record_url


@pytest.mark.parametrize("viewname", ["projects:detail", "demands:detail", "orgs:detail"])
def test_record_links_are_what_reverse_gives(viewname: str) -> None:
    for pk in (1, 7, 42, 918273645, 10**12):
        assert record_url(viewname, pk) == reverse(viewname, args=[pk])
    set_script_prefix("/kechuang/")
    try:
        assert record_url(viewname, 7) == reverse(viewname, args=[7])
        assert record_url(viewname, 7).startswith("/kechuang/")
    finally:
        clear_script_prefix()
    assert not record_url(viewname, 7).startswith("/kechuang/")
