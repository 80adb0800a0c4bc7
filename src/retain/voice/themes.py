"""Recurring themes in comments, ranked by how much they pull NPS down.

1. Every comment that is not low-effort is cut into phrases of 1-3 content
   words keyed by their stems (:func:`retain.voice.text.phrases`).
2. Phrases in at least ``min_count`` comments (and, from 50 comments up, at
   most ``max_share`` of them) are kept.
3. Phrases are clustered by the comments they share: the distance of two
   phrases is 1 - |A & B| / min(|A|, |B|) (the overlap coefficient of their
   comment sets), merged by average linkage (``scipy.cluster.hierarchy``)
   and cut at ``1 - min_overlap``. Words that travel together ("late",
   "delivery", "parcel arrived a week late") end in one theme.
   A theme whose comments lie 80% inside a larger theme is folded into it.
4. A theme is named by its most frequent multi-word phrase (as written), and
   holds every comment with one of its phrases.

Each theme's ``nps_drag`` is NPS(all answers) - NPS(answers not mentioning
it), in points: ``share * (NPS_theme - NPS_rest)``. Negative: the theme pulls
the score down; the table is sorted by it, worst first.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pandas as pd

from retain.errors import InvalidInputError
from retain.voice.breakdown import require
from retain.voice.scores import counts
from retain.voice.text import is_low_effort, phrases

THEME_COLUMNS = [
    "theme",
    "mentions",
    "share",
    "nps",
    "nps_rest",
    "nps_drag",
    "promoters",
    "passives",
    "detractors",
    "phrases",
    "examples",
]
MAX_PHRASES = 400
#: from this many comments up, phrases in more than ``max_share`` of them are too general
GENERAL_FROM = 50


def _nps_of(scores: np.ndarray) -> float:
    if len(scores) == 0:
        return float("nan")
    p, _, d = counts(scores)
    return 100.0 * (p - d) / len(scores)


def find_themes(
    answers: pd.DataFrame,
    *,
    min_count: int | None = None,
    max_share: float = 0.4,
    min_overlap: float = 0.5,
    max_themes: int = 20,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Themes of the ``comment`` column of ``answers`` and which answer mentions which.

    ``answers`` need ``comment``; ``nps_score`` (0-10) gives each theme its NPS
    and drag (NaN without it). ``min_count`` defaults to max(3, 1% of the
    comments). Returns ``(themes, mentions)``: ``themes`` has ``THEME_COLUMNS``
    sorted by ``nps_drag`` (worst first); ``mentions`` has the answers' index
    and ``theme`` (one row per answer and theme).
    """
    require(answers, "answers", ("comment",))
    text = answers["comment"].astype(object).where(answers["comment"].notna(), "")
    usable = [
        (idx, str(t)) for idx, t in text.items() if str(t).strip() and not is_low_effort(str(t))
    ]
    empty = (
        pd.DataFrame(columns=THEME_COLUMNS),
        pd.DataFrame(columns=["answer", "theme"]),
    )
    if not usable:
        return empty
    min_count = min_count or max(3, int(np.ceil(0.01 * len(usable))))
    if min_count < 1 or not 0 < max_share <= 1 or not 0 < min_overlap <= 1:
        raise InvalidInputError("min_count >= 1, 0 < max_share <= 1, 0 < min_overlap <= 1")
    docs: dict[frozenset[str], set[int]] = defaultdict(set)
    surface: dict[frozenset[str], Counter[str]] = defaultdict(Counter)
    for pos, (_, comment) in enumerate(usable):
        for key, words in phrases(comment):
            docs[key].add(pos)
            surface[key][words] += 1
    limit = max_share * len(usable) if len(usable) >= GENERAL_FROM else len(usable)
    keep = [k for k, d in docs.items() if min_count <= len(d) <= limit]
    if not keep:
        return empty
    keep.sort(key=lambda k: (-len(docs[k]), -len(k), sorted(k)))
    keep = keep[:MAX_PHRASES]
    clusters = _cluster(keep, docs, min_overlap)
    scores = (
        pd.to_numeric(answers["nps_score"], errors="coerce") if "nps_score" in answers else None
    )
    all_scores = None if scores is None else scores.dropna().to_numpy(dtype=int)
    rows, mention_rows = [], []
    index = [idx for idx, _ in usable]
    for members, covered_set in _merge_nested(clusters, docs):
        covered = sorted(covered_set)
        if len(covered) < min_count:
            continue
        label = _label(members, docs, surface)
        answer_ids = [index[p] for p in covered]
        mention_rows += [(a, label) for a in answer_ids]
        row = {
            "theme": label,
            "mentions": len(covered),
            "share": len(covered) / len(usable),
            "phrases": ", ".join(surface[k].most_common(1)[0][0] for k in members[:8]),
            "examples": " | ".join(text.loc[a] for a in answer_ids[:3]),
        }
        if scores is not None and all_scores is not None and len(all_scores):
            mine = scores.loc[answer_ids].dropna().to_numpy(dtype=int)
            rest = scores.drop(index=answer_ids).dropna().to_numpy(dtype=int)
            p, pas, d = counts(mine)
            row.update(
                nps=_nps_of(mine),
                nps_rest=_nps_of(rest),
                nps_drag=_nps_of(all_scores) - _nps_of(rest),
                promoters=p,
                passives=pas,
                detractors=d,
            )
        rows.append(row)
    themes = pd.DataFrame(rows, columns=THEME_COLUMNS)
    themes = themes.sort_values(
        ["nps_drag", "mentions"], ascending=[True, False], na_position="last"
    )
    themes = themes.head(max_themes).reset_index(drop=True)
    mentions = pd.DataFrame(mention_rows, columns=["answer", "theme"])
    mentions = mentions[mentions["theme"].isin(themes["theme"])].reset_index(drop=True)
    return themes, mentions


