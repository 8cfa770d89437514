"""Every table module in this package is imported here so that Base.metadata knows all tables.

Modules are discovered, so a domain adds its tables by adding a module (one per domain).
"""

from __future__ import annotations

import importlib
import pkgutil

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    importlib.import_module(f"{__name__}.{_info.name}")
