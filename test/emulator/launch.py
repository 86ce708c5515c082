"""Start moto's server with the cfn-stages extension loaded.

Usage: .venv/bin/python test/emulator/launch.py [moto_server flags], e.g. -H 127.0.0.1 -p 5055.
Every moto_server flag works: this hands argv to moto.server.main unchanged.

Start-up speed: loading moto's CloudFormation package (which the extension patches) takes about
1.3 s, so the server starts listening first and the extension loads in a background thread; moto
creates its CloudFormation (and ECS, IAM, Route 53, SNS, CloudWatch) app on the first request to it, and that waits for the
extension (cfn_stages_moto.install is idempotent and locked).
"""

import os
import sys
import threading

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cfn_stages_moto  # noqa: E402
from moto import server  # noqa: E402

_create_backend_app = server.create_backend_app


def create_backend_app(service):  # type: ignore[no-untyped-def]
    if service in ("cloudformation", "ecs", "iam", "route53", "sns", "cloudwatch"):  # the services the extension patches
        cfn_stages_moto.install()
    return _create_backend_app(service)


def main(argv):  # type: ignore[no-untyped-def]
    server.create_backend_app = create_backend_app  # moto.server.main looks the name up at call time
    from cfn_stages_moto import credentials  # every service checks credentials: before the first request

    credentials.install()
    threading.Thread(target=cfn_stages_moto.install, name="cfn-stages-extension", daemon=True).start()
    server.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
