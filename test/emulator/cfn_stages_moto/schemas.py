"""Which property changes make CloudFormation replace a resource.

AWS: a resource type's registry schema lists its createOnlyProperties; changing one replaces the
resource (a new physical resource, then the old one deleted), changing any other property updates
it in place. The schemas ship with cfn-lint, which the project installs next to moto, so the
emulator reads them from there instead of keeping its own list.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path



@lru_cache(maxsize=1)
def _provider_index() -> tuple[Path, dict[str, str]]:
    import cfnlint

    base = Path(cfnlint.__file__).parent / "data" / "schemas"
    index = json.loads((base / "providers" / "us-east-1.json").read_text())
    return base, index


@lru_cache(maxsize=None)
def create_only_properties(resource_type: str) -> frozenset[str]:
    """Top-level properties of ``resource_type`` that cannot change without replacement."""
    try:
        base, index = _provider_index()
        schema = json.loads((base / "resources" / f"{index[resource_type]}.json").read_text())
    except (ImportError, KeyError, OSError):
        return frozenset()
    return frozenset(path.split("/")[2] for path in schema.get("createOnlyProperties", []))



