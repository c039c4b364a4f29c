"""Sealing, signing, bundles, the outbox and the central store."""