def _cluster(
    keys: list[frozenset[str]], docs: dict[frozenset[str], set[int]], min_overlap: float
) -> list[list[frozenset[str]]]:
    """Groups of phrases whose comment sets overlap (average linkage, cut at 1 - min_overlap)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    if len(keys) == 1:
        return [keys]
    n = len(keys)
    dist = np.ones((n, n))
    sets = [docs[k] for k in keys]
    for i in range(n):
        dist[i, i] = 0.0
        for j in range(i + 1, n):
            inter = len(sets[i] & sets[j])
            if inter:
                dist[i, j] = dist[j, i] = 1.0 - inter / min(len(sets[i]), len(sets[j]))
    tree = linkage(squareform(dist, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - min_overlap, criterion="distance")
    groups: dict[int, list[frozenset[str]]] = defaultdict(list)
    for key, lab in zip(keys, labels, strict=True):
        groups[int(lab)].append(key)  # keys arrive most frequent first
    return sorted(groups.values(), key=lambda g: -len(set().union(*(docs[k] for k in g))))


def _merge_nested(
    clusters: list[list[frozenset[str]]], docs: dict[frozenset[str], set[int]], within: float = 0.8
) -> list[tuple[list[frozenset[str]], set[int]]]:
    """Fold a theme into a larger one holding ``within`` of its comments ("week late" in "late")."""
    merged: list[tuple[list[frozenset[str]], set[int]]] = []
    for members in clusters:  # largest first
        covered = set().union(*(docs[k] for k in members))
        for big_members, big_covered in merged:
            if len(covered & big_covered) >= within * len(covered):
                big_members.extend(members)
                big_covered |= covered
                break
        else:
            merged.append((list(members), covered))
    return merged


def _label(
    members: list[frozenset[str]],
    docs: dict[frozenset[str], set[int]],
    surface: dict[frozenset[str], Counter[str]],
) -> str:
    """The most frequent multi-word phrase of a theme (as written), else its top word."""
    top = max(len(docs[k]) for k in members)
    multi = [k for k in members if len(k) > 1 and len(docs[k]) >= 0.25 * top]
    best = max(multi or members, key=lambda k: (len(docs[k]), len(k)))
    return surface[best].most_common(1)[0][0]
