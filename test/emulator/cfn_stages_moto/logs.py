"""FilterLogEvents with `logStreamNamePrefix`. Needed by test/e2e/operate-access.test.ts
(`provision logs --extra`, where each service of an app logs under its own stream prefix).

AWS: FilterLogEvents searches only the streams whose names start with `logStreamNamePrefix`
(it cannot be combined with `logStreamNames`: InvalidParameterException).
moto 5.2.1: the prefix is ignored, so every stream of the group is searched.
Here: the streams are narrowed to the prefix before moto's own search runs.
"""

from __future__ import annotations

from typing import Any


def _filter_log_events(original: Any) -> Any:
    def filter_log_events(self: Any) -> Any:
        prefix = self._get_param("logStreamNamePrefix")
        if not prefix:
            return original(self)
        from moto.logs.exceptions import InvalidParameterException

        if self._get_param("logStreamNames"):
            raise InvalidParameterException("Cannot specify both LogStreamNames and LogStreamNamePrefix")
        group = self.logs_backend.groups.get(self._get_param("logGroupName"))
        names = [name for name in (group.streams if group else {}) if name.startswith(prefix)]
        get = self._get_param

        def narrowed(name: str, if_none: Any = None) -> Any:
            # No stream has the prefix: nothing matches (an empty list would mean "every stream").
            return (names or ["\0none"]) if name == "logStreamNames" else get(name, if_none)

        self._get_param = narrowed
        return original(self)

    return filter_log_events


def install() -> None:
    from moto.logs.responses import LogsResponse

    LogsResponse.filter_log_events = _filter_log_events(LogsResponse.filter_log_events)
