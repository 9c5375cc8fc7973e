"""Benchmark data for training (issue 15), a phase of ``bench_data``: filed institutions with a sign-up point
in a market of their county, classes over the past year and the next three months with daily sessions,
enrollments and QR attendance rows, written by COPY (bulk_create on SQLite) in batches of classes.

Correct by construction:
- every class holding enrollments has ``capacity`` ≥ its seated rows and ``waitlist_limit`` ≥ its waiting
  rows, and its counters are those counts (the DB check ``enrolled_count ≤ capacity`` holds);
- the enrollments add up to exactly ``size.enrollments`` (a base per class, ± a pairwise spread that cancels);
- a class's workers are distinct (a sample of the worker id range), so ``enrollment_one_live_per_worker``
  holds; a session's attendance has one row per enrollment and a distinct device hash;
- attendance rows are written for past sessions of completed and running classes until exactly
  ``size.attendance`` rows exist (the past sessions hold ~20 % more than that at every size); an
  enrollment's ``hours_attended`` is the class hours of its present or late rows, and a completed class's
  enrollment is ``completed`` when they reach the catalogue's minimum hours, else ``not_completed``.
"""

from __future__ import annotations

import datetime as dt
import math
import time

from django.core.management.base import CommandError
from django.db import transaction

from accounts.models import User
from markets.models import Market
from training.choices import (
    AttendanceMethod,
    ClassMode,
    ClassStatus,
    EnrollmentChannel,
    EnrollmentStatus,
    InstitutionGrade,
    InstitutionStatus,
    SignUpPointKind,
    VenueKind,
)
from training.models import (
    Attendance,
    CatalogueItem,
    CatalogueRate,
    ClassSession,
    Enrollment,
    Institution,
    SignUpPoint,
    TrainingClass,
)

USCC_BODY = "52370700MJ"  # + 7 digits + check character
BATCH_CLASSES = 250
STATUS_WEIGHTS = {
    ClassStatus.COMPLETED: 60,
    ClassStatus.RUNNING: 15,
    ClassStatus.APPROVED: 15,
    ClassStatus.SUBMITTED: 4,
    ClassStatus.DRAFT: 3,
    ClassStatus.RETURNED: 1,
    ClassStatus.CANCELLED: 2,
}
TAKES_ENROLLMENTS = (ClassStatus.COMPLETED, ClassStatus.RUNNING, ClassStatus.APPROVED)
ATTENDANCE_WEIGHTS = (("present", 85), ("late", 7), ("absent", 8))
COUNTS_HOURS = {"present", "late"}


def _uscc(n: int) -> str:
    from stdnum.cn import uscc as std

    body = f"{USCC_BODY}{n:07d}"
    return body + std.calc_check_digit(body)


