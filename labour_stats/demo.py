"""The statistics of the demo city, through the services: the wage guidance of the work demo's months is
computed, and city staff publish every month but the latest (left a draft for staff to review); supply and
demand is computed for each month. Idempotent."""

from __future__ import annotations

from accounts.models import User
from work.demo import ADMIN, CITY_STAFF, demo_months

from .choices import GuidanceStatus
from .models import WageGuidance
from .services import guidance_compute, guidance_publish, supply_demand_compute


def seed(stdout=None) -> None:
    publisher = User.objects.filter(phone=CITY_STAFF).first() or User.objects.filter(phone=ADMIN).first()
    if publisher is None:
        return  # the accounts demo did not run
    months = demo_months()
    published = 0
    for month in months:
        guidance = WageGuidance.objects.filter(month=month).first()
        if guidance is None or guidance.status == GuidanceStatus.DRAFT:
            guidance = guidance_compute(month=month)
        if month != months[-1] and guidance.status == GuidanceStatus.DRAFT:
            guidance_publish(guidance=guidance, actor=publisher)
            published += 1
        supply_demand_compute(month=month)
    if stdout:
        stdout.write(
            f"  stats: wage guidance published for {published} months ({months[-1]:%Y-%m} left as a draft), "
            "supply and demand computed"
        )
