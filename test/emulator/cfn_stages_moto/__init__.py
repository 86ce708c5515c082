"""cfn-stages' extension of moto's server: the AWS behaviour the end-to-end tests and the local
demo need and moto 5.2.1 lacks. See ../README.md for the list, piece by piece.

Pinned to moto 5.2.1 (tools/requirements.txt): every piece replaces or extends moto internals
(``moto/cloudformation/*``, backend method signatures), which change between releases.
``install()`` refuses to run against another version rather than misbehave quietly.
"""

from __future__ import annotations

import threading

MOTO_VERSION = "5.2.1"

_installed = False
_lock = threading.Lock()


def install() -> None:
    """Load every piece into moto. Call before moto handles its first CloudFormation request
    (safe to call from several threads and more than once)."""
    global _installed
    with _lock:
        if not _installed:
            _install()
            _installed = True


def _install() -> None:
    from importlib.metadata import version

    found = version("moto")
    if found != MOTO_VERSION:
        raise RuntimeError(f"cfn_stages_moto is written against moto {MOTO_VERSION}, found {found}: "
                           "re-check each piece against the new moto before changing the pin")

    from moto.cloudformation import parsing

    from . import (account, alarms, cache_restore, credentials, deletion, existing, intrinsics, lifecycle, logs, orderable,
                   release, replacements, resolved, rules, serial, sessions, speed, stacks, tasks, teardown, update_times, updates)
    # Importing these modules defines the resource types (direct CloudFormationModel subclasses).
    from . import dns, documentdb, ecs, eks, elasticache, messaging, misc, rds, scaling, secrets  # noqa: F401

    serial.install()
    speed.install()  # before the others: their template parses go through it
    ecs.install()
    sessions.install()
    logs.install()
    existing.install()
    intrinsics.install()
    stacks.install()
    resolved.install()  # after stacks: wraps its parameter_list
    rules.install()  # after stacks: wraps its create/update methods
    updates.install()
    deletion.install()  # after updates: wraps its build_resource_diff
    replacements.install()  # after updates: wraps its _diff and ResourceMap.update
    teardown.install()
    release.install()  # after teardown: wraps its ECS service deleter
    lifecycle.install()  # after stacks and updates: wraps what they installed
    update_times.install()  # after lifecycle: wraps its update methods
    cache_restore.install()
    tasks.install()  # after stacks and deletion: wraps their execute_change_set and delete_stack
    account.install()
    credentials.install()  # idempotent: launch.py installs it first
    dns.install()
    alarms.install()
    orderable.install()
    # moto caches its type table on first use; drop it so the new types are seen.
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