def generate(cmd) -> int | None:
    """Write the training rows for ``cmd.size`` (the bench_data command: its rng, loader, units, now)."""
    size = cmd.size
    if Institution.objects.filter(uscc__startswith=USCC_BODY).exists():
        return None
    rng = cmd.rng("training")
    loader = cmd.loader
    now, today, tz = cmd.now, cmd.today, cmd.tz
    markets_by_unit: dict[int, list[tuple[int, float, float, str, str]]] = {}
    for pk, unit, lat, lng, name, address in Market.objects.order_by("pk").values_list(
        "pk", "scope_unit_id", "lat", "lng", "name", "address"
    ):
        markets_by_unit.setdefault(unit, []).append((pk, lat, lng, name, address))
    units = [u for u in cmd.units if u.pk in markets_by_unit]
    if not units:
        raise CommandError("No markets: the markets phase runs first.")
    from django.conf import settings

    from bench.management.commands.bench_data import _centre, _jitter, _name

    default_centre = tuple(settings.LINGONG_MAP_CENTER)
    workers = User.objects.filter(phone__startswith="17")
    first_worker = workers.order_by("pk").values_list("pk", flat=True).first()
    n_workers = workers.count()
    if not n_workers:
        raise CommandError("No workers: the workers phase runs first.")
    last_worker = workers.order_by("-pk").values_list("pk", flat=True).first()
    if last_worker - first_worker + 1 != n_workers:
        raise CommandError("Generated workers are not one id range.")
    min_hours = {
        r.item_id: r.min_class_hours
        for r in CatalogueRate.objects.filter(scope_unit__isnull=True).order_by("item_id", "effective_from")
    }
    items = list(CatalogueItem.objects.filter(is_active=True, pk__in=min_hours).order_by("pk"))
    if not items:
        raise CommandError("No catalogue: run the migrations first (training 0002).")

    written = 0
    with transaction.atomic():
        # --- institutions and their sign-up points ----------------------------------------------------
        first_inst = loader.next_id(Institution)
        first_point = loader.next_id(SignUpPoint)
        institutions = []  # (id, unit, point id, market tuple, lat, lng)
        inst_rows, point_rows = [], []
        for i in range(size.institutions):
            unit = units[i % len(units)]
            market = rng.choice(markets_by_unit[unit.pk])
            lat, lng = _jitter(rng, *_centre(unit, default_centre), km=5)
            filed = rng.random() < 0.95
            inst_rows.append(
                (
                    first_inst + i,
                    f"{unit.name}{rng.choice('鑫华顺达兴隆盛泰恒')}{rng.choice('源宇通信安福')}职业培训学校{i + 1}号",
                    _uscc(i + 1),
                    f"教民1370700{i + 1:07d}",
                    "",
                    unit.pk,
                    f"{unit.name}人民路{rng.randint(1, 900)}号",
                    _name(rng),
                    f"0536-8{rng.randint(100000, 999999)}",
                    "",
                    InstitutionStatus.FILED if filed else InstitutionStatus.SUSPENDED,
                    rng.choice(InstitutionGrade.values),
                    f"WFPX{i + 1:06d}",
                    now - dt.timedelta(days=rng.randint(400, 900)),
                    "",
                    now,
                    now,
                )
            )
            point_rows.append(
                (
                    first_point + i,
                    first_inst + i,
                    market[0],
                    rng.choice((SignUpPointKind.SIGNUP, SignUpPointKind.CLASSROOM)),
                    rng.choice(("服务大厅东侧培训报名窗口", "二楼培训教室", "服务大厅3号窗口")),
                    "周一至周五 8:00-17:00",
                    rng.choice((30, 40, 60)),
                    True,
                    now,
                    now,
                )
            )
            institutions.append((first_inst + i, unit.pk, first_point + i, market, lat, lng, filed))
        written += loader.insert(
            Institution,
            [
                "id",
                "name",
                "uscc",
                "licence_number",
                "licence_scan",
                "scope_unit",
                "address",
                "contact_name",
                "contact_phone",
                "description",
                "status",
                "grade",
                "filing_number",
                "filed_at",
                "review_note",
                "created_at",
                "updated_at",
            ],
            inst_rows,
        )
        written += loader.insert(
            SignUpPoint,
            [
                "id",
                "institution",
                "market",
                "kind",
                "location",
                "opening_hours",
                "seats",
                "is_active",
                "created_at",
                "updated_at",
            ],
            point_rows,
        )

        # --- classes: statuses, dates, and how many enroll in each -------------------------------------
        statuses = list(STATUS_WEIGHTS)
        weights = list(STATUS_WEIGHTS.values())
        plan = []  # (status, sessions, starts_on)
        for _ in range(size.classes):
            status = rng.choices(statuses, weights=weights)[0]
            sessions = rng.choice((20, 24, 28))
            if status in (ClassStatus.COMPLETED,):
                starts = today - dt.timedelta(days=rng.randint(sessions + 10, 330))
            elif status == ClassStatus.RUNNING:
                starts = today - dt.timedelta(days=rng.randint(1, sessions - 2))
            elif status == ClassStatus.CANCELLED:
                starts = today - dt.timedelta(days=rng.randint(-60, 200))
            else:
                starts = today + dt.timedelta(days=rng.randint(2, 90))
            plan.append((status, sessions, starts))
        holders = [i for i, p in enumerate(plan) if p[0] in TAKES_ENROLLMENTS]
        base, extra = divmod(size.enrollments, len(holders))
        enrolled_n = [0] * size.classes
        for k, i in enumerate(holders):
            enrolled_n[i] = base + (1 if k < extra else 0)
        for k in range(0, len(holders) - 1, 2):  # a spread that cancels pairwise: the total stays exact
            d = rng.randint(0, base // 2)
            a, b = holders[k], holders[k + 1]
            d = min(d, enrolled_n[b])
            enrolled_n[a] += d
            enrolled_n[b] -= d
        assert sum(enrolled_n) == size.enrollments

        first_class = loader.next_id(TrainingClass)
        first_session = loader.next_id(ClassSession)
        first_enrollment = loader.next_id(Enrollment)
        session_id, enrollment_id, attendance_left = first_session, first_enrollment, size.attendance
        class_fields = [
            "id",
            "institution",
            "item",
            "scope_unit",
            "title",
            "status",
            "subsidised",
            "mode",
            "online_platform",
            "venue_kind",
            "market",
            "venue_name",
            "venue_address",
            "venue_lat",
            "venue_lng",
            "geofence_m",
            "capacity",
            "waitlist_limit",
            "fee",
            "starts_on",
            "ends_on",
            "enrollment_closes_on",
            "teachers",
            "roster_plan",
            "exam_plan",
            "description",
            "enrolled_count",
            "waitlist_count",
            "submitted_at",
            "reviewed_at",
            "review_note",
            "created_at",
            "updated_at",
        ]
        session_fields = [
            "id",
            "training_class",
            "starts_at",
            "ends_at",
            "class_hours",
            "topic",
            "teacher",
            "qr_secret",
        ]
        enrollment_fields = [
            "id",
            "training_class",
            "worker",
            "status",
            "channel",
            "waitlisted_at",
            "hours_attended",
            "created_at",
            "updated_at",
        ]
        attendance_fields = [
            "session",
            "enrollment",
            "status",
            "method",
            "signed_at",
            "lat",
            "lng",
            "distance_m",
            "device_hash",
            "photo",
            "photo_sha256",
            "flagged",
            "flag_reason",
            "note",
        ]
        through = TrainingClass.signup_points.through
        att_codes = [c for c, _ in ATTENDANCE_WEIGHTS]
        att_weights = [w for _, w in ATTENDANCE_WEIGHTS]
        t0 = time.monotonic()
        for start in range(0, size.classes, BATCH_CLASSES):
            classes, links, sessions_rows, enrollments, attendance = [], [], [], [], []
            for i in range(start, min(start + BATCH_CLASSES, size.classes)):
                status, n_sessions, starts = plan[i]
                inst_id, unit_id, point_id, market, ilat, ilng, filed = institutions[i % len(institutions)]
                item = items[rng.randrange(len(items))]
                hours_required = min_hours[item.pk]
                per_session = max(2, math.ceil(hours_required * 1.1 / n_sessions))
                mode = ClassMode.ONLINE if rng.random() < 0.08 else ClassMode.OFFLINE
                in_market = mode == ClassMode.OFFLINE and rng.random() < 0.7
                if in_market:
                    venue = (
                        VenueKind.MARKET_CLASSROOM,
                        market[0],
                        market[3],
                        market[4],
                        market[1],
                        market[2],
                    )
                elif mode == ClassMode.OFFLINE:
                    venue = (VenueKind.INSTITUTION, None, "机构教学楼", "", ilat, ilng)
                else:
                    venue = ("", None, "", "", None, None)
                n = enrolled_n[i]
                capacity = rng.choice((20, 30, 40, 50))
                if status != ClassStatus.APPROVED:
                    capacity = max(capacity, n)  # a class under way has no waiting list left
                seated = min(n, capacity)
                waiting = n - seated
                waitlist_limit = max(20, waiting)
                ends = starts + dt.timedelta(days=n_sessions - 1)
                class_id = first_class + i
                created = dt.datetime.combine(starts - dt.timedelta(days=30), dt.time(9), tzinfo=tz)
                classes.append(
                    (
                        class_id,
                        inst_id,
                        item.pk,
                        unit_id,
                        f"{item.name}第{i + 1}期",
                        status,
                        rng.random() < 0.9,
                        mode,
                        "潍坊职业技能线上学习平台" if mode == ClassMode.ONLINE else "",
                        venue[0],
                        venue[1],
                        venue[2],
                        venue[3],
                        venue[4],
                        venue[5],
                        200,
                        capacity,
                        waitlist_limit,
                        rng.choice((0, 0, 0, 200, 500)),
                        starts,
                        ends,
                        None,
                        "张老师、李老师",
                        f"计划招生{capacity}人",
                        "结业考核：理论+实操",
                        "",
                        seated,
                        waiting,
                        created,
                        created + dt.timedelta(days=2) if status in TAKES_ENROLLMENTS else None,
                        "",
                        created,
                        now,
                    )
                )
                links.append((class_id, point_id))
                session_ids = []
                for s in range(n_sessions):
                    at = dt.datetime.combine(starts + dt.timedelta(days=s), dt.time(9), tzinfo=tz)
                    sessions_rows.append(
                        (
                            session_id,
                            class_id,
                            at,
                            at + dt.timedelta(minutes=45 * per_session),
                            per_session,
                            f"第{s + 1}讲",
                            "张老师",
                            f"{rng.getrandbits(128):032x}",
                        )
                    )
                    session_ids.append((session_id, at))
                    session_id += 1
                if not n:
                    continue
                people = rng.sample(range(first_worker, first_worker + n_workers), n)
                past = [s for s in session_ids if s[1] < now] if status != ClassStatus.APPROVED else []
                for k, worker_id in enumerate(people):
                    hours = 0
                    on_list = k >= seated
                    if not on_list and attendance_left > 0:
                        for sid, at in past:
                            if attendance_left <= 0:
                                break
                            code = rng.choices(att_codes, weights=att_weights)[0]
                            late = code == "late"
                            attendance.append(
                                (
                                    sid,
                                    enrollment_id,
                                    code,
                                    AttendanceMethod.QR,
                                    at
                                    + dt.timedelta(
                                        minutes=rng.randint(20, 40) if late else rng.randint(-10, 5)
                                    ),
                                    None,
                                    None,
                                    rng.randint(3, 150) if code != "absent" else None,
                                    f"bench{enrollment_id:x}" if code != "absent" else "",
                                    "",
                                    "",
                                    False,
                                    "",
                                    "",
                                )
                            )
                            attendance_left -= 1
                            if code in COUNTS_HOURS:
                                hours += per_session
                    if on_list:
                        state = EnrollmentStatus.WAITLISTED
                    elif status == ClassStatus.COMPLETED:
                        state = (
                            EnrollmentStatus.COMPLETED
                            if hours >= hours_required
                            else EnrollmentStatus.NOT_COMPLETED
                        )
                    else:
                        state = EnrollmentStatus.ENROLLED
                    joined = created + dt.timedelta(days=rng.randint(3, 27), minutes=k)
                    enrollments.append(
                        (
                            enrollment_id,
                            class_id,
                            worker_id,
                            state,
                            rng.choices(EnrollmentChannel.values, weights=(85, 10, 5))[0],
                            joined if on_list else None,
                            hours,
                            joined,
                            now,
                        )
                    )
                    enrollment_id += 1
            written += loader.insert(TrainingClass, class_fields, classes)
            written += loader.insert(through, ["trainingclass", "signuppoint"], links)
            written += loader.insert(ClassSession, session_fields, sessions_rows)
            written += loader.insert(Enrollment, enrollment_fields, enrollments)
            written += loader.insert(Attendance, attendance_fields, attendance)
            cmd.stdout.write(
                f"  training classes {min(start + BATCH_CLASSES, size.classes)}/{size.classes}, "
                f"attendance {size.attendance - attendance_left} ({time.monotonic() - t0:.0f}s)"
            )
        if attendance_left:
            raise CommandError(f"past sessions held {attendance_left} attendance rows too few")
        loader.reset_sequences(
            [Institution, SignUpPoint, TrainingClass, through, ClassSession, Enrollment, Attendance]
        )
    return written
