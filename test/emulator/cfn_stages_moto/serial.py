"""One request at a time (needed by `npm run bench`'s 20-app deploy, where it was seen failing, and
by every end-to-end suite whose deploys run independent stacks at once, e.g.
test/e2e/deploy.test.ts and test/e2e/engine.test.ts).

AWS: calls made at the same time in one account are independent; stacks created together each
succeed or fail on their own merits.
moto 5.2.1: the server answers each request on a thread of its own, but its backends are plain
dicts shared without a lock. Two change sets executing at once each create IAM roles, and moto's
``create_role`` iterates the account's roles while the other thread adds one: the role fails
with "OrderedDict mutated during iteration" and its stack rolls back, at random.
Here: the dispatcher answers one request at a time. The server's threads still accept and read
connections side by side, and its Python work was already one thread at a time (the GIL), so
this costs little; no request waits on another request (nothing in moto or this extension calls
the server from inside a request), so it cannot deadlock.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()


def install() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    answer = DomainDispatcherApplication.__call__

    def one_at_a_time(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        with _lock:
            return answer(self, environ, start_response)

    DomainDispatcherApplication.__call__ = one_at_a_time  # type: ignore[method-assign]
