"""Chinese reports: which sentences instruct, who speaks, and one clause per instruction.

The form: "会议要求，一是……；二是……", "X强调，要……，……；要……", "他指出……", and
sentences opening with 要/必须 or an enumerator that continue the last speaker. Items
joined by 、 are one noun phrase ("人民至上、生命至上") and are never split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from directives_cli.draft import lexicon
from directives_cli.draft.sentences import split_at, unique, without_leading
from directives_cli.draft.types import Assessment, Instruction, Span

#: Verbs of speech and their acts; 要求 is "requested" of the meeting itself and
#: "demanded" of a person.
ACT_VERBS: dict[str, str] = {"强调": "stressed", "指出": "pointed-out", "提出": "requested"}
_LEAD = re.compile(
    r"^(?:[^，。；]{0,30}，)?(?P<subj>[^，。；：“”]{1,30}?)(?:还|也|同时|进一步)?"
    r"(?P<verb>强调|指出|要求|提出)(?P<sep>[，：:,]|(?=要|必须|各))"
)
_MEETING = re.compile(r"^(?:本次)?(?:会议|大会|会上)$")
_PRONOUN = re.compile(r"^(?:他|她)$")
_MODAL = r"(?<![重主需只紧纲])要(?![求素点领])|必须|应当|应该|务必|需要"
_ADDRESSEE = re.compile(rf"^(?P<addr>[^，；：、]{{2,30}}?)(?P<modal>{_MODAL})")
_HAS_MODAL = re.compile(rf"{_MODAL}|应")
_ENUMERATOR = (
    r"(?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，、]?|[一二三四五六七八九十]+、"
    r"|[（(][一二三四五六七八九十]+[）)]|(?<![\d.])\d{1,2}[.、](?!\d)"
    r"|首先，|其次，|再次，|最后，|此外，|同时，)"
)
_ENUM_SPLIT = re.compile(_ENUMERATOR)
_CONTINUE = re.compile(rf"^(?:{_ENUMERATOR}|(?:{_MODAL}))")
_LEADING = re.compile(rf"(?:{_ENUMERATOR})?(?:并且?|还|更|同时)?(?:{_MODAL})?")
_NOT_VERB_PHRASE = re.compile(r"^(?:通过|在|以|按照|围绕|根据|随着|为了|对于|从|经过|由于|截至)")
#: jieba tags a piece may open with to start a verb phrase: a verb, an idiom.
_OPENING_TAGS = ("v", "vd", "vi", "l", "i")


@dataclass
class _Context:
    person: str | None = None
    act: str = ""
    active: bool = False


def instructions(
    text: str, sentences: list[Span], people: list[str]
) -> tuple[list[Instruction], list[Assessment]]:
    """Every instruction in the report, one per clause, and the assessments left out."""
    found: list[Instruction] = []
    assessed: list[Assessment] = []
    context = _Context()
    for sentence in sentences:
        raw = text[sentence.start : sentence.end]
        lead = _lead(raw, people, text[: sentence.start])
        if lead is not None:
            person, act, offset = lead
            context = _Context(person, act, True)
            made = _body(text, Span(sentence.start + offset, sentence.end), person, act)
            if made is None:
                assessed.append(Assessment(sentence, person))
                context.active = False
            else:
                found.extend(made)
            continue
        if context.act and (_CONTINUE.match(raw) or (context.active and _ADDRESSEE.match(raw))):
            made = _body(text, sentence, context.person, context.act, continued=True)
            found.extend(made or [])
            context.active = bool(made)
            continue
        context.active = False
    return found, assessed


def _lead(raw: str, people: list[str], before: str) -> tuple[str | None, str, int] | None:
    """(person or None for the meeting, act, where the body starts), or None."""
    match = _LEAD.match(raw)
    if match is None:
        return None
    subject, verb = match.group("subj"), match.group("verb")
    if _MEETING.match(subject):
        return None, ACT_VERBS.get(verb, "requested"), match.end()
    person = _person(subject, people, before)
    if person is None:
        return None
    return person, ACT_VERBS.get(verb, "demanded"), match.end()


def _person(subject: str, people: list[str], before: str) -> str | None:
    """The person a subject names: 他 is the last one named, else a name in it."""
    if _PRONOUN.match(subject):
        placed = [(before.rfind(p), p) for p in people if p in before]
        return max(placed)[1] if placed else None
    known = [p for p in people if p in subject]
    if known:
        return max(known, key=len)
    name = person_name(subject)
    if name:
        people.append(name)
    return name


def person_name(text: str) -> str | None:
    """The first person's name jieba finds in a text (its name tokens joined)."""
    name = ""
    for word, flag in lexicon.chinese_tags(text):
        if flag == "nr":
            name += word
        elif name:
            break
    return name if len(name) >= 2 else None


