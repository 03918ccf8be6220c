"""The ``portalytics`` command line. Each command imports its machinery lazily so ``--help`` stays instant."""

from __future__ import annotations

import gc
import sys
from enum import StrEnum
from pathlib import Path

import typer

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="portalytics: health-system portal reporting."
)
users_app = typer.Typer(no_args_is_help=True, help="Dashboard users (the dashboard's own accounts).")
app.add_typer(users_app, name="users")
audit_app = typer.Typer(no_args_is_help=True, help="The dashboard's audit log.")
app.add_typer(audit_app, name="audit")


class Scale(StrEnum):
    tiny = "tiny"
    small = "small"
    medium = "medium"
    large = "large"


class Formats(StrEnum):
    csv = "csv"
    standard = "standard"  # enrollment as X12 834, claims as FHIR EOB NDJSON, completions as xAPI


def _settings():
    from domain.settings import get_settings, make_files_private

    make_files_private()  # whatever a command writes under the data directory is its owner's only
    return get_settings()


@app.command()
def generate(
    scale: Scale = typer.Option(Scale.small, "--scale", help="How much data to write."),
    seed: int = typer.Option(42, "--seed", help="Same seed, byte-identical files."),
    formats: Formats = typer.Option(
        Formats.csv,
        "--formats",
        help="csv, or standard: enrollment as X12 834, claims as FHIR EOB NDJSON, completions as xAPI.",
    ),
) -> None:
    """Write synthetic landing files for every source, plus the planted ground truth under truth/."""
    from pipelines.generator.run import generate_all

    generate_all(_settings(), scale.value, seed, formats=formats.value)


@app.command()
def materialize(
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date of the as-of marts, YYYY-MM-DD (default today)."
    ),
    full: bool = typer.Option(
        False, "--full", help="Rebuild and republish everything, not only what new files or decisions change."
    ),
) -> None:
    """Run the assets in-process: ingest, checks, marts, publish. Exits non-zero if a blocking check fails."""
    gc.disable()  # the start-up's objects live as long as the run: run_materialize freezes them, then enables
    try:
        from pipelines.materialize import exit_now, run_materialize

        code = run_materialize(_settings(), as_of, full=full)
    finally:
        gc.enable()
    if Path(sys.argv[0]).name == "portalytics":  # the command is the process (not a test's CliRunner)
        exit_now(code)  # skips the interpreter's teardown (seconds)
    raise typer.Exit(code)


