"""`plain.NamedTuple` makes at run time the class `typing.NamedTuple` makes."""

from __future__ import annotations

import typing

import pytest

from directives_cli import plain


def declare(base: type) -> type:
    class Point(base):  # type: ignore[misc,valid-type]
        """A point."""

        x: int
        y: int = 0
        label: str = "p"

        @property
        def norm(self) -> int:
            return abs(self.x) + abs(self.y)

        def moved(self, by: int) -> Point:
            return self._replace(x=self.x + by)

    return Point


@pytest.mark.parametrize("args", [(1,), (1, 2), (3, -4, "q")])
def test_the_same_class_as_typing_makes(args: tuple[object, ...]) -> None:
    ours, theirs = declare(plain.NamedTuple), declare(typing.NamedTuple)
    a, b = ours(*args), theirs(*args)
    assert tuple(a) == tuple(b) and repr(a) == repr(b)
    assert ours._fields == theirs._fields == ("x", "y", "label")
    assert ours._field_defaults == theirs._field_defaults
    assert a.norm == b.norm and tuple(a.moved(2)) == tuple(b.moved(2))
    assert ours.__doc__ == theirs.__doc__ == "A point."
    assert ours.__qualname__ == theirs.__qualname__ and ours.__module__ == theirs.__module__
    assert isinstance(a, tuple) and isinstance(a, ours)
    with pytest.raises(AttributeError):
        a.x = 5  # type: ignore[misc]


def test_a_field_without_a_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError):

        class Bad(plain.NamedTuple):
            a: int = 0
            b: int


def test_assert_never_says_what_it_got() -> None:
    with pytest.raises(AssertionError, match="'odd'"):
        plain.assert_never("odd")  # type: ignore[arg-type]
