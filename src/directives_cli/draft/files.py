"""The files around a draft: reading the report, naming it from where the YAML goes,
writing the YAML, and reading the categories of another catalogue."""

from __future__ import annotations

import os
from pathlib import Path

from directives_cli.draft.categorize import Theme
from directives_cli.errors import OutputError, UsageError
from directives_cli.paths import contained


def read_report(path: Path) -> str:
    """The report's text; a missing or non-UTF-8 report is a usage error naming it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{shown(path)}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{shown(path)}: is a directory, not a report") from None
    except OSError as error:
        raise UsageError(f"{shown(path)}: cannot read it: {error.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UsageError(
            f"{shown(path)}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x});"
            " convert it first, e.g. with iconv -t UTF-8"
        ) from None


def source_file(report: Path, output: Path | None) -> str:
    """The report's path relative to the folder the YAML is written to (the current
    folder for stdout), as source.file must name it.

    A catalogue's source.file must resolve inside that folder (`paths.contained`, the
    loader's own rule), so a report outside it
    is refused with what to do instead: a draft that names its report nowhere, or by a
    path `validate` rejects, would not be the valid catalogue `draft` promises.
    """
    parent = output.parent if output is not None else Path()
    folder = Path(os.path.realpath(parent))
    inside = contained(parent, os.path.abspath(report))
    if inside is None:
        where = "the current folder" if output is None else f"the folder of {shown(output)}"
        raise UsageError(
            f"{shown(report)} is outside {where} ({shown(folder)}), and a catalogue's"
            " source.file must be inside the catalogue's own folder: copy the report there"
            " (e.g. into sources/) or write the draft beside it (-o DIR/NAME.yaml)"
        )
    written = Path(inside).relative_to(folder).as_posix()
    try:
        written.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(
            f"{shown(written)}: the report's path is not UTF-8 text, and a catalogue's"
            " source.file is text: rename it (e.g. with convmv) and draft again"
        ) from None
    return written


def write_output(path: Path, text: str, force: bool) -> None:
    """Write the draft; refuse to replace a file unless ``force``."""
    if path.exists() and not force:
        raise UsageError(f"{shown(path)} exists; use --force to overwrite it")
    if not path.parent.is_dir():
        raise UsageError(f"-o {shown(path)}: no such folder {shown(path.parent)}")
    try:
        with open(path, "w" if force else "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{shown(path)} exists; use --force to overwrite it") from None
    except OSError as error:
        raise OutputError(f"cannot write {shown(path)}: {error.strerror}") from None


def themes(path: Path) -> tuple[Theme, ...]:
    """The categories of a catalogue, each with the words of its directives."""
    from directives_cli import loader

    catalogue = loader.load(path)
    words: dict[tuple[str, str], list[str]] = {}
    for d in catalogue.directives:
        words.setdefault((d.meeting, d.category), []).extend((d.title, d.text, *d.tags))
    found: dict[str, Theme] = {}
    for c in catalogue.categories:
        text = " ".join(words.get((c.meeting, c.id), []))
        found.setdefault(c.id, Theme(c.id, c.title, c.description, text))
    return tuple(found.values())


def shown(path: Path | str) -> str:
    """A path fit for a one-line message: control characters escaped."""
    text = os.fspath(path)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