@users_app.command("add")
def users_add(
    username: str,
    role: str = typer.Option(
        ..., "--role", help="staff, education_manager, ce_team, employer, member, provider, admin, support"
    ),
    scope: str | None = typer.Option(
        None, "--scope", help="person_id, department(s), employer_id, member_id or NPI"
    ),
) -> None:
    """Create a dashboard user; prints a one-time password once (it must be changed at first sign-in)."""
    from pipelines.users import add_user

    raise typer.Exit(add_user(_settings(), username, role, scope))


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exits 1 and names the first bad row when it is broken."""
    from pipelines.audit_verify import verify_audit_log

    raise typer.Exit(verify_audit_log(_settings()))


@app.command()
def dashboard(
    port: int = typer.Option(None, "--port", help="Port to serve on (default 8501)."),
    address: str = typer.Option(
        None, "--address", help="Interface to listen on (default 127.0.0.1; 0.0.0.0 for every interface)."
    ),
) -> None:
    """Serve the Streamlit dashboard (on 127.0.0.1 unless --address says otherwise)."""
    from pipelines.serve import serve_dashboard

    raise typer.Exit(serve_dashboard(_settings(), port, address))


@app.command()
def demo(port: int = typer.Option(None, "--port")) -> None:
    """Generate small data, materialize, create one demo user per role and serve the dashboard."""
    from pipelines.demo import run_demo

    raise typer.Exit(run_demo(_settings(), port))


@app.command()
def bench(
    scale: Scale = typer.Option(Scale.medium, "--scale", help="Scale of the data benchmarked."),
    only: list[str] = typer.Option(None, "--only", help="Run only these topics."),
) -> None:
    """Measure the quality bars: each figure as a ratio to a baseline measured in the same run."""
    from pipelines.bench import run_bench

    raise typer.Exit(run_bench(_settings(), scale.value, only or []))


@app.command("spark-marts")
def spark_marts(
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date of the as-of marts, YYYY-MM-DD (default today)."
    ),
    out: str | None = typer.Option(
        None, "--out", help="Folder of the Parquet marts (default <data dir>/spark)."
    ),
    master: str = typer.Option("local[*]", "--master", help="Spark master URL."),
) -> None:
    """Build the marts on Apache Spark from the warehouse's staging tables, and say which stay on DuckDB and
    why (needs the `spark` extra and Java; docs/operations.md, "Running the rules on Spark")."""
    import datetime as dt
    from pathlib import Path

    from rich.console import Console

    console = Console()
    try:
        import pyspark  # noqa: F401 (an optional extra: say so before any work)
    except ImportError as exc:
        console.print(f"[red]{exc}: install the spark extra (uv sync --extra spark) and Java 17+[/]")
        raise typer.Exit(2) from exc
    from pipelines.spark_marts import (
        RunOptions,
        WarehouseBusy,
        build_on_spark,
        export_staging,
        not_built,
        spark_session,
    )

    settings = _settings()
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None  # None: as materialize without --as-of
    except ValueError as exc:
        console.print(f"[red]--as-of must be a date YYYY-MM-DD, got {as_of!r}[/]")
        raise typer.Exit(2) from exc
    work = Path(out) if out else settings.root / "spark"
    try:
        parquet = export_staging(settings, work / "staging")
    except (WarehouseBusy, FileNotFoundError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    spark = spark_session(master, work)
    try:
        counts = build_on_spark(spark, parquet, work / "marts", RunOptions(day, settings.org_timezone))
    finally:
        spark.stop()
    for mart, rows in counts.items():
        console.print(f"{mart}: {rows:,} rows → {work / 'marts' / mart}", soft_wrap=True)
    for mart, why in not_built(counts).items():
        console.print(f"[yellow]{mart}: not built on Spark: {why}[/]", soft_wrap=True)


export_app = typer.Typer(
    no_args_is_help=True, help="Reporting files for the accreditor and licensing boards."
)
app.add_typer(export_app, name="export")
credential_app = typer.Typer(no_args_is_help=True, help="Transcripts as verifiable credentials.")
app.add_typer(credential_app, name="credential")


@export_app.command("pars")
def export_pars(
    year: int = typer.Option(..., "--year", help="Reporting year: credits completed in it."),
    out: Path = typer.Option(..., "--out", help="The tab-delimited learner upload to write."),
    errors: Path | None = typer.Option(None, "--errors", help="Rejected rows (default <out>.errors.csv)."),
) -> None:
    """ACCME PARS learner-completion upload (tab-delimited) of the year's accredited CE credits."""
    from pipelines.reporting_out import run_pars

    raise typer.Exit(run_pars(_settings(), year, out, errors))


@export_app.command("ce-broker")
def export_ce_broker(
    date_from: str = typer.Option(..., "--from", help="First completion day, YYYY-MM-DD."),
    date_to: str = typer.Option(..., "--to", help="Last completion day, YYYY-MM-DD."),
    out: Path = typer.Option(
        ..., "--out", help="The roster to write: .xlsx (CE Broker's Excel upload) or .csv."
    ),
    errors: Path | None = typer.Option(None, "--errors", help="Rejected rows (default <out>.errors.csv)."),
) -> None:
    """CE Broker roster upload of the licensed learners' completions in the period."""
    from pipelines.reporting_out import run_ce_broker

    raise typer.Exit(run_ce_broker(_settings(), date_from, date_to, out, errors))


@credential_app.command("issue")
def credential_issue(
    person: str = typer.Option(..., "--person", help="HR person_id."),
    out: Path = typer.Option(..., "--out", help="The credential (compact VC-JWT) to write."),
) -> None:
    """The person's transcript as an Open Badges 3.0 verifiable credential signed with the organisation's
    key."""
    from pipelines.reporting_out import run_issue

    raise typer.Exit(run_issue(_settings(), person, out))


@credential_app.command("verify")
def credential_verify(
    file: Path = typer.Argument(..., help="A credential issued by credential issue."),
) -> None:
    """Check a credential's issuer, signature and revocation status offline; exit 1 with the reason if it
    fails."""
    from pipelines.reporting_out import run_verify

    raise typer.Exit(run_verify(_settings(), file))


if __name__ == "__main__":  # pragma: no cover
    app()
