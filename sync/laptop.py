"""One sync pass on the laptop: recover, collect receipts, seal, send, collect again.

``sync_once`` may be interrupted at any point and run again. Bundles whose
file was not completely written are abandoned and their items sealed
again. Bundles already sent are sent again, and the central store returns
the same receipt for a repeat. Receipts are applied once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from sync.bundle import BUNDLE_SUFFIX, ItemKey
from sync.enrolment import Enrolment
from sync.errors import BundleRejected, ReceiptRejected, StorageError
from sync.fsio import ensure_folder, storage_error
from sync.outbox import Loader, Outbox
from sync.transport import Transport

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    """Outcome of one ``sync_once`` pass. ``errors`` are messages to show the officer."""

    abandoned: list[str] = field(default_factory=list)
    sealed: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    acknowledged: list[ItemKey] = field(default_factory=list)
    quarantined: list[tuple[ItemKey, str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def sync_once(
    outbox: Outbox,
    transport: Transport,
    *,
    load: Loader,
    signer: ed25519.Ed25519PrivateKey,
    device_id: str,
    enrolment: Enrolment,
    bundle_dir: Path,
    limit: int = 500,
) -> SyncReport:
    """Run one sync pass and return what it did.

    Pending items are sealed into bundles of at most ``limit`` items.
    A rejected bundle or receipt, or a transport that cannot be reached,
    is reported in ``errors`` and the pass goes on with the rest.
    """
    report = SyncReport()
    ensure_folder(outbox.fs, bundle_dir)
    report.abandoned = outbox.recover(bundle_dir)
    _collect_receipts(outbox, transport, enrolment, bundle_dir, report)

    while outbox.items("pending"):
        bundle = outbox.seal(load, signer=signer, device_id=device_id, enrolment=enrolment,
                             bundle_dir=bundle_dir, limit=limit)
        if bundle is None:
            break
        report.sealed.append(bundle.bundle_id)

    for bundle_id in outbox.bundles("sealed"):
        try:
            transport.send(bundle_dir / f"{bundle_id}{BUNDLE_SUFFIX}")
        except (BundleRejected, StorageError) as error:
            log.warning("Could not send bundle %s: %s", bundle_id, error)
            report.errors.append(str(error))
            continue
        outbox.mark_sent(bundle_id)
        report.sent.append(bundle_id)

    # Receipts for bundles sent just now; the earlier call covered the others.
    _collect_receipts(outbox, transport, enrolment, bundle_dir, report, only=set(report.sent))
    return report


def _collect_receipts(
    outbox: Outbox,
    transport: Transport,
    enrolment: Enrolment,
    bundle_dir: Path,
    report: SyncReport,
    only: set[str] | None = None,
) -> None:
    for bundle_id in outbox.awaiting_receipt():
        if only is not None and bundle_id not in only:
            continue
        try:
            data = transport.fetch_receipt(bundle_id)
        except StorageError as error:
            report.errors.append(str(error))
            continue
        if data is None:
            continue

        try:
            applied = outbox.apply_receipt(data, enrolment.receipt_public)
        except ReceiptRejected as error:
            log.warning("Rejected the receipt for bundle %s: %s", bundle_id, error)
            report.errors.append(str(error))
            continue
        report.acknowledged.extend(applied.acknowledged)
        report.quarantined.extend(applied.quarantined)

    # Files go only after the receipt is applied, and a pass that stops in
    # between removes them next time.
    for bundle_id in outbox.files_to_remove():
        try:
            transport.discard(bundle_id)
            outbox.fs.unlink(bundle_dir / f"{bundle_id}{BUNDLE_SUFFIX}")
        except StorageError as error:
            report.errors.append(str(error))
            continue
        except OSError as error:
            report.errors.append(str(storage_error(error, "remove", bundle_dir / f"{bundle_id}{BUNDLE_SUFFIX}")))
            continue
        outbox.mark_files_removed(bundle_id)
