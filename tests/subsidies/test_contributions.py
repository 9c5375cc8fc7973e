"""The contribution import: an idempotent upsert keyed by person and month, with a dry run, a per-row report,
progress while it runs, and one import at a time."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from core.errors import DomainError, NotPermitted
from core.models import OutboxMessage
from subsidies.choices import EntitlementSource, ImportStatus
from subsidies.models import ContributionImport, ContributionImportEvent, ContributionMonth, Entitlement
from subsidies.services import contributions

from ..accounts.factories import UserFactory
from .factories import program

pytestmark = pytest.mark.django_db
HEADER = "身份证号码,缴费月份,养老保险实缴,医疗保险实缴,缴费基数\n"


@pytest.fixture
def people(county_a):
    return [UserFactory(scope_unit=county_a, roles=[Role.WORKER]) for _ in range(3)]


def csv_file(lines, name="contributions.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + "".join(f"{line}\n" for line in lines)).encode("utf-8-sig"))


def run(actor, upload, *, dry_run=False) -> ContributionImport:
    row = contributions.contribution_import_start(actor=actor, uploaded_file=upload, dry_run=dry_run)
    contributions.contribution_import_run(import_id=row.pk)
    row.refresh_from_db()
    return row


def outcomes(row) -> list[str]:
    return [entry["outcome"] for entry in row.report]


def standard_lines(people):
    a, b, c = people
    return [
        f"{a.id_number},2026-01,800.00,320.00,4000",
        f"{a.id_number},202602,800.00,320.00,4000",
        f"{b.id_number},2026/01,900,360,4500",
        f"{c.id_number},2026-01,800,320,",
    ]


def test_import_creates_the_months_and_reports_each_row(city_staff, people):
    row = run(city_staff, csv_file(standard_lines(people)))
    assert row.status == ImportStatus.DONE
    assert (row.rows_total, row.rows_done, row.created_count, row.errors) == (4, 4, 4, 0)
    assert outcomes(row) == ["created"] * 4
    assert [e["row"] for e in row.report] == [2, 3, 4, 5]  # as the spreadsheet numbers them
    a = people[0]
    months = ContributionMonth.objects.filter(person=a).order_by("month")
    assert [(m.month, m.pension_paid, m.medical_paid, m.base) for m in months] == [
        (dt.date(2026, 1, 1), Decimal("800.00"), Decimal("320.00"), Decimal("4000.00")),
        (dt.date(2026, 2, 1), Decimal("800.00"), Decimal("320.00"), Decimal("4000.00")),
    ]
    assert ContributionMonth.objects.get(person=people[2]).base is None
    # the report masks the resident ID
    assert a.id_number not in str(row.report) and row.report[0]["person"].endswith(a.id_number[-4:])
    # queued → running → done, each an event row
    assert list(
        ContributionImportEvent.objects.filter(contribution_import=row)
        .order_by("id")
        .values_list("to_status", flat=True)
    ) == [
        "queued",
        "running",
        "done",
    ]


def test_a_second_import_of_the_same_file_changes_nothing(city_staff, people):
    run(city_staff, csv_file(standard_lines(people)))
    before = list(
        ContributionMonth.objects.order_by("pk").values(
            "pk", "pension_paid", "medical_paid", "base", "updated_at", "source_import"
        )
    )
    again = run(city_staff, csv_file(standard_lines(people)))
    assert outcomes(again) == ["identical"] * 4
    assert (again.created_count, again.updated_count, again.identical_count) == (0, 0, 4)
    after = list(
        ContributionMonth.objects.order_by("pk").values(
            "pk", "pension_paid", "medical_paid", "base", "updated_at", "source_import"
        )
    )
    assert after == before


def test_changed_figures_update_an_unused_month_but_a_used_month_is_a_conflict_not_applied(
    city_staff, people
):
    a, b, _c = people
    run(city_staff, csv_file(standard_lines(people)))
    # a's January was subsidised on the old figures
    Entitlement.objects.create(
        person=a,
        program_type=program(),
        month=dt.date(2026, 1, 1),
        amount=Decimal("746.67"),
        source=EntitlementSource.LEGACY,
    )
    row = run(
        city_staff,
        csv_file(
            [
                f"{a.id_number},2026-01,700.00,280.00,3500",  # used month, other figures → conflict
                f"{b.id_number},2026-01,950.00,380.00,4750",  # unused → updated
                "370702199001011234,2026-01,800,320,4000",  # nobody on the portal → conflict
                f"{b.id_number},2026-03,800,320,4000",  # new → created
                f"{b.id_number},2026-03,810,320,4000",  # the same key again with other figures → conflict
                f"{b.id_number},2026-13,800,320,4000",  # no such month → invalid
                f"{b.id_number},2026-04,-5,320,4000",  # negative → invalid
            ]
        ),
    )
    assert outcomes(row) == ["conflict", "updated", "conflict", "created", "conflict", "invalid", "invalid"]
    assert (row.conflict_count, row.invalid_count, row.errors) == (3, 2, 5)
    assert "已按原金额" in row.report[0]["message"]
    jan = ContributionMonth.objects.get(person=a, month=dt.date(2026, 1, 1))
    assert (jan.pension_paid, jan.medical_paid) == (Decimal("800.00"), Decimal("320.00"))  # not applied
    b_jan = ContributionMonth.objects.get(person=b, month=dt.date(2026, 1, 1))
    assert (b_jan.pension_paid, b_jan.medical_paid, b_jan.source_import_id) == (
        Decimal("950.00"),
        Decimal("380.00"),
        row.pk,
    )
    assert ContributionMonth.objects.get(person=b, month=dt.date(2026, 3, 1)).pension_paid == Decimal(
        "800.00"
    )
    assert not ContributionMonth.objects.filter(person=b, month=dt.date(2026, 4, 1)).exists()


def test_the_dry_run_writes_nothing_and_reports_what_the_import_would_do(city_staff, people):
    a = people[0]
    run(city_staff, csv_file(standard_lines(people)[:1]))
    before = list(ContributionMonth.objects.values_list("pk", "pension_paid", "updated_at"))
    lines = [f"{a.id_number},2026-01,850.00,340.00,4250", *standard_lines(people)[1:]]
    dry = run(city_staff, csv_file(lines), dry_run=True)
    assert outcomes(dry) == ["updated", "created", "created", "created"]
    assert "原金额" in dry.report[0]["message"]
    assert list(ContributionMonth.objects.values_list("pk", "pension_paid", "updated_at")) == before
    # the real run does what the dry run said
    real = run(city_staff, csv_file(lines))
    assert outcomes(real) == outcomes(dry)


def test_progress_is_stored_chunk_by_chunk_while_the_run_goes_on(city_staff, people, monkeypatch):
    monkeypatch.setattr(contributions, "CHUNK", 2)
    seen = []
    real = contributions.process_row

    def spy(number, raw, **kwargs):
        seen.append(
            ContributionImport.objects.values_list("rows_done", "rows_total", "status").get(
                pk=kwargs["source"].pk
            )
        )
        return real(number, raw, **kwargs)

    monkeypatch.setattr(contributions, "process_row", spy)
    lines = [*standard_lines(people), "bad,2026-01,1,1,1"]
    row = run(city_staff, csv_file(lines))
    # rows done of rows, seen from outside while running: 0/5 for the first chunk, 2/5, then 4/5
    assert seen == [
        (0, 5, "running"),
        (0, 5, "running"),
        (2, 5, "running"),
        (2, 5, "running"),
        (4, 5, "running"),
    ]
    assert (row.rows_done, row.errors) == (5, 1)


def test_a_second_start_while_one_runs_is_refused(city_staff, people):
    first = contributions.contribution_import_start(
        actor=city_staff, uploaded_file=csv_file(standard_lines(people))
    )
    assert OutboxMessage.objects.filter(task="subsidies.tasks.contribution_import_run_task").count() == 1
    with pytest.raises(DomainError) as refused:
        contributions.contribution_import_start(
            actor=city_staff, uploaded_file=csv_file(standard_lines(people))
        )
    assert refused.value.code == "import_running"
    assert ContributionImport.objects.count() == 1
    contributions.contribution_import_run(import_id=first.pk)
    # running twice (a retried task) does nothing the second time
    assert contributions.contribution_import_run(import_id=first.pk) is None
    assert ContributionImportEvent.objects.filter(contribution_import=first).count() == 3
    # once it is done the next one may start
    assert contributions.contribution_import_start(
        actor=city_staff, uploaded_file=csv_file(standard_lines(people))
    )


def test_the_database_refuses_two_running_imports_even_past_the_check(city_staff):
    from django.db import IntegrityError, transaction

    ContributionImport.objects.create(file="a.csv", file_name="a.csv", uploaded_by=city_staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContributionImport.objects.create(
            file="b.csv", file_name="b.csv", uploaded_by=city_staff, status="running"
        )


def test_xlsx_with_account_numbers_and_date_cells(city_staff, people):
    from openpyxl import Workbook

    a = people[0]
    book = Workbook()
    sheet = book.active
    sheet.append(["手机号码", "费款所属期", "养老保险", "医疗保险"])
    sheet.append([a.phone, dt.datetime(2026, 2, 1), 800, 320.5])
    out = io.BytesIO()
    book.save(out)
    row = run(city_staff, SimpleUploadedFile("records.xlsx", out.getvalue()))
    assert outcomes(row) == ["created"]
    assert ContributionMonth.objects.get(person=a).medical_paid == Decimal("320.50")


def test_a_file_without_the_columns_fails_with_the_reason(city_staff):
    row = run(city_staff, SimpleUploadedFile("x.csv", "姓名,金额\n张三,1\n".encode()))
    assert row.status == ImportStatus.FAILED and "缺少列" in row.failure


def test_only_city_staff_import_and_only_csv_or_xlsx(officer, city_staff, people):
    with pytest.raises(NotPermitted):
        contributions.contribution_import_start(actor=officer, uploaded_file=csv_file(standard_lines(people)))
    with pytest.raises(DomainError) as wrong:
        contributions.contribution_import_start(
            actor=city_staff, uploaded_file=SimpleUploadedFile("x.pdf", b"%PDF")
        )
    assert "file" in wrong.value.fields
    assert not ContributionImport.objects.exists()


def test_admin_upload_page_starts_the_import_and_shows_progress(client_as, city_staff, officer, people):
    client = client_as(city_staff)
    assert client.get("/admin/subsidies/contributionimport/upload/").status_code == 200
    response = client.post(
        "/admin/subsidies/contributionimport/upload/",
        {"file": csv_file(standard_lines(people)), "dry_run": "on"},
    )
    row = ContributionImport.objects.get()
    assert response.status_code == 302 and row.dry_run and row.status == ImportStatus.QUEUED
    page = client.get(f"/admin/subsidies/contributionimport/{row.pk}/change/").content.decode()
    assert 'http-equiv="refresh"' in page and "0 / 0" in page
    # a second upload while it waits is refused on the page, not a 500
    again = client.post(
        "/admin/subsidies/contributionimport/upload/", {"file": csv_file(standard_lines(people))}
    )
    assert again.status_code == 400 and "正在进行" in again.content.decode()
    contributions.contribution_import_run(import_id=row.pk)
    page = client.get(f"/admin/subsidies/contributionimport/{row.pk}/change/").content.decode()
    assert 'http-equiv="refresh"' not in page and "4 / 4" in page and "新增" in page
    assert client_as(officer).get("/admin/subsidies/contributionimport/upload/").status_code == 403
