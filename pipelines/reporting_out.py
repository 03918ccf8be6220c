"""``portalytics export pars|ce-broker`` and ``portalytics credential issue|verify``: thin command bodies.

The rules live in ``domain.ce.uploads``, the reads and file formats in ``reports.exports.ce_uploads`` and
``reports.credentials``. Commands act as the principal ``cli`` with the admin role (whoever can run them holds
the data directory) and each export or issue is audited like its dashboard twin.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console

from domain.ce.uploads import CeBrokerPolicy, Upload
from domain.settings import Settings
from reports.principal import NotPermitted, Principal, Role
from reports.snapshot import NoSnapshotError, open_snapshot

CLI = Principal("cli", Role.ADMIN)
#: A transcript of thousands of items is well under this; anything larger is not one of ours.
MAX_CREDENTIAL_BYTES = 5_000_000
console = Console(stderr=True)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _report(upload: Upload, out: Path, errors: Path, what: str) -> None:
    console.print(f"{what}: {len(upload.rows):,} rows → {out}")
    if upload.errors:
        console.print(
            f"[yellow]{len(upload.errors):,} rows would be rejected (missing a required field) → {errors}[/]"
        )
    else:
        console.print(f"no rejected rows (an empty error list → {errors})")


def run_pars(settings: Settings, year: int, out: Path, errors: Path | None) -> int:
    from reports import audit
    from reports.exports.ce_uploads import errors_csv, errors_path, pars_export, pars_text

    if not 1900 <= year <= 9999:
        console.print(f"[red]--year must be a calendar year like 2026, got {year}[/]")
        return 2
    errors = errors or errors_path(out)
    try:
        with open_snapshot(settings) as conn:
            upload = pars_export(CLI, conn, year)
    except NoSnapshotError as exc:
        console.print(f"[red]{exc}[/]")
        return 1
    _write(out, pars_text(upload))
    _write(errors, errors_csv(upload))
    audit.record(CLI, "export", f"pars learner upload {year}", row_count=len(upload.rows), settings=settings)
    _report(upload, out, errors, f"ACCME PARS learner upload {year}")
    return 0


def run_ce_broker(settings: Settings, date_from: str, date_to: str, out: Path, errors: Path | None) -> int:
    from reports import audit
    from reports.exports.ce_uploads import ce_broker_bytes, ce_broker_export, errors_csv, errors_path

    try:
        start, end = dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to)
    except ValueError:
        console.print(f"[red]--from and --to must be dates YYYY-MM-DD, got {date_from!r} and {date_to!r}[/]")
        return 2
    if start > end:
        console.print(f"[red]--from {start} is after --to {end}[/]")
        return 2
    errors = errors or errors_path(out)
    policy = CeBrokerPolicy(provider_number=settings.ce_broker_provider_number.strip())
    try:
        with open_snapshot(settings) as conn:
            upload = ce_broker_export(CLI, conn, start, end, policy)
        data = ce_broker_bytes(upload, out)
    except (NoSnapshotError, ValueError) as exc:
        console.print(f"[red]{exc}[/]")
        return 1 if isinstance(exc, NoSnapshotError) else 2
    if not policy.provider_number:
        console.print(
            "[yellow]PORTALYTICS_CE_BROKER_PROVIDER_NUMBER is not set: column A (provider tracking number) "
            "is "
            "empty; set it before uploading.[/]"
        )
    _write(out, data)
    _write(errors, errors_csv(upload))
    target = f"ce broker roster {start.isoformat()}..{end.isoformat()}"
    audit.record(CLI, "export", target, row_count=len(upload.rows), settings=settings)
    _report(upload, out, errors, f"CE Broker roster {start} to {end}")
    return 0


def run_issue(settings: Settings, person_id: str, out: Path) -> int:
    from reports.credentials.transcript_vc import issue
    from reports.learning.transcripts import load_transcript

    try:
        with open_snapshot(settings) as conn:
            transcript = load_transcript(CLI, conn, person_id, org_timezone=settings.org_timezone)
    except NoSnapshotError as exc:
        console.print(f"[red]{exc}[/]")
        return 1
    except NotPermitted:
        console.print(f"[red]no person {person_id!r} in the published Learning Center roster[/]")
        return 1
    token = issue(settings, CLI, transcript)
    _write(out, (token + "\n").encode("ascii"))
    console.print(
        f"transcript credential of {person_id}: {len(transcript.items)} items, signed by "
        f"{settings.credential_issuer_name} → {out}"
    )
    return 0


def run_verify(settings: Settings, path: Path) -> int:
    from reports.credentials.verify import CredentialInvalid, verify_token

    try:
        if path.stat().st_size > MAX_CREDENTIAL_BYTES:
            console.print(f"[red]{path}: {path.stat().st_size:,} bytes is too large for a credential[/]")
            return 1
        token = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        console.print(f"[red]{path}: cannot read the credential ({exc.__class__.__name__})[/]")
        return 1
    try:
        verified = verify_token(settings, token)
    except CredentialInvalid as exc:
        console.print(f"[red]NOT VALID: {exc}[/]")
        return 1
    print(
        f"valid: transcript of {verified.subject_name} (person {verified.person_id}), "
        f"{verified.item_count} items, issued by {verified.issuer}"
    )
    return 0
