"""Chinese keyword search (jobs.search): 1- to 4-character keywords return exactly the postings whose text
contains them — compared with a brute-force ``in`` check over the data. The same tests run on SQLite (the
substring check alone) and on PostgreSQL (DATABASE_URL; the GIN index over CJK bigrams, then the substring
check), where the plan must use the index."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection

from core.models import MinimumWageTier
from jobs import search, services
from jobs.models import EmployerProfile, Occupation, Posting

from .factories import make_employer, occupation, posting_data

pytestmark = pytest.mark.django_db


def ensure_jobs_seed() -> None:
    """The occupations and minimum wages that migration 0002 seeds (a transactional test flushes them)."""
    if not Occupation.objects.exists() or not MinimumWageTier.objects.exists():
        importlib.import_module("jobs.migrations.0002_seed_and_search_indexes").forwards(django_apps, None)


@pytest.fixture(autouse=True)
def _jobs_seed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_jobs_seed()


EMPLOYERS = ["潍坊家电服务有限公司", "李师傅", "Excel培训中心", "ＡＢＣ保洁公司", "城东水电工程队", "王女士"]
OCCUPATIONS = [
    "cleaner",
    "electrician",
    "welder",
    "appliance_cleaner",
    "plumber",
    "porter",
    "warehouse_sorter",
]
TITLES = [
    "电工",
    "保洁",
    "焊工",
    "电焊工",
    "家电清洗",
    "招工人",
    "水电工程",
    "保洁员",
    "Excel 录入",
    "ＥＸＣＥＬ表格",
    "小时工",
    "搬运",
    "水电工",
    "家电维修",
    "工地焊接",
]
DESCRIPTIONS = [
    "厂房照明线路检修，持证上岗。",
    "三室一厅开荒保洁，自带工具。",
    "钢结构焊接，电焊、气焊均可。",
    "会用excel 表格，录入出入库数据。",
    "水电安装，电工辅助，按天结算。",
    "家电清洗：空调、油烟机、洗衣机。",
    "需要工人若干，搬运装卸。",
    "会用 Ｅｘｃｅｌ 做报表优先。",
    "电 工 分开写的说明文字。",
    "焊电反序：焊在前电在后，工电也反序。",
    "楼道保洁员，每天两小时。",
    "水电工程收尾，需电焊工一名。",
]
REQUIREMENTS = ["", "须持特种作业操作证", "身体健康"]

KEYWORDS = [
    # one character
    "电",
    "工",
    "焊",
    "洁",
    "水",
    "洗",
    "e",
    "E",
    "ｅ",
    "x",
    "表",
    # two characters
    "电工",
    "保洁",
    "焊工",
    "家电",
    "工人",
    "水电",
    "清洗",
    "表格",
    "电焊",
    "焊电",
    "工电",
    "木工",
    "装卸",
    "家政",
    # three characters
    "电焊工",
    "水电工",
    "保洁员",
    "清洗工",
    "exc",
    "小时工",
    "电工辅",
    # four characters and more
    "家电清洗",
    "水电工程",
    "保洁公司",
    "excel",
    "EXCEL",
    "Excel",
    "ｅｘｃｅｌ",
    "ＥＸＣＥＬ",
    "excel 表格",
    "l 表",
    "电焊工人",
    "持证上岗",
    "特种作业",
    "身体健康",
    "洁保",
    "Excel培训",
    # whitespace around the keyword is ignored
    " 电工 ",
]


def build_postings() -> list[Posting]:
    """About 60 draft postings mixing the keywords' characters in titles, descriptions, occupations and
    employer names (the search covers every status; callers narrow by status separately)."""
    employers = []
    for name in EMPLOYERS:
        employer = make_employer()
        EmployerProfile.objects.filter(pk=employer.pk).update(display_name=name)
        employer.refresh_from_db()
        employers.append(employer)
    occupations = [occupation(code) for code in OCCUPATIONS]
    postings = []
    for n in range(60):  # (n mod 15, 7n mod 12): 60 distinct title/description pairs
        title, description = TITLES[n % len(TITLES)], DESCRIPTIONS[(7 * n) % len(DESCRIPTIONS)]
        employer = employers[(n // 10) % len(employers)]
        data = posting_data(
            title=title,
            description=description,
            requirements=REQUIREMENTS[n % len(REQUIREMENTS)],
            occupation=occupations[n % len(occupations)],
            wage_amount=Decimal("260"),
        )
        postings.append(services.posting_create(employer=employer, actor=employer.user, data=data).posting)
    assert len(postings) == 60
    return postings


def raw_fields(posting: Posting) -> list[str]:
    """What the search covers: title, description, occupation (with its category) and the employer's name."""
    occ = posting.occupation
    return [
        posting.title,
        posting.description,
        occ.name,
        occ.parent.name if occ.parent_id else "",
        posting.employer.display_name,
    ]


@pytest.fixture
def postings(db):
    return build_postings()


def test_keyword_search_matches_exactly_the_postings_that_contain_the_keyword(postings):
    everything = Posting.objects.select_related("occupation__parent", "employer").order_by("id")
    mismatches = {}
    found = {}
    for keyword in KEYWORDS:
        needle = search.normalize(keyword).strip()
        by_search_text = {p.pk for p in everything if needle in p.search_text}
        by_fields = {p.pk for p in everything if any(needle in search.normalize(f) for f in raw_fields(p))}
        result = set(search.filter_keyword(Posting.objects.all(), keyword).values_list("pk", flat=True))
        found[keyword] = result
        if not (result == by_search_text == by_fields):
            mismatches[keyword] = {
                "missing": sorted(by_fields - result),
                "extra": sorted(result - by_fields),
                "search_text_vs_fields": sorted(by_search_text ^ by_fields),
            }
    assert mismatches == {}

    # the data really exercises the search: common keywords find some postings but not all, absent ones none
    for keyword in ("电工", "保洁", "焊工", "电焊工", "水电工", "家电清洗", "excel", "表格"):
        assert 0 < len(found[keyword]) < len(postings), keyword
    # absent from every field (特种作业 and 身体健康 appear only in requirements, which are not searched)
    for keyword in ("木工", "洁保", "电焊工人", "特种作业", "身体健康"):
        assert found[keyword] == set(), keyword


