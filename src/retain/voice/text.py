"""Plain text handling for comments: words, a light stemmer, phrases, low-effort answers.

Small and self-written on purpose (no model, nothing downloaded): English
comments are lower-cased, split into words, stripped of common endings
(``deliveries`` -> ``delivery``, ``shipping`` -> ``ship``, ``prices`` ->
``price``) and cut into phrases at punctuation. Phrases are keyed by their
sorted stems, so "friendly staff" and "the staff were very friendly" meet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(
    """a about above after again all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each even ever
    every few for from further had has have having he her here hers him his how i if in into
    is it its itself just me more most my myself now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there
    these they this those through to under until up us very was we were what when where which
    while who whom why will with would you your yours yourself really quite always still get
    got one thing things much many lot bit also though thanks thank"""
)
#: words that change what follows; kept inside phrases but never a theme on their own
MODIFIERS = frozenset({"too", "not", "no", "never", "nothing", "nobody", "far"})
#: answers that say nothing: the whole comment is one of these (after normalising)
LOW_EFFORT = frozenset(
    {
        "",
        "-",
        "--",
        ".",
        "...",
        "?",
        "fine",
        "ok",
        "okay",
        "k",
        "good",
        "all good",
        "all fine",
        "its fine",
        "it s fine",
        "it was fine",
        "fine thanks",
        "ok thanks",
        "good thanks",
        "nothing",
        "nothing to add",
        "nothing to say",
        "no comment",
        "no comments",
        "none",
        "n a",
        "na",
        "nil",
        "no",
        "yes",
        "alright",
        "average",
        "so so",
        "not bad",
        "decent",
    }
)
#: words of very short neutral comments ("ok I guess", "fine overall")
NEUTRAL_WORDS = _words(
    "fine ok okay good alright average decent nothing none so all it was is its overall "
    "i guess suppose think pretty not bad normal usual as expected"
)
#: words too general to be a theme alone ("good"), fine inside a phrase ("good value")
GENERIC = _words(
    "good great bad nice excellent best better worse worst happy love like lovely well fine ok "
    "poor terrible awesome amazing perfect stuff time times thing way experience overall "
    "recommend definitely"
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_CLAUSE = re.compile(r"[.,;:!?()\[\]\n\r\t\"]+|\s-\s|\bbut\b|\band\b")


def normalise(text: str) -> str:
    """Lower case, letters and single spaces only: ``"Fine."`` -> ``"fine"``."""
    return " ".join(re.findall(r"[a-z]+", text.lower()))


def stem(word: str) -> str:
    """A light English stem: plural, -ing and -ed endings off (for matching, not display)."""
    w = word
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if w.endswith("sses"):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
        if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
            w = w[:-1]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
        if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
            w = w[:-1]
    return w


def clauses(text: str) -> list[list[str]]:
    """Lower-cased words of ``text`` per clause (split at punctuation, "but", "and")."""
    out = []
    for part in _CLAUSE.split(text.lower()):
        words = [w.replace("'", "") for w in _WORD.findall(part)]
        if words:
            out.append(words)
    return out


def phrases(text: str, max_words: int = 3) -> Iterator[tuple[frozenset[str], str]]:
    """(key, surface) of every 1..``max_words`` phrase of content words in ``text``.

    Stopwords are dropped before phrases are formed (so "hard to use" is the
    phrase hard+use); a phrase never crosses a clause; a single modifier
    ("too", "not") or general word ("good") is no phrase. ``key`` is the set of
    stems, ``surface`` the words as written, stopwords inside included ("hard to use").
    """
    for words in clauses(text):
        at = [i for i, w in enumerate(words) if w not in STOPWORDS and len(w) > 1]
        for n in range(1, max_words + 1):
            for i in range(len(at) - n + 1):
                gram = [words[j] for j in at[i : i + n]]
                if n == 1 and (gram[0] in MODIFIERS or gram[0] in GENERIC):
                    continue
                if gram[-1] in MODIFIERS:
                    continue
                key = frozenset(stem(w) for w in gram)
                if len(key) == n:
                    yield key, " ".join(words[at[i] : at[i + n - 1] + 1])


def is_low_effort(comment: str | None, *, max_neutral_words: int = 3) -> bool:
    """True for a comment that says nothing: "fine", "ok", "good", "all good", "-".

    Also any comment of at most ``max_neutral_words`` words that are all
    neutral ("ok I guess", "fine overall"). An empty or missing comment is not
    low-effort (nothing was written at all).
    """
    if comment is None or not str(comment).strip():
        return False
    text = normalise(str(comment))
    if text in LOW_EFFORT:
        return True
    words = text.split()
    return len(words) <= max_neutral_words and all(w in NEUTRAL_WORDS for w in words)
