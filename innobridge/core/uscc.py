"""Unified social credit code (统一社会信用代码, GB 32100-2015): format and check digit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100 alphabet: digits and capital letters without I, O, Z, S, V.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: the registering authority; second: the kind of organization.
AUTHORITIES = set("123456789ABCDEFGNY")


def check_char(first17: str) -> str:
    """The 18th character for the first 17 (each must be in ALPHABET)."""
    total = sum(
        ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True)
    )
    return ALPHABET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    """Upper-case, strip spaces and full-width characters people paste from documents."""
    half = "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in code)
    return "".join(half.split()).upper()


def validate_uscc(value: str) -> None:
    code = normalize(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(n)d位。"), code="length", params={"n": len(code)}
        )
    bad = [char for char in code if char not in ALPHABET]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有非法字符：%(chars)s（不可使用 I、O、Z、S、V）。"),
            code="alphabet",
            params={"chars": "".join(bad)},
        )
    if code[0] not in AUTHORITIES:
        raise ValidationError(
            _("统一社会信用代码第1位（登记管理部门代码）无效。"), code="authority"
        )
    if check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("统一社会信用代码校验位错误：应为 %(expected)s，实为 %(actual)s。"),
            code="checksum",
            params={"expected": check_char(code[:17]), "actual": code[17]},
        )


def make_uscc(authority: str, kind: str, region: str, org_code8: str) -> str:
    """Compose a valid code (used by the demo and tests): 1+1+6+9 characters + check digit.

    ``org_code8`` is the 8-character body of the organization code; its own check character
    (GB 11714) is computed here so the whole code is well formed.
    """
    body_weights = (3, 7, 9, 10, 5, 8, 4, 2)
    values = [int(c, 36) for c in org_code8]
    org_check = 11 - sum(v * w for v, w in zip(values, body_weights, strict=True)) % 11
    org_check_char = {10: "X", 11: "0"}.get(org_check, str(org_check))
    first17 = f"{authority}{kind}{region}{org_code8}{org_check_char}"
    return first17 + check_char(first17)