def _body(
    text: str, body: Span, person: str | None, act: str, *, continued: bool = False
) -> list[Instruction] | None:
    """The instructions of what follows a verb of speech; None for an assessment."""
    raw = text[body.start : body.end]
    if act == "pointed-out" and not continued and not _HAS_MODAL.search(raw):
        return None
    addressee, modal = "", ""
    match = _ADDRESSEE.match(raw)
    if match and not _ENUM_SPLIT.match(raw):
        addressee, modal = match.group("addr"), match.group("modal")
        if addressee in ("我们", "大家", "我们必须"):
            addressee = ""
        body = Span(body.start + match.end(), body.end)
    return [
        Instruction(unique(text, c, body), person, act, addressee, modal)
        for c in _clauses(text, body)
        if c.end - c.start >= 2
    ]


def _clauses(text: str, body: Span) -> list[Span]:
    """One span per instruction: split at ；, at enumerators and at ， before a verb."""
    pieces: list[Span] = []
    for part in split_at(text, body, re.compile("[；;]")):
        for item in split_at(text, part, _ENUM_SPLIT):
            pieces.extend(_clean(text, p) for p in _verb_phrases(text, _clean(text, item)))
    return [p for p in pieces if p.end > p.start]


def _clean(text: str, span: Span) -> Span:
    """A clause without its leading modal (要, 必须) and surrounding punctuation."""
    return without_leading(text, span, _LEADING)


def _verb_phrases(text: str, span: Span) -> list[Span]:
    """Split at ， where the next piece opens with a verb and the current one holds a
    verb: "加强风险防控，坚守安全底线" is two; 、 never splits."""
    parts = split_at(text, span, re.compile("[，,]"))
    merged: list[Span] = []
    for part in parts:
        if merged and not (_has_verb(text, merged[-1]) and _opens_verb(text, part)):
            merged[-1] = Span(merged[-1].start, part.end)
        else:
            merged.append(part)
    return merged


def _has_verb(text: str, span: Span) -> bool:
    """Whether a piece reads as a verb phrase of its own (jieba tags some verbs, such
    as 落实, as adjectives: a piece opening with one counts too)."""
    piece = text[span.start : span.end]
    if _NOT_VERB_PHRASE.match(piece):
        return False
    tags = lexicon.chinese_tags(piece)
    opening = bool(tags) and tags[0][1] in ("a", "ad", "d", "l", "i")
    return opening or any(flag.startswith("v") for _, flag in tags)


def _opens_verb(text: str, span: Span) -> bool:
    """Whether a piece opens with a verb (or an adverb, a modal before one)."""
    piece = text[span.start : span.end]
    piece = _LEADING.sub("", piece, count=1)
    if not piece or _NOT_VERB_PHRASE.match(piece):
        return False
    tags = lexicon.chinese_tags(piece)
    if not tags:
        return False
    if tags[0][1] in _OPENING_TAGS:
        return True
    if tags[0][1] == "a" and len(tags) > 1 and tags[1][1] != "uj":
        # jieba tags some verbs as adjectives (落实 "两站两员"); 的 after one makes it
        # a modifier instead.
        return True
    if len(tags) > 1 and tags[1][1] in ("v", "vd", "vn"):
        # An adverb before the verb: 切实落实, 全面排查 (jieba tags some of them nouns).
        return tags[0][1] in ("a", "ad", "d") or (tags[0][1] == "n" and len(tags[0][0]) == 2)
    return False
