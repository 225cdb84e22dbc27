"""Safe, fast YAML parsing for catalogue files.

Catalogues are untrusted text, so this module parses them with a deliberately small
YAML: mappings, sequences and scalars only. Every scalar stays the string its author
wrote (YAML 1.1 would turn ``no`` into False, ``2018`` into an int and ``2019-01-24``
into a date); only a plain ``null``/``~``/empty scalar means None. Explicit tags,
anchors and aliases are refused (no object construction, no "billion laughs"),
duplicate keys are reported (PyYAML silently keeps the last), and nesting is capped so
no input can raise RecursionError.

Speed matters as much as safety: the first call on a 100,000-directive catalogue must
cost about what a bare ``yaml.load(f, Loader=CSafeLoader)`` costs. So libyaml composes
the node tree in C, a minimal resolver and a direct node walker replace PyYAML's
generic constructor, and positions are only computed again (`locate`) for the rare
document that has a problem.

This is the one module that imports ``yaml`` at import time: import it only on the
paths that parse (the loader does so inside its functions).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from directives_cli.safetext import quoted

#: Deepest nesting of collections accepted; a catalogue needs four levels.
MAX_DEPTH = 64

#: One step into a document: a mapping key or a sequence index.
Step = str | int
#: Where a value sits in a document, from the top: ("directives", 3, "act").
YamlPath = tuple[Step, ...]

# Tags this module's resolver assigns. They are compared by identity (``is``), so a
# tag an author writes explicitly (even the same text, like ``!!str``) never matches.
_STR = "".join(("tag:directives,internal:", "str"))
_NULL = "".join(("tag:directives,internal:", "null"))
_COLLECTION = "".join(("tag:directives,internal:", "collection"))
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))

# Bytes after which an anchor (&name) or alias (*name) token can start.
_TOKEN_BOUNDARY = frozenset(b" \t\r\n[{,:\xbf\x85\xa8\xa9")
_NAME_CHARS = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")
# The characters PyYAML's reader refuses (the same set libyaml refuses).
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


@dataclass(frozen=True, slots=True)
class Flaw:
    """Something wrong with a document, at a 1-based line and column.

    The loader turns it into an errors.Problem once it knows the file name.
    """

    line: int
    column: int
    message: str


@dataclass(frozen=True, slots=True)
class Parsed:
    """The result of parsing one document.

    ``value`` is plain data (dict, list, str, None). ``complete`` is False when the
    document could not be read to its end (syntax error, refused construct): then
    ``value`` is None and only ``flaws`` says why. A complete document may still carry
    flaws (duplicate keys, explicit tags) that do not stop the rest being checked.
    """

    value: object
    flaws: tuple[Flaw, ...]
    complete: bool


class _Refused(Exception):
    """A construct this YAML subset refuses; stops composing the document."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.flaw = Flaw(mark.line + 1, mark.column + 1, message)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic data.

    Parsing allocates millions of objects and none of them form cycles, yet the
    collector would scan them again and again: about half of a naive load's time.
    The previous state is restored even if parsing fails.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _resolve(kind: type[Node], value: str | None, implicit: Any) -> str:
    """Give every node one of this module's tags instead of guessing a type.

    Called by the composer for every node, so it does as little as possible: plain
    null-like scalars become None and every other scalar stays a string. (PyYAML
    also calls this for the non-specific tag ``!``, which changes nothing here.)
    """
    if kind is ScalarNode:
        return _NULL if implicit[0] and value in _NULLS else _STR
    return _COLLECTION


class _CheckedComposer(Composer):
    """PyYAML's composer, refusing anchors, aliases and deep nesting as it goes.

    Used for the pure-Python parser and, over libyaml's events, for the rare file
    that may hold an anchor or alias (libyaml's own composer cannot be told to
    refuse them).
    """

    depth = 0
    peek_event: Callable[[], Any]  # provided by the parser it is mixed with

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        """Refuse the node before PyYAML would resolve an alias or recurse deeper."""
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise _Refused(
                event.start_mark,
                f"alias '*{event.anchor}' is not allowed: catalogues use no anchors or aliases",
            )
        if event.anchor is not None:
            raise _Refused(
                event.start_mark,
                f"anchor '&{event.anchor}' is not allowed: catalogues use no anchors or aliases",
            )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(event.start_mark, _too_deep_message())
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        """Path-dependent resolution is not used."""

    def ascend_resolver(self) -> None:
        """Path-dependent resolution is not used."""

    resolve = staticmethod(_resolve)


class _PyLoader(Reader, Scanner, Parser, _CheckedComposer):
    """The pure-Python pipeline, for when PyYAML was built without libyaml."""

    def __init__(self, stream: bytes) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _CheckedComposer.__init__(self)


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _CLoader(CParser):
        """libyaml scans, parses and composes in C; only resolution calls back."""

        resolve = staticmethod(_resolve)

        def descend_resolver(self, current_node: object, current_index: object) -> None:
            """Path-dependent resolution is not used."""

        def ascend_resolver(self) -> None:
            """Path-dependent resolution is not used."""

    class _CEventLoader(_CheckedComposer, CParser):
        """libyaml's events composed by the checking composer (anchors refused)."""

        def __init__(self, stream: bytes) -> None:
            CParser.__init__(self, stream)
            _CheckedComposer.__init__(self)

    HAVE_LIBYAML = True
