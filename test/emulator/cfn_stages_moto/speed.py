"""Speed: the same answers as moto 5.2.1, sooner (needed by `npm run bench`'s deploy rows, and
it shortens every end-to-end suite).

Nothing here changes what any call answers; each piece removes work whose result was thrown away
or recomputed on every request. A threaded Python server runs one request at a time (the GIL), so
the time one request wastes is added to every other request in flight.

- Templates: moto reads every template body with PyYAML's pure-Python loader first and falls back
  to ``json.loads`` only when that fails. A JSON template is valid YAML, so a 30 KB JSON body took
  PyYAML 50-150 ms per parse, and one CreateChangeSet parses it three times (parameters, rules,
  change set). Here a body that starts with ``{`` is read by ``json.loads`` (what AWS reads a JSON
  template as), and YAML bodies by libyaml's loader with moto's same tag constructor.
- KMS keys: moto makes an RSA-2048 key pair for every key, a symmetric one included, where only
  Sign/Verify/GetPublicKey of an asymmetric key ever use it (KMS refuses those on a symmetric key).
  Here the pair is made on first use.
- Routing: moto lists its own package folder (about 150 ``isdir`` calls) on every request, under
  the dispatcher's lock, to see whether the host names a service. Here the list is read once.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import yaml


class _Templates:
    """Stands in for the ``yaml`` module inside moto's CloudFormation modules."""

    def __getattr__(self, name: str) -> Any:
        return getattr(yaml, name)

    @staticmethod
    def load(stream: Any, Loader: Any = None) -> Any:  # noqa: N803 (PyYAML's own parameter name)
        text = stream.decode() if isinstance(stream, bytes) else stream
        if isinstance(text, str) and text.lstrip().startswith("{"):
            try:
                return json.loads(text)
            except ValueError:
                pass  # not JSON after all: YAML's flow style, read below as moto would
        return yaml.load(text, Loader=yaml.CLoader if Loader in (None, yaml.Loader) else Loader)

    @staticmethod
    def add_multi_constructor(tag_prefix: str, constructor: Any) -> None:
        yaml.add_multi_constructor(tag_prefix, constructor)  # moto's own loader
        yaml.add_multi_constructor(tag_prefix, constructor, Loader=yaml.CLoader)


class _LazyPrivateKey:
    """A KMS key's signing key pair, made when something first uses it."""

    def __init__(self, make: Any, key_spec: str) -> None:
        self._make, self._spec, self._key = make, key_spec, None

    def __getattr__(self, name: str) -> Any:
        if self._key is None:
            self._key = self._make(self._spec)
        return getattr(self._key, name)


def install() -> None:
    from moto import backends
    from moto.cloudformation import models, responses
    from moto.kms import models as kms_models

    templates = _Templates()
    models.yaml = templates
    responses.yaml = templates

    make = kms_models.generate_private_key
    kms_models.generate_private_key = lambda key_spec: _LazyPrivateKey(make, key_spec)

    listed = backends.list_of_moto_modules
    backends.list_of_moto_modules = lru_cache(maxsize=1)(lambda: tuple(listed()))