def test_bigrams_present_separately_do_not_make_a_match(postings):
    """ "水电安装，电工辅助" holds the bigrams 水电 and 电工 but not 水电工; "电 工" holds 电 and 工 but not 电工."""
    split = [
        p for p in postings if p.description.startswith("水电安装") and "水电工" not in search.document(p)
    ]
    spaced = [p for p in postings if p.description.startswith("电 工") and "电工" not in search.document(p)]
    assert split and spaced
    water = set(search.filter_keyword(Posting.objects.all(), "水电工").values_list("pk", flat=True))
    electric = set(search.filter_keyword(Posting.objects.all(), "电工").values_list("pk", flat=True))
    assert not water & {p.pk for p in split}
    assert not electric & {p.pk for p in spaced}


def test_latin_letters_match_regardless_of_case_and_width(postings):
    results = {
        kw: set(search.filter_keyword(Posting.objects.all(), kw).values_list("pk", flat=True))
        for kw in ("excel", "EXCEL", "Excel", "ｅｘｃｅｌ", "ＥＸＣＥＬ")
    }
    assert len({frozenset(r) for r in results.values()}) == 1
    full_width_title = next(p for p in postings if p.title == "ＥＸＣＥＬ表格")
    assert full_width_title.pk in results["excel"]


def test_the_keyword_search_composes_with_other_filters(postings):
    cleaner = occupation("cleaner")
    expected = {p.pk for p in postings if p.occupation_id == cleaner.pk and "保洁" in search.document(p)}
    qs = search.filter_keyword(Posting.objects.filter(occupation=cleaner), "保洁")
    assert set(qs.values_list("pk", flat=True)) == expected and expected
    assert search.filter_keyword(Posting.objects.none(), "保洁").count() == 0


def test_an_empty_keyword_filters_nothing(postings):
    assert search.filter_keyword(Posting.objects.all(), "").count() == len(postings)
    assert search.filter_keyword(Posting.objects.all(), "  ").count() == len(postings)


def test_tokens_are_unigrams_and_bigrams_and_the_query_needs_all_bigrams():
    assert search.tokens("水电工") == ["水", "水电", "电", "电工", "工"]
    assert search.tokens("Ｅxcel 表") == ["e", "ex", "x", "xc", "c", "ce", "el", "l", "表"]
    assert search.query_tokens("电") == ["电"]
    assert search.query_tokens("电工") == ["电工"]
    assert search.query_tokens("家电清洗") == ["家电", "电清", "清洗"]
    assert search.query_tokens("excel 表格") == ["ex", "xc", "ce", "el", "表格"]


def test_an_edited_posting_is_found_by_its_new_text(db):
    employer = make_employer()
    posting = services.posting_create(
        employer=employer, actor=employer.user, data=posting_data(title="家庭保洁")
    ).posting
    assert not search.filter_keyword(Posting.objects.all(), "月嫂").exists()
    services.posting_update(posting=posting, actor=employer.user, data={"title": "月嫂 住家"})
    assert list(search.filter_keyword(Posting.objects.all(), "月嫂")) == [posting]


def _only_the_keyword_index(cursor) -> None:
    """On sixty rows any index that finds published postings is as cheap as the keyword's; drop the other
    plain indexes of jobs_posting inside the test's transaction (rolled back) so the plan shows whether the
    keyword index can answer the query (its expression and condition are the query's)."""
    cursor.execute(
        """
        SELECT i.relname FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = 'jobs_posting' AND i.relname <> 'posting_published_tokens_gin'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute("ANALYZE jobs_posting")


GIN_KEYWORDS = ("电", "电工", "保洁", "焊工", "电焊工", "家电清洗", "EXCEL", "ｅｘｃｅｌ")


def test_postgresql_keyword_query_uses_the_gin_index(postgres, postings):
    """With sequential scans off the keyword predicate of a public search (published postings) is answered by
    posting_published_tokens_gin (so the query's expression and condition are the index's). The model's default ordering is cleared: on a 60-row table the
    planner would rather walk the published_at index than sort — see the ordered variant below."""
    plans = {}
    with connection.cursor() as cursor:
        _only_the_keyword_index(cursor)
        cursor.execute("SET enable_seqscan = off")
        try:
            for keyword in GIN_KEYWORDS:
                plans[keyword] = search.filter_keyword(
                    Posting.objects.filter(status="published").order_by(), keyword
                ).explain()
        finally:
            cursor.execute("RESET enable_seqscan")
    assert {k: p for k, p in plans.items() if "posting_published_tokens_gin" not in p} == {}


def test_postgresql_ordered_keyword_query_can_use_the_gin_index(postgres, postings):
    """The search list's order (newest first) does not stop the index from answering the keyword: with
    sequential and plain index scans off, the plan is a bitmap scan of posting_published_tokens_gin and a sort."""
    plans = {}
    with connection.cursor() as cursor:
        _only_the_keyword_index(cursor)
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        try:
            for keyword in GIN_KEYWORDS:
                plans[keyword] = search.filter_keyword(
                    Posting.objects.filter(status="published").order_by("-published_at", "-id"), keyword
                ).explain()
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_indexscan")
    assert {k: p for k, p in plans.items() if "posting_published_tokens_gin" not in p} == {}