else:  # pragma: no cover - depends on how PyYAML was built
    HAVE_LIBYAML = False


def parse(data: bytes, *, use_libyaml: bool | None = None) -> Parsed:
    """Parse one document from raw bytes into plain data, refusing what is unsafe.

    ``use_libyaml`` None means "when available"; tests pass False to exercise the
    pure-Python path that machines without libyaml take.
    """
    flaw = text_flaw(data)
    if flaw is not None:
        return Parsed(None, (flaw,), complete=False)
    flaws: list[Flaw] = []
    try:
        with gc_paused():
            root = _compose(data, use_libyaml)
            if root is None:
                return Parsed(None, (_empty_flaw(),), complete=False)
            value = _build(root, 1, flaws)
    except _Refused as refused:
        return Parsed(None, (refused.flaw,), complete=False)
    except yaml.YAMLError as error:
        return Parsed(None, (_syntax_flaw(error, data),), complete=False)
    return Parsed(value, tuple(flaws), complete=True)


def locate(data: bytes, paths: Sequence[tuple[YamlPath, bool]]) -> list[tuple[int, int]]:
    """The 1-based (line, column) of each path in a document that parsed completely.

    Each entry is (path, at_key): at_key points at the mapping key of the last step
    instead of its value, as "unknown field" and "duplicate key" messages want.
    Positions are not kept while loading (that would cost time on every load), so
    the document is composed again here, only when something needs reporting.
    """
    try:
        with gc_paused():
            root = _compose(data, None)
    except (yaml.YAMLError, _Refused):
        root = None  # the file changed since it was checked: no better place than 1:1
    return [_position(root, path, at_key) for path, at_key in paths]


def text_flaw(data: bytes) -> Flaw | None:
    """Why ``data`` is not UTF-8 text, at the position of the first offending byte.

    Checked before parsing so that a binary or Latin-1 file gets a message that says
    what is wrong with the file, not a puzzling YAML error.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Flaw(1, 1, "not UTF-8 text: the file is UTF-16; save it as UTF-8")
    nul = data.find(b"\x00")
    if nul != -1:
        line, column = _byte_position(data, nul)
        return Flaw(line, column, "not UTF-8 text: NUL byte (is this a binary file?)")
    if data.isascii():
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start)
        byte = data[error.start]
        return Flaw(
            line,
            column,
            f"not UTF-8 text: invalid byte 0x{byte:02X} (Latin-1 or another encoding?"
            " save the file as UTF-8)",
        )
    return None


def may_hold_anchors(data: bytes) -> bool:
    """Whether an anchor or alias token might occur: cheap, never misses one.

    An anchor or alias starts with '&' or '*' at a token boundary followed by a
    name character. Text such as "R&D" or "5 * 3" does not qualify, so the common
    catalogue takes libyaml's fast composer; a false alarm only costs speed.
    """
    size = len(data)
    for marker in (b"&", b"*"):
        at = data.find(marker)
        while at != -1:
            before_ok = at == 0 or data[at - 1] in _TOKEN_BOUNDARY
            if before_ok and at + 1 < size and data[at + 1] in _NAME_CHARS:
                return True
            at = data.find(marker, at + 1)
    return False


def _compose(data: bytes, use_libyaml: bool | None) -> Node | None:
    """The document's node tree (None for an empty stream), by the fastest safe route."""
    loader: Any
    if not HAVE_LIBYAML or use_libyaml is False:
        loader = _PyLoader(data)
    elif may_hold_anchors(data):
        loader = _CEventLoader(data)
    else:
        loader = _CLoader(data)
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    finally:
        loader.dispose()


def _build(node: Node, depth: int, flaws: list[Flaw]) -> object:
    """Plain data from a node: dicts, lists, strings and None.

    A hand-written walk rather than PyYAML's constructor: no per-node generators,
    no type dispatch tables, and scalar children are taken inline, which is most of
    the cost of a catalogue. Recursion is bounded by MAX_DEPTH.
    """
    if depth > MAX_DEPTH:
        _raise_too_deep(node)
    cls = node.__class__
    if cls is MappingNode:
        return _build_mapping(node, depth, flaws)
    if node.tag is not _COLLECTION and node.tag is not _STR and node.tag is not _NULL:
        flaws.append(_tag_flaw(node))
    if cls is SequenceNode:
        return [
            child.value
            if child.__class__ is ScalarNode and child.tag is _STR
            else _build(child, depth + 1, flaws)
            for child in node.value
        ]
    return None if node.tag is _NULL else node.value


