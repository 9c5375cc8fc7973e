"""Chinese keyword search. pg_trgm cannot serve two-character patterns (the most common searches: 电工,
保洁, 焊工) and sees no CJK under a C ctype, so postings carry their own tokens: every character and every
pair of adjacent characters of the normalized text. On PostgreSQL a GIN index over
``array_to_tsvector(string_to_array(search_tokens, ' '))`` answers "all the keyword's tokens are present";
a substring check on ``search_text`` then makes the match exact. SQLite uses the substring check alone.
Latin letters are folded to lower case (NFKC first, so full-width letters match too).

A posting's tokens also carry its map cell (``@i_j``: 0.05° of latitude by 0.05° of longitude, about 5.5 ×
4.5 km here; ``@`` never occurs in a text token). A keyword search near a point adds "in one of the cells
that cover the search box" to the same GIN query, so a common word (日结, 保洁: a sixth of all postings at
province scale) is intersected with the place inside the index instead of reading every posting that has the
word (issue 6). The box and radius filters still decide; the cells only narrow what is read."""

from __future__ import annotations

import math
import re
import unicodedata

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

_RUN = re.compile(r"\w+")
MAX_TOKENS = 4000
CELLS_PER_DEGREE = 20
MAX_QUERY_CELLS = 400  # a wider search leaves the cells out (the index would gain nothing)

TSQUERY_SQL = "array_to_tsvector(string_to_array(jobs_posting.search_tokens, ' ')) @@ %s::tsquery"


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def tokens(text: str) -> list[str]:
    """Unigrams and bigrams of each run of word characters, in first-seen order, without repeats."""
    seen: dict[str, None] = {}
    for run in _RUN.findall(normalize(text)):
        for i, ch in enumerate(run):
            seen.setdefault(ch, None)
            if i + 1 < len(run):
                seen.setdefault(run[i : i + 2], None)
        if len(seen) >= MAX_TOKENS:
            break
    return list(seen)


def geo_token(lat: float | None, lng: float | None) -> str | None:
    if lat is None or lng is None:
        return None
    return f"@{math.floor(lat * CELLS_PER_DEGREE)}_{math.floor(lng * CELLS_PER_DEGREE)}"


def posting_tokens(text: str, lat: float | None, lng: float | None) -> str:
    """What ``Posting.search_tokens`` holds: the text's tokens and the map cell."""
    out = tokens(text)
    cell = geo_token(lat, lng)
    return " ".join([*out, cell] if cell else out)


def geo_cells(min_lat: float, max_lat: float, min_lng: float, max_lng: float) -> list[str] | None:
    """The cells that cover a box, or None when there are too many to be worth it."""
    i0, i1 = math.floor(min_lat * CELLS_PER_DEGREE), math.floor(max_lat * CELLS_PER_DEGREE)
    j0, j1 = math.floor(min_lng * CELLS_PER_DEGREE), math.floor(max_lng * CELLS_PER_DEGREE)
    if (i1 - i0 + 1) * (j1 - j0 + 1) > MAX_QUERY_CELLS:
        return None
    return [f"@{i}_{j}" for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]


def query_tokens(keyword: str) -> list[str]:
    """The tokens every matching document must hold: the bigrams of each run (a lone character itself)."""
    out: list[str] = []
    for run in _RUN.findall(normalize(keyword)):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return list(dict.fromkeys(out))


def filter_keyword(queryset, keyword: str, *, box: tuple[float, float, float, float] | None = None):
    """Postings whose title, description, occupation or employer name contains ``keyword`` (exactly). With
    ``box`` (min_lat, max_lat, min_lng, max_lng), which the caller also filters on, the index query is
    narrowed to the box's map cells."""
    needle = normalize(keyword).strip()
    if not needle:
        return queryset
    toks = query_tokens(needle)
    if connection.vendor == "postgresql" and toks:
        tsquery = " & ".join(f"'{t}'" for t in toks)
        cells = geo_cells(*box) if box else None
        if cells:
            tsquery += " & (" + " | ".join(f"'{c}'" for c in cells) + ")"
        queryset = queryset.alias(_kw=RawSQL(TSQUERY_SQL, [tsquery], output_field=BooleanField())).filter(
            _kw=True
        )
    return queryset.filter(search_text__contains=needle)


def document(posting) -> str:
    """The searchable text of a posting (title, description, occupation, employer's display name)."""
    parts = [posting.title, posting.description, posting.occupation.name]
    if posting.occupation.parent_id:
        parts.append(posting.occupation.parent.name)
    parts.append(posting.employer.display_name)
    return normalize("\n".join(p for p in parts if p))


def match_reason(posting, keyword: str) -> str | None:
    """Why a posting matched ``keyword`` when its title does not show it: through its description, its
    occupation, the occupation's category (搬运 finds 打包员 and 装卸工 under 搬运装卸) or the employer's
    name. None when the title holds the keyword (a reader sees why) or nothing does."""
    from django.utils.translation import gettext as _

    needle = normalize(keyword).strip()
    if not needle or needle in normalize(posting.title):
        return None
    occupation = posting.occupation
    if needle in normalize(occupation.name):
        return _("工种“%(o)s”") % {"o": occupation.name}
    if occupation.parent_id and needle in normalize(occupation.parent.name):
        return _("属于“%(c)s”类工种") % {"c": occupation.parent.name}
    if needle in normalize(posting.description):
        return _("工作内容含“%(k)s”") % {"k": keyword.strip()}
    if needle in normalize(posting.employer.display_name):
        return _("用工方名称含“%(k)s”") % {"k": keyword.strip()}
    return None
