"""Transcripts as verifiable credentials: the signing key, issuing and verifying, revocation."""
