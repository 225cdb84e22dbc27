"""English reports: which sentences instruct, who speaks, and one clause per instruction.

The form these reports follow: "The meeting requested that X should A; B; C", "Chen
Gang stressed that it is necessary to A, B and C", "He demanded ...", then "We must
...", "It is necessary to ..." or bare imperatives that continue the last speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from directives_cli.draft import lexicon
from directives_cli.draft.sentences import split_at, unique, without_leading
from directives_cli.draft.types import Assessment, Instruction, Span

#: The verbs of speech the report uses, and the act each stands for.
ACT_VERBS: dict[str, str] = {
    "requested": "requested",
    "required": "requested",
    "proposed": "requested",
    "put forward": "requested",
    "demanded": "demanded",
    "stressed": "stressed",
    "emphasized": "stressed",
    "emphasised": "stressed",
    "pointed out": "pointed-out",
}
_VERBS = "|".join(sorted((re.escape(v) for v in ACT_VERBS), key=len, reverse=True))
_LEAD = re.compile(
    rf"^(?:(?P<pre>[^,;]{{1,60}}),\s+)?(?P<subj>[A-Za-z][\w.'’ -]{{0,80}}?)"
    r"(?:,\s+[^,;]{1,120}?,)?\s+"
    rf"(?:also\s+|further\s+|particularly\s+|specifically\s+)?(?P<verb>{_VERBS})\b"
    r"(?:\s+(?:in|at|during)\s+(?:his|her|the|a)\s+\w+(?:\s+\w+)?(?=\s+that\b))?"
    r"(?:\s+that\b|\s*:|\s*,)?\s*"
)
_MEETING = re.compile(r"^(?:the\s+)?(?:meeting|conference)$", re.IGNORECASE)
_PRONOUN = re.compile(r"^(?:he|she)$", re.IGNORECASE)
_NAME = re.compile(r"^(?:[A-Z][\w'’-]*)(?: [A-Z][\w'’-]*){0,3}$")

_MODALS = r"should|must|shall|need to|needs to|have to|has to|are required to|is required to"
_NECESSARY = re.compile(
    r"^it is (?:necessary|essential|important|imperative|required|vital|crucial|urgent)"
    r"(?: for (?P<addr>[^,;]{1,80}?))? to\s+",
    re.IGNORECASE,
)
_PRONOUN_SUBJECT = re.compile(
    rf"^(?:we|you|they|he|she)\s+(?:(?P<modal>{_MODALS}|will)\s+)?", re.IGNORECASE
)
_ADDRESSEE = re.compile(rf"^(?P<addr>[^,;:]{{3,160}}?)\s+(?P<modal>{_MODALS})\s+", re.IGNORECASE)
_LATER_ADDRESSEE = re.compile(
    rf",\s+(?:and\s+|but\s+|so\s+)?(?P<addr>[^,;:]{{3,80}}?)\s+(?P<modal>{_MODALS})\s+",
    re.IGNORECASE,
)
#: Where a body turns to a new subject: "..., and that Y should", "..., and it is
#: necessary to", "..., and we must" (the subject words stay with the new part).
_AND_THAT = re.compile(
    r",?\s+(?:and|while|but)\s+that\s+|;\s*that\s+|,\s+(?:and\s+)?(?=(?:it is (?:necessary|"
    r"essential|important|imperative|vital|crucial) to|we (?:must|should|need to|have to))\b)",
    re.IGNORECASE,
)
_HAS_MODAL = re.compile(rf"\b(?:{_MODALS}|necessary|need)\b", re.IGNORECASE)

_ENUMERATOR = (
    r"(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth(?:ly)?|fifth(?:ly)?|sixth(?:ly)?"
    r"|seventh|eighth|ninth|tenth|finally|lastly|last|in addition|moreover|furthermore"
    r"|at the same time|meanwhile|besides|also)"
)
_ENUM_SPLIT = re.compile(rf"(?:^|(?<=[,;:])|(?<=[,;:]\s))(?:{_ENUMERATOR})\s*,\s*", re.IGNORECASE)
_OPENING = re.compile(rf"{_ENUMERATOR}\s*,\s*", re.IGNORECASE)
_CONTINUE = re.compile(
    rf"^(?:{_ENUMERATOR}\s*,\s*)?(?:(?:we|you)\s+(?:{_MODALS})\s+|it is (?:necessary|essential|"
    r"important|imperative|required|vital|crucial|urgent)\b)",
    re.IGNORECASE,
)
_LEADING = re.compile(
    rf"(?:(?:and|or|but)\s+)?(?:(?:we|you)\s+)?(?:(?:{_MODALS})\s+)?(?:to\s+)?", re.IGNORECASE
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d.,%]*|[^\sA-Za-z\d]")
_NOMINAL = re.compile(r"(?:tion|sion|ment|ance|ence|ity|ness|ing|ure|age|al|ism|ship)$")
_BE = re.compile(r"(?:be|become|serve as|act as)\s+(?:the|a|an)\b", re.IGNORECASE)
_COMPLEMENT = re.compile(r",\s+(?:and\s+)?(?=(?:the|a|an)\s)")


@dataclass
class _Context:
    """Who spoke last and how, for the sentences that continue them."""

    person: str | None = None
    act: str = ""
    #: Whether the previous sentence held directives (bare imperatives continue it).
    active: bool = False


def instructions(
    text: str, sentences: list[Span], people: list[str]
) -> tuple[list[Instruction], list[Assessment]]:
    """Every instruction in the report, one per clause, and the assessments left out.

    ``people`` are the names the meeting's facts found; names met as speakers are
    added to it, so "He" resolves to the last one named.
    """
    found: list[Instruction] = []
    assessed: list[Assessment] = []
    context = _Context()
    for sentence in sentences:
        raw = text[sentence.start : sentence.end]
        lead = _lead(raw, people, text[: sentence.start])
        if lead is not None:
            person, act, offset = lead
            context = _Context(person, act, True)
            body = Span(sentence.start + offset, sentence.end)
            made = _body(text, body, person, act)
            if made is None:
                assessed.append(Assessment(sentence, person))
                context.active = False
            else:
                found.extend(made)
            continue
        if context.act and (
            _CONTINUE.match(raw) or (context.active and (_imperative(raw) or _addressed(raw)))
        ):
            made = _body(text, sentence, context.person, context.act, continued=True)
            found.extend(made or [])
            context.active = bool(made)
            continue
        context.active = False
    return found, assessed


def _lead(raw: str, people: list[str], before: str) -> tuple[str | None, str, int] | None:
    """(person or None for the meeting, act, where the body starts) for a sentence
    that opens with a speaker and a verb of speech, else None."""
    match = _LEAD.match(raw)
    if match is None:
        return None
    subject = match.group("subj").strip()
    act = ACT_VERBS[match.group("verb").lower()]
    if _MEETING.match(subject):
        return None, act, match.end()
    if _PRONOUN.match(subject):
        person = _last_named(people, before)
        return (person, act, match.end()) if person else None
    known = [p for p in people if p in subject]
    if known:
        return max(known, key=len), act, match.end()
    if _NAME.match(subject) and len(subject.split()) >= 2:
        people.append(subject)
        return subject, act, match.end()
    return None


def _last_named(people: list[str], before: str) -> str | None:
    """The person whose name occurs last in the text before a sentence."""
    placed = [(before.rfind(p), p) for p in people if p in before]
    return max(placed)[1] if placed else None


def _verb_only(word: str) -> bool:
    """A word that can only be a verb cannot open an addressee ("market" can)."""
    return lexicon.is_base_verb(word) and not lexicon.is_noun_too(word)


def _addressed(raw: str) -> bool:
    """A sentence that tells someone what they should do ("Finally, all departments
    should step up ..."), right after a sentence of instructions."""
    match = _ADDRESSEE.match(_ENUM_SPLIT.sub("", raw, count=1))
    return match is not None and not _verb_only(match.group("addr").split()[0])


def _imperative(raw: str) -> bool:
    """A sentence that opens with a verb (after an adverb in -ly, an enumerator)."""
    words = _TOKEN.findall(_ENUM_SPLIT.sub("", raw, count=1))
    if words and words[0].lower().endswith("ly") and not lexicon.is_base_verb(words[0]):
        words = words[1:]
    if len(words) < 2 or not lexicon.is_base_verb(words[0]):
        return False
    if not lexicon.is_noun_too(words[0]) or words[1].lower() in lexicon.FUNCTION_WORDS:
        return True
    # "Conduct joint inspections." is an order; "Work safety accidents fell." is not:
    # a first word that may be a noun is a verb when no finite verb follows it.
    return not any(lexicon.is_finite_verb(w) for w in words[1:])


def _body(
    text: str, body: Span, person: str | None, act: str, *, continued: bool = False
) -> list[Instruction] | None:
    """The instructions of what follows a verb of speech; None for an assessment.

    "... that X should A, and that Y should B" holds two subjects: each part after a
    "that" gets its own addressee."""
    opening = _OPENING.match(text, body.start, body.end)
    if opening:
        body = Span(opening.end(), body.end)
    raw = text[body.start : body.end]
    if act == "pointed-out" and not continued and not _HAS_MODAL.search(raw):
        return None
    found: list[Instruction] = []
    for part in split_at(text, body, _AND_THAT):
        found.extend(_part(text, part, body, person, act))
    return found


def _part(text: str, part: Span, body: Span, person: str | None, act: str) -> list[Instruction]:
    """The instructions of one subject's part of a body."""
    raw = text[part.start : part.end]
    addressee, modal, skip = _subject(raw)
    if not skip and act == "pointed-out":
        addressee, modal, skip = _later_subject(raw)
    clauses = _clauses(text, Span(part.start + skip, part.end))
    return [
        Instruction(unique(text, c, body), person, act, addressee, modal)
        for c in clauses
        if len(text[c.start : c.end].split()) >= 2
    ]


def _subject(raw: str) -> tuple[str, str, int]:
    """(addressee, modal, characters to skip) at the start of an instruction's body."""
    match = _NECESSARY.match(raw)
    if match:
        return (match.group("addr") or "").strip(), "must", match.end()
    match = _PRONOUN_SUBJECT.match(raw)
    if match:
        return "", (match.group("modal") or "").lower(), match.end()
    match = _ADDRESSEE.match(raw)
    if match and not _verb_only(match.group("addr").split()[0]):
        return match.group("addr").strip(), match.group("modal").lower(), match.end()
    return "", "", 0


def _later_subject(raw: str) -> tuple[str, str, int]:
    """ "X has done well, and the whole city should keep ...": after an assessment, the
    instruction starts at the modal, and the words before it are its addressee."""
    match = _LATER_ADDRESSEE.search(raw)
    if match is None or _verb_only(match.group("addr").split()[0]):
        return "", "", 0
    return match.group("addr").strip(), match.group("modal").lower(), match.end()


def _clauses(text: str, body: Span) -> list[Span]:
    """One span per instruction: split at semicolons, enumerators, coordinated verb
    phrases and, after "be", coordinated roles; never inside a noun phrase."""
    pieces: list[Span] = []
    for part in split_at(text, body, re.compile(r"[;；]")):
        for item in split_at(text, part, _ENUM_SPLIT):
            for phrase in _verb_phrases(text, _clean(text, item)):
                pieces.extend(_roles(text, _clean(text, phrase)))
    return [p for p in pieces if p.end > p.start]


def _clean(text: str, span: Span) -> Span:
    """A clause without its leading "and", "we must", "to" and surrounding punctuation."""
    return without_leading(text, span, _LEADING)


def _verb_phrases(text: str, span: Span) -> list[Span]:
    """Split between coordinated verb phrases: before a base-form verb that follows
    "and" or a comma, has an object after it, and leaves a phrase of two words or
    more before it. "risk prevention and control" stays whole: "control" ends there."""
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, span.start, span.end)]
    pieces: list[Span] = []
    begin, last = span.start, 0
    for i in range(1, len(tokens)):
        at = _cut_before(tokens, i)
        if at is not None and len([t for t in tokens[last:i] if t[0][0].isalnum()]) >= 2:
            pieces.append(Span(begin, tokens[i][1]))
            begin, last = tokens[at][1], at
    pieces.append(Span(begin, span.end))
    return pieces


