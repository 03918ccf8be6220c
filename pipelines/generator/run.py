"""``portalytics generate``: write every source's landing files and the planted truth, deterministically per
seed."""

from __future__ import annotations

import shutil
import time

from rich.console import Console

from domain.settings import Settings

from . import ce_accounts, ce_activities, ce_attendance, health_plan, learning, people, person_links
from .auth import AuthWriter
from .claims import ClaimsWriter
from .context import GenContext
from .progress import Reporter
from .scales import scale_spec
from .seeding import source_rng
from .truth import Truth


def generate_all(
    settings: Settings, scale: str, seed: int, *, console: Console | None = None, formats: str = "csv"
) -> GenContext:
    """Replace ``landing/`` and ``truth/`` with freshly generated data for ``scale`` and ``seed``.

    ``formats="standard"`` writes enrollment as X12 834, claims as FHIR EOB NDJSON and completions as xAPI
    (``standard_formats``), converted from the same world's CSV landing.

    Earlier landing files are removed first: a generated data set is one consistent world, and leftovers from
    another seed would mix two worlds (and break the duplicate-account truth).
    """
    if formats not in ("csv", "standard"):
        raise ValueError(f"unknown formats {formats!r}; choose csv or standard")
    spec = scale_spec(scale)
    started = time.perf_counter()
    for folder in (settings.landing_dir, settings.truth_dir):
        if folder.exists():
            shutil.rmtree(folder)
    settings.landing_dir.mkdir(parents=True)
    truth = Truth()
    truth.set("run", "scale", spec.name)
    truth.set("run", "seed", seed)
    reporter = Reporter(console)
    ctx = GenContext(spec, seed, settings.landing_dir, truth, reporter)
    with reporter:
        staff = people.build_people(ctx)
        # members first (their own random stream): planted HR people get the address their member record has
        members = health_plan.build_members(ctx)
        planted = person_links.plant_members(ctx, staff, members)
        people.write_people(ctx, staff)
        courses, reqs = learning.build_catalog(ctx)
        learning.write_catalog(ctx, courses, reqs)
        learning.write_completions(ctx, staff, courses, reqs)

        uniques = ce_accounts.Uniques(source_rng(seed, "uniques"))
        accounts = ce_accounts.build_accounts(ctx, staff, uniques)
        ce_accounts.write_accounts(ctx, accounts)
        activities, codes = ce_activities.build_activities(ctx)
        ce_activities.write_activities(ctx, activities)
        ce_attendance.AttendanceWriter(ctx, accounts, activities, codes, uniques).run()
        ce_attendance.write_external_credits(ctx, accounts)

        health_plan.write_employers_and_plans(ctx)
        health_plan.write_members(ctx, members)
        health_plan.write_enrollment(ctx, members)
        providers = health_plan.build_providers(ctx, uniques)
        health_plan.write_providers(ctx, providers)
        ClaimsWriter(ctx, members, providers).run()

        person_links.plant_patients(ctx, staff, accounts, planted)
        auth = AuthWriter(ctx, staff, accounts, members, planted.patient_emails)
        auth.run()
        person_links.write_truth(ctx, settings.truth_dir, staff, accounts, members, planted, auth.seen)
    truth.set("run", "files_per_source", {name: s.files for name, s in sorted(ctx.stats.items())})
    truth.set("run", "rows_per_source", {name: s.rows_good for name, s in sorted(ctx.stats.items())})
    if formats == "standard":
        from .standard_formats import convert_landing

        truth.set("run", "standard_files", convert_landing(settings.landing_dir, truth))
    truth.write(settings.truth_dir)
    elapsed = time.perf_counter() - started
    reporter.console.print(reporter.summary(ctx.stats, f"portalytics generate --scale {scale} --seed {seed}"))
    reporter.console.print(
        f"landing: {settings.landing_dir}  truth: {settings.truth_dir}  ({elapsed:,.1f} s)"
    )
    return ctx
