"""Impact rows: strict validation, pseudonyms, sealing and the central impact log."""

from __future__ import annotations

import dataclasses
import json
import uuid

import pytest

from sync import ActionCounts, ImpactRow, InvalidInput, build_bundle, ingest_bundle, pseudonymise, write_bundle
from sync.encoding import dumps_canonical, sha256_hex
from sync.keys import impact_info, seal

KEY = bytes(range(32))


@pytest.fixture
def row(kit) -> ImpactRow:
    return ImpactRow(
        impact_id=str(uuid.uuid4()), version=1, pseudonym=pseudonymise(kit.make_upn(1), KEY), school_urn="123456",
        year_group="R", month="2025-11", mode="video", attended=False, views_captured=False, barriers=("mental_health",),
        actions=ActionCounts(school=2, agency=1), next_step="early_help", attendance_before_permille=455,
        persistent_before=True, severe_before=True,
    )


def test_row_round_trips_through_bytes(row):
    assert ImpactRow.from_bytes(row.to_bytes()) == row


def test_pseudonym_is_keyed_hmac_of_upn(kit):
    upn = kit.make_upn(7)

    assert pseudonymise(upn, KEY) == pseudonymise(upn.lower(), KEY)
    assert pseudonymise(upn, KEY) != pseudonymise(upn, bytes(32))
    assert pseudonymise(upn, KEY) != pseudonymise(kit.make_upn(8), KEY)
    assert upn not in pseudonymise(upn, KEY).upper()