def _build_mapping(node: Node, depth: int, flaws: list[Flaw]) -> dict[str, object]:
    """A dict from a mapping node, keeping the first of duplicate keys and reporting the rest."""
    if node.tag is not _COLLECTION:
        flaws.append(_tag_flaw(node))
    result: dict[str, object] = {}
    for key_node, value_node in node.value:
        if key_node.__class__ is not ScalarNode:
            flaws.append(_mark_flaw(key_node, "a mapping key must be a plain string"))
            continue
        if key_node.tag is not _STR and key_node.tag is not _NULL:
            flaws.append(_tag_flaw(key_node))
        key = key_node.value
        if value_node.__class__ is ScalarNode and value_node.tag is _STR:
            value: object = value_node.value
        else:
            value = _build(value_node, depth + 1, flaws)
        if key in result:
            flaws.append(_duplicate_flaw(node, key_node))
        else:
            result[key] = value
    return result


def _duplicate_flaw(mapping: Node, key_node: Node) -> Flaw:
    """A duplicate key, pointing back at the first occurrence so both can be compared."""
    first = next(
        k for k, _ in mapping.value if k.__class__ is ScalarNode and k.value == key_node.value
    )
    line = first.start_mark.line + 1
    return _mark_flaw(key_node, f"duplicate key {quoted(key_node.value)} (first at line {line})")


def _tag_flaw(node: Node) -> Flaw:
    """Explicit tags are refused: they are how YAML asks for arbitrary objects."""
    shown = node.tag
    if shown.startswith("tag:yaml.org,2002:"):
        shown = "!!" + shown.removeprefix("tag:yaml.org,2002:")
    return _mark_flaw(
        node, f"tag {quoted(shown)} is not allowed: catalogues use plain YAML, no tags"
    )


def _mark_flaw(node: Node, message: str) -> Flaw:
    """A flaw at the start of a node."""
    return Flaw(node.start_mark.line + 1, node.start_mark.column + 1, message)


def _too_deep_message() -> str:
    """The one wording for over-deep nesting, from either composer or builder."""
    return f"nesting deeper than {MAX_DEPTH} levels: not a catalogue"


def _raise_too_deep(node: Node) -> NoReturn:
    """Stop building: the document nests far deeper than any catalogue does."""
    raise _Refused(node.start_mark, _too_deep_message())


def _empty_flaw() -> Flaw:
    """An empty file (or only comments) is not a catalogue; say what one looks like."""
    return Flaw(1, 1, "empty file: expected a mapping with schema, meeting, categories, directives")


def _syntax_flaw(error: yaml.YAMLError, data: bytes) -> Flaw:
    """A one-line message for a YAML error, at the position of the problem itself."""
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        problem = error.problem or "invalid YAML"
        if error.context:
            problem = f"{problem} ({error.context}"
            if error.context_mark is not None:
                problem += f" at line {error.context_mark.line + 1}"
            problem += ")"
        if _char_at(data, mark.line, mark.column) == "\t":
            problem = "a tab cannot be used here; indent with spaces"
        return Flaw(mark.line + 1, mark.column + 1, f"invalid YAML: {problem}")
    return _reader_flaw(data)


def _reader_flaw(data: bytes) -> Flaw:
    """A character YAML does not allow (a control character, say), found in the text.

    Reader errors carry a byte or character offset depending on the parser; finding
    the character again gives the same line and column either way.
    """
    text = data.decode("utf-8", errors="replace")
    found = _NON_PRINTABLE.search(text)
    if found is None:
        return Flaw(1, 1, "invalid YAML: the text cannot be read as YAML")
    before = text[: found.start()]
    line = before.count("\n") + 1
    column = found.start() - (before.rfind("\n") + 1) + 1
    return Flaw(
        line, column, f"invalid YAML: control character U+{ord(found.group()):04X} is not allowed"
    )


def _char_at(data: bytes, line: int, column: int) -> str:
    """The character at a 0-based line and column, or "" when there is none."""
    lines = data.split(b"\n", line + 1)
    if line >= len(lines):
        return ""
    text = lines[line].decode("utf-8", errors="replace")
    return text[column] if column < len(text) else ""


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset in (possibly broken) UTF-8."""
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def _position(root: Node | None, path: YamlPath, at_key: bool) -> tuple[int, int]:
    """Walk a node tree along a path; the deepest node reached gives the position."""
    node = root
    if node is None:
        return 1, 1
    key_node: Node | None = None
    for step in path:
        found = _child(node, step)
        if found is None:
            break
        key_node, node = found
    target = key_node if at_key and key_node is not None else node
    return target.start_mark.line + 1, target.start_mark.column + 1


def _child(node: Node, step: Step) -> tuple[Node | None, Node] | None:
    """The (key node, value node) one step down, or None when the path does not exist."""
    if isinstance(step, int):
        if node.__class__ is SequenceNode and 0 <= step < len(node.value):
            return None, node.value[step]
        return None
    if node.__class__ is MappingNode:
        for key_node, value_node in node.value:
            if key_node.__class__ is ScalarNode and key_node.value == step:
                return key_node, value_node
    return None
