"""Benchmark sealing on the laptop and ingest at the central store.

Run from the repository root with ``python -m bench.sync`` (or
``python bench/sync.py``). It prints:

- sealing and signing a day of meetings, as record versions per second and
  as a ratio to raw HPKE seal throughput on the same plaintexts;
- ingesting record versions into a central store on disk, as record
  versions per second and as a ratio to raw HPKE open throughput on the
  same ciphertexts. Ingest never opens records, so a ratio above 1 is
  possible; the target is at least 0.5.

Both raw figures are measured in the same run, so the ratios hold across
machines even where the absolute numbers do not. The default run took
4 s on the 2-core development VM.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file, this folder comes first on sys.path and this module
    # would shadow the ``sync`` package it measures.
    bench_folder = Path(__file__).resolve().parent
    sys.path = [entry for entry in sys.path if Path(entry or ".").resolve() != bench_folder]

from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: E402
from stdnum.gb import upn as upn_number  # noqa: E402

from sync import (  # noqa: E402
    ActionCounts,
    ImpactRow,
    RecordVersion,
    build_bundle,
    ingest_bundle,
    init_central,
    make_registration,
    pseudonymise,
    write_bundle,
)
from sync.keys import SUITE, load_recipient_public, record_info  # noqa: E402

PASSPHRASE = "benchmark passphrase, not secret"

# One meeting makes these record versions; sizes are typical JSON records
# of the app in bytes (an estimate from the record shapes, not measured).
MEETING_RECORDS = (("meeting", 3000), ("action_plan", 1500), ("pupil_views", 1200), ("letter", 4000))


def _record(kind: str, size: int) -> RecordVersion:
    return RecordVersion(str(uuid.uuid4()), 1, 1, kind, os.urandom(size // 2).hex().encode())


def _impact_row(key: bytes, serial: int) -> ImpactRow:
    # A made-up UPN: python-stdnum accepts only real local authority numbers (801 here).
    body = f"801{1000 + serial:04d}25{serial % 1000:03d}"
    return ImpactRow(
        impact_id=str(uuid.uuid4()), version=1, pseudonym=pseudonymise(upn_number.calc_check_digit(body) + body, key),
        school_urn="123456", year_group="8", month="2025-03", mode="in_person", attended=True,
        views_captured=True, barriers=("transport",), actions=ActionCounts(parent_carer=1, school=2),
        next_step="review_meeting", attendance_before_permille=850, persistent_before=True, severe_before=False,
    )


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=20, help="meetings in the day to seal (default 20)")
    parser.add_argument("--records", type=int, default=10_000,
                        help="record versions to ingest (default 10000)")
    parser.add_argument("--per-bundle", type=int, default=100,
                        help="record versions per bundle for the ingest (default 100)")
    parser.add_argument("--size", type=int, default=2500,
                        help="plaintext bytes per record version for the ingest (default 2500)")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
    try:
        return _run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(args: argparse.Namespace, workdir: Path) -> int:
    store = init_central(workdir / "central", PASSPHRASE, "Benchmark Attendance Service")
    enrolment = store.enrolment()
    signer = ed25519.Ed25519PrivateKey.generate()
    profile_id, device_id = str(uuid.uuid4()), str(uuid.uuid4())
    store.approve(store.register(make_registration(
        signer, organisation_id=store.organisation_id, profile_id=profile_id, profile_name="Benchmark laptop",
        device_id=device_id)).fingerprint)
    recipient = load_recipient_public(enrolment.recipient_public)
    organisation = enrolment.organisation_id

    # Laptop: seal and sign a day of meetings.
    day = [_record(kind, size) for _ in range(args.meetings) for kind, size in MEETING_RECORDS]
    rows = [_impact_row(enrolment.pseudonymisation_key, n) for n in range(args.meetings)]
    started = time.perf_counter()
    build_bundle(day, rows, signer=signer, device_id=device_id, profile_id=profile_id, enrolment=enrolment,
                 sequence=1)
    seal_seconds = time.perf_counter() - started
    items = len(day) + len(rows)

    started = time.perf_counter()
    for record in day:
        SUITE.encrypt(record.plaintext, recipient,
                      info=record_info(organisation, record.record_id, 1, 1, record.kind))
    for row in rows:
        SUITE.encrypt(row.to_bytes(), recipient, info=b"raw")
    raw_seal_seconds = time.perf_counter() - started

    # Central: build the bundles to ingest (not timed), then ingest them.
    inbox = workdir / "inbox"
    paths = []
    remaining, sequence = args.records, 1
    while remaining > 0:
        count = min(args.per_bundle, remaining)
        records = [_record("meeting", args.size) for _ in range(count)]
        bundle = build_bundle(records, [], signer=signer, device_id=device_id, profile_id=profile_id,
                              enrolment=enrolment, sequence=sequence + 1)
        paths.append(write_bundle(bundle, inbox))
        remaining -= count
        sequence += 1
    last_bundle = bundle  # raw open is measured on its ciphertexts

    started = time.perf_counter()
    stored = sum(len(ingest_bundle(store, path, receipt_dir=workdir / "receipts").stored) for path in paths)
    ingest_seconds = time.perf_counter() - started
    if stored != args.records:
        print(f"error: {stored} record versions stored, expected {args.records}", file=sys.stderr)
        return 1

    private = store.private_keys("benchmark").recipient
    blobs = [(last_bundle.blob(entry), entry) for entry in last_bundle.records]
    opened = 0
    started = time.perf_counter()
    while time.perf_counter() - started < 1.0 or opened < 1000:
        for blob, entry in blobs:
            SUITE.decrypt(blob, private, info=record_info(organisation, entry.key.item_id, 1, 1, "meeting"))
        opened += len(blobs)
    raw_open_seconds = time.perf_counter() - started
    store.close()

    seal_rate, raw_seal_rate = _rate(items, seal_seconds), _rate(items, raw_seal_seconds)
    ingest_rate, raw_open_rate = _rate(stored, ingest_seconds), _rate(opened, raw_open_seconds)
    print(f"seal and sign: {args.meetings} meetings, {items} items in {seal_seconds * 1000:.0f} ms: "
          f"{seal_rate:,.0f} items/s; raw HPKE seal {raw_seal_rate:,.0f} items/s; ratio {seal_rate / raw_seal_rate:.2f}")
    print(f"ingest: {stored} record versions in {len(paths)} bundles of up to {args.per_bundle}, "
          f"{args.size} plaintext bytes each, in {ingest_seconds:.2f} s: {ingest_rate:,.0f} records/s; "
          f"raw HPKE open {raw_open_rate:,.0f} records/s; ratio {ingest_rate / raw_open_rate:.2f} (target >= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