def test_invalid_upn_message_hides_upn(kit):
    upn = kit.make_upn(3)
    wrong = ("A" if upn[0] != "A" else "B") + upn[1:]

    with pytest.raises(InvalidInput) as caught:
        pseudonymise(wrong, KEY)

    assert "not a valid unique pupil number" in str(caught.value)
    assert wrong not in str(caught.value)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mode": "Jane Smith came in"}, "field 'mode' must be one of in_person, video, phone; got a 18-character"),
        ({"next_step": "ring mum friday"}, "field 'next_step' must be one of"),
        ({"barriers": ("transport", "Dad's drinking")}, "field 'barriers' entries must be among"),
        ({"barriers": ("transport", "bullying")}, "must be sorted with no repeats"),
        ({"barriers": ["mental_health"]}, "must be a tuple"),
        ({"school_urn": "12345"}, "school's 6-digit URN"),
        ({"school_urn": "12345x"}, "school's 6-digit URN"),
        ({"month": "2025-11-14"}, "meeting month as YYYY-MM"),
        ({"month": "2025-13"}, "meeting month as YYYY-MM"),
        ({"year_group": "Year 9"}, "field 'year_group' must be one of"),
        ({"attended": "yes"}, "field 'attended' must be true or false"),
        ({"attended": 1}, "field 'attended' must be true or false; got 1"),
        ({"attendance_before_permille": 1001}, "from 0 to 1000; got 1001"),
        ({"attendance_before_permille": 90.5}, "from 0 to 1000; got a value of type float"),
        ({"actions": ActionCounts(pupil=51)}, "field 'actions.pupil' must be a whole number from 0 to 50"),
        ({"severe_before": True, "persistent_before": False}, "severe absence is always persistent"),
        ({"pseudonym": "H801200001001"}, "64 lower-case hex digits"),
        ({"impact_id": "row-1"}, "is not a UUID"),
        ({"version": 0}, "field 'version' must be a whole number from 1"),
        ({"review_outcome": "much better"}, "field 'review_outcome' must be one of"),
    ],
)
def test_row_rejects_free_text_and_bad_values(row, changes, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        dataclasses.replace(row, **changes)


def test_rejected_text_never_quoted(row):
    with pytest.raises(InvalidInput) as caught:
        dataclasses.replace(row, next_step="Kayleigh Brown to phone")

    assert "Kayleigh" not in str(caught.value)


def test_later_version_adds_outcome(row):
    later = dataclasses.replace(row, version=2, attendance_after_permille=921, review_outcome="improved")

    assert ImpactRow.from_bytes(later.to_bytes()) == later


def test_from_bytes_rejects_extra_field(row):
    obj = row.to_json()
    obj["note"] = "free text"

    with pytest.raises(Exception, match="unknown field 'note'"):
        ImpactRow.from_bytes(dumps_canonical(obj))


def test_impact_rows_reach_the_log(template, central, tmp_path, laptop):
    first = laptop.add_impact_row()
    second = laptop.add_impact_row(version=1, mode="phone", barriers=())
    later = dataclasses.replace(first, version=2, attendance_after_permille=930, review_outcome="improved")
    bundle = build_bundle([], [first, second, later], signer=template.signer, device_id=template.device_id,
                          profile_id=template.profile_id, enrolment=template.enrolment, sequence=1)

    receipt = ingest_bundle(central, write_bundle(bundle, tmp_path))

    assert len(receipt.stored) == 3
    assert sorted(central.impact_log(), key=lambda r: (r.impact_id, r.version)) == sorted(
        [first, second, later], key=lambda r: (r.impact_id, r.version))
    raw = central.conn.execute("SELECT barriers, attended FROM impact_log WHERE impact_id = ? AND version = 1",
                               (first.impact_id,)).fetchone()
    assert raw == ("bullying transport", 1)


def test_impact_row_conflict_quarantined(template, central, tmp_path, laptop):
    row = laptop.add_impact_row()
    changed = dataclasses.replace(row, mode="phone")
    for sequence, version in ((1, row), (2, changed)):
        bundle = build_bundle([], [version], signer=template.signer, device_id=template.device_id,
                              profile_id=template.profile_id, enrolment=template.enrolment, sequence=sequence)
        receipt = ingest_bundle(central, write_bundle(bundle, tmp_path))

    assert [(item.key.item_id, item.code) for item in receipt.quarantined] == [(row.impact_id, "impact_conflict")]
    assert central.impact_log() == [row]


def test_impact_row_sealed_to_other_ids_quarantined(template, central, tmp_path, laptop, kit):
    # Sealed under version 1 but listed as version 2: the bound context does not match, so it cannot open.
    row = laptop.add_impact_row()
    record_bundle = build_bundle([], [row], signer=template.signer, device_id=template.device_id,
                                 profile_id=template.profile_id, enrolment=template.enrolment, sequence=1)
    manifest_impact = [dict(entry, version=2) for entry in json.loads(record_bundle.manifest_bytes)["impact"]]
    forged = tmp_path / "forged.clinicbundle"
    forged.write_bytes(kit.forge_bundle(record_bundle, template.signer, manifest_changes={"impact": manifest_impact}))

    receipt = ingest_bundle(central, forged)

    assert receipt.stored == ()
    assert [item.code for item in receipt.quarantined] == ["impact_unreadable"]
    assert central.impact_log() == []
    assert [entry.code for entry in central.quarantined()] == ["impact_unreadable"]


def test_invalid_impact_row_quarantined(template, central, tmp_path, laptop, kit):
    # A laptop with a bug seals a row with free text; the store keeps it aside instead of logging it.
    row = laptop.add_impact_row()
    obj = row.to_json()
    obj["mode"] = "Kayleigh's nan's house"
    blob = seal(dumps_canonical(obj), template.enrolment.recipient_public,
                impact_info(template.enrolment.organisation_id, row.impact_id, row.version))
    good = build_bundle([], [row], signer=template.signer, device_id=template.device_id,
                        profile_id=template.profile_id, enrolment=template.enrolment, sequence=1)
    manifest_impact = [{"id": row.impact_id, "version": 1, "sha256": sha256_hex(blob), "size": len(blob)}]
    forged = tmp_path / "bug.clinicbundle"
    forged.write_bytes(kit.forge_bundle(good, template.signer, manifest_changes={"impact": manifest_impact},
                                        blobs=[blob]))

    receipt = ingest_bundle(central, forged)

    (item,) = receipt.quarantined
    assert item.code == "impact_invalid"
    assert "field 'mode' must be one of" in item.reason
    assert "Kayleigh" not in item.reason
    assert central.impact_log() == []


def test_pseudonym_accepts_newer_authority_and_temporary_upns():
    from stdnum.gb import upn as upn_number

    # 940 is North Northamptonshire (April 2021), missing from python-stdnum's list of authorities.
    for body in ("94012345001" + "7", "94012345001" + "A"):
        upn = upn_number.calc_check_digit(body) + body
        assert len(pseudonymise(upn, KEY)) == 64
