from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from innobridge.core.uscc import check_char, make_uscc, normalize, validate_uscc


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "91420100MA4KXW0B5P"[:17] + check_char("91420100MA4KXW0B5")],
)
def test_valid_codes_pass(code: str) -> None:
    validate_uscc(code)


def test_generated_codes_are_valid() -> None:
    for n in range(200):
        validate_uscc(make_uscc("9", "1", "420100", f"{n * 7919:08d}"))


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y4", "18位"),
        ("91350100M000100Y44", "校验位错误：应为 3"),
        ("91350100M0001O0Y43", "非法字符：O"),
        ("Z1350100M000100Y43", "非法字符：Z"),
        ("01350100M000100Y43", "登记管理部门"),
    ],
)
def test_invalid_codes_say_why(code: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_uscc(code)
    assert fragment in caught.value.messages[0]


def test_normalize_accepts_full_width_and_spaces() -> None:
    assert normalize("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"
    assert normalize(" 91350100 m000100y43 ") == "91350100M000100Y43"
