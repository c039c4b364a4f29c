"""Non-UI packages must not import Textual."""

from __future__ import annotations

import subprocess
import sys


def test_domain_store_sync_import_without_textual():
    code = (
        "import sys, pkgutil, importlib\n"
        "import clinic_tui.domain, clinic_tui.store, clinic_tui.imports, sync\n"
        "for package in (clinic_tui.domain, clinic_tui.store, clinic_tui.imports, sync):\n"
        "    for module in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        importlib.import_module(module.name)\n"
        "leaked = sorted(name for name in sys.modules if name == 'textual' or name.startswith('textual.'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"Textual imported by non-UI code: {result.stdout.strip()}"


def test_domain_imports_no_sqlite_or_crypto():
    code = (
        "import sys, pkgutil, importlib\n"
        "import clinic_tui.domain as domain\n"
        "for module in pkgutil.walk_packages(domain.__path__, 'clinic_tui.domain.'):\n"
        "    importlib.import_module(module.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('sqlite3', 'sqlite_utils', 'cryptography', 'textual'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"domain imported: {result.stdout.strip()}"
