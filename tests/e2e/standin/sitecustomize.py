"""Test-only stand-in for issue 3's `flows.vetting_checks` while it has not landed: the served
worker imports this instead. Removed once the real checks are merged."""

import importlib.abc
import importlib.util
import sys
from pathlib import Path

_FILE = Path(__file__).with_name("vetting_checks_standin.py")


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name == "flows.vetting_checks":
            return importlib.util.spec_from_file_location(name, _FILE)
        return None


sys.meta_path.insert(0, _Finder())
