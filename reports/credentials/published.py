"""Where the credential files a verifier reads are published (``<data dir>/published/``) and served."""

from __future__ import annotations

from domain.settings import Settings

STATUS_FILE = "credential-status.jwt"


def status_list_url(settings: Settings) -> str:
    """The status list's URL in every credential: ``PORTALYTICS_CREDENTIAL_BASE_URL`` + the file's name."""
    return settings.credential_base_url.rstrip("/") + "/" + STATUS_FILE