def _cut_before(tokens: list[tuple[str, int, int]], i: int) -> int | None:
    """The index of the token a new verb phrase starts at, when one starts at ``i``."""
    word = tokens[i][0]
    comma = word == ","
    if comma:
        j = i + 1
        if j < len(tokens) and tokens[j][0].lower() == "and":
            j += 1
    elif word.lower() == "and" and tokens[i - 1][0] != ",":
        j = i + 1
    else:
        return None
    start = j
    if j < len(tokens) and tokens[j][0].lower().endswith("ly"):
        j += 1
    if j + 1 >= len(tokens) or not lexicon.is_base_verb(tokens[j][0]):
        return None
    following = tokens[j + 1][0].lower()
    if following in (",", ".", ";"):
        return None
    if following == "and":
        # "innovate and improve post-event supervision": two verbs, one object.
        if not comma or j + 3 >= len(tokens) or not lexicon.is_base_verb(tokens[j + 2][0]):
            return None
    elif not comma and lexicon.is_noun_too(tokens[j][0]) and _nouns_joined(tokens, i, following):
        return None
    return start


def _nouns_joined(tokens: list[tuple[str, int, int]], i: int, following: str) -> bool:
    """Whether "X and V ..." joins two nouns rather than two verb phrases, for a V that
    may be either: after a nominal word ("prevention and control", "production and use
    of") it is a noun, unless a determiner opens its object ("... and train their staff")."""
    before = tokens[i - 1][0].lower()
    return bool(_NOMINAL.search(before)) and following not in lexicon.DETERMINERS


def _roles(text: str, span: Span) -> list[Span]:
    """ "be the forerunner of reform, the defender of ..., and the guardian of ...":
    each role after "be" is its own instruction."""
    if not _BE.match(text, span.start, span.end):
        return [span]
    return split_at(text, span, _COMPLEMENT)
