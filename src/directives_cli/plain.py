"""`typing`'s names for plain data, without importing `typing` on a warm call.

Shell loops start `directives` once per call, and `typing` alone costs about a third of
what `import yaml` does; `dataclasses` (with `inspect`) costs more. So the modules of a
warm call declare their plain data as `NamedTuple` classes (or hand-written ``__slots__``
classes, `model._Record`) and take `TYPE_CHECKING`, `NamedTuple`, `Protocol` and `assert_never` from
here: mypy sees `typing`'s own (it reads any name `TYPE_CHECKING` as true), the
interpreter gets the same classes made by `collections.namedtuple`, as `typing` makes
them. Imports nothing but `collections`, which Python has already loaded.
"""

from __future__ import annotations

import collections

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
    from typing import Protocol as Protocol
    from typing import assert_never as assert_never
else:
    #: What a NamedTuple class body may not define (as in `typing`), and what it defines
    #: that is not a field or a method to copy.
    _PROHIBITED = frozenset(
        {"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults"}
        | {"_make", "_replace", "_asdict", "_source"}
    )
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _NamedTupleMeta(type):
        """Turn ``class X(NamedTuple): a: int; b: str = ""`` into a namedtuple class with
        the body's docstring, methods and properties, as `typing.NamedTuple` does."""

        def __new__(mcs, name, bases, namespace):
            if namespace.get("_root", False):
                return super().__new__(mcs, name, bases, namespace)
            fields = tuple(namespace.get("__annotations__", {}))
            defaults = [namespace[f] for f in fields if f in namespace]
            if any(f in namespace for f in fields[: len(fields) - len(defaults)]):
                raise TypeError(f"{name}: a field without a default follows one with a default")
            made = collections.namedtuple(
                name, fields, defaults=defaults, module=namespace.get("__module__")
            )
            made.__annotations__ = dict(namespace.get("__annotations__", {}))
            for key, value in namespace.items():
                if key in _PROHIBITED:
                    raise AttributeError(f"cannot overwrite NamedTuple attribute {key}")
                if key not in _SPECIAL and key not in fields:
                    setattr(made, key, value)
            return made

    class NamedTuple(metaclass=_NamedTupleMeta):
        """The base of plain-data classes; see the module's docstring."""

        _root = True

    #: A protocol is an interface for the type checker only: at run time, a plain class.
    Protocol = object

    def assert_never(value):
        """Reached only by a value the type checker proved impossible: a bug."""
        raise AssertionError(f"Expected code to be unreachable, but got: {value!r}")
