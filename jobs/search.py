"""Chinese keyword search. pg_trgm cannot serve two-character patterns (the most common searches: 电工,
保洁, 焊工) and sees no CJK under a C ctype, so postings carry their own tokens: every character and every
pair of adjacent characters of the normalized text. On PostgreSQL a GIN index over
``array_to_tsvector(string_to_array(search_tokens, ' '))`` answers "all the keyword's tokens are present";
a substring check on ``search_text`` then makes the match exact. SQLite uses the substring check alone.
Latin letters are folded to lower case (NFKC first, so full-width letters match too)."""

from __future__ import annotations

import re
import unicodedata

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

_RUN = re.compile(r"\w+")
MAX_TOKENS = 4000

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


def query_tokens(keyword: str) -> list[str]:
    """The tokens every matching document must hold: the bigrams of each run (a lone character itself)."""
    out: list[str] = []
    for run in _RUN.findall(normalize(keyword)):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return list(dict.fromkeys(out))


def filter_keyword(queryset, keyword: str):
    """Postings whose title, description, occupation or employer name contains ``keyword`` (exactly)."""
    needle = normalize(keyword).strip()
    if not needle:
        return queryset
    toks = query_tokens(needle)
    if connection.vendor == "postgresql" and toks:
        tsquery = " & ".join(f"'{t}'" for t in toks)
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
