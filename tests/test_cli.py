"""The command line, run in-process with click's runner on a real home folder."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from clinic_tui import __version__
from clinic_tui.cli import main
from tests.conftest import PASSPHRASE


def _run(home, *args, input=None):
    result = CliRunner().invoke(main, ["--home", str(home), *args], input=input, catch_exceptions=False)
    return result


def test_version(clinic_home):
    result = _run(clinic_home, "--version")
    assert result.exit_code == 0
    assert __version__ in result.output


def test_every_command_has_help(clinic_home):
    for command in (
        [], ["locate"], ["profile"], ["profile", "create"], ["profile", "list"], ["profile", "passwd"],
        ["profile", "delete"], ["audit", "verify"], ["demo"], ["app"], ["import"], ["import", "pupils"],
        ["import", "marks"], ["attendance"], ["attendance", "summary"], ["demo", "export"],
    ):
        result = _run(clinic_home, *command, "--help")
        assert result.exit_code == 0, command
        assert "Usage:" in result.output


def test_locate_prints_folders_under_home(clinic_home):
    result = _run(clinic_home, "locate")
    assert result.exit_code == 0
    assert f"config file: {clinic_home.resolve()}/config/config.toml" in result.output
    assert f"logs:        {clinic_home.resolve()}/logs" in result.output


def test_profile_lifecycle(clinic_home, tmp_path):
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n")

    created = _run(clinic_home, "profile", "create", "alice", "--passphrase-file", str(secret))
    assert created.exit_code == 0, created.output
    listed = _run(clinic_home, "profile", "list")
    assert listed.output.split() == ["alice"]

    changed = _run(clinic_home, "profile", "passwd", "alice", input=f"{PASSPHRASE}\nnew long passphrase\n")
    assert changed.exit_code == 0, changed.output
    verified = _run(clinic_home, "audit", "verify", "--profile", "alice", input="new long passphrase\n")
    assert verified.exit_code == 0, verified.output
    assert "verifies: 2 entries" in verified.output

    deleted = _run(clinic_home, "profile", "delete", "alice", "--yes", input="new long passphrase\n")
    assert deleted.exit_code == 0, deleted.output
    assert "No profiles yet" in _run(clinic_home, "profile", "list").output


def test_passphrase_never_an_argument(clinic_home):
    result = _run(clinic_home, "profile", "create", "alice", "--passphrase", PASSPHRASE)
    assert result.exit_code != 0
    assert "No such option" in result.output


def test_short_passphrase_rejected(clinic_home):
    result = _run(clinic_home, "profile", "create", "alice", input="short\n")
    assert result.exit_code == 1
    assert "at least 12" in result.output


def test_wrong_passphrase_message(clinic_home):
    _run(clinic_home, "profile", "create", "alice", input=PASSPHRASE + "\n")
    result = _run(clinic_home, "audit", "verify", "--profile", "alice", input="not it at all\n")
    assert result.exit_code == 1
    assert "does not unlock this profile" in result.output


def test_unknown_profile_message(clinic_home):
    result = _run(clinic_home, "audit", "verify", "--profile", "nobody", input=PASSPHRASE + "\n")
    assert result.exit_code == 1
    assert "No profile called 'nobody'" in result.output


def test_audit_verify_reports_tampering(clinic_home):
    _run(clinic_home, "profile", "create", "alice", input=PASSPHRASE + "\n")
    vault_path = clinic_home / "data" / "profiles" / "alice" / "vault.db"
    conn = sqlite3.connect(vault_path, isolation_level=None)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET action = 'forged' WHERE seq = 1")
    conn.close()
    result = _run(clinic_home, "audit", "verify", "--profile", "alice", input=PASSPHRASE + "\n")
    assert result.exit_code == 1
    assert "broken at audit entry 1" in result.output


def test_bad_config_names_file_and_line(clinic_home):
    config = clinic_home / "config" / "config.toml"
    config.write_text("[security]\nkdf_target_ms = 1\nidle_lock_minutes = \"soon\"\n")
    result = _run(clinic_home, "locate")
    assert result.exit_code == 1
    assert "config.toml, line 3" in result.output
    assert "'soon'" in result.output


def test_log_has_no_passphrase(clinic_home):
    _run(clinic_home, "profile", "create", "alice", input=PASSPHRASE + "\n")
    _run(clinic_home, "audit", "verify", "--profile", "alice", input="wrong wrong wrong\n")
    log_text = (clinic_home / "logs" / "clinic.log").read_text()
    assert "unlock failed profile=alice" in log_text
    assert PASSPHRASE not in log_text
    assert "wrong wrong wrong" not in log_text
