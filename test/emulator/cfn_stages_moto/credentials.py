"""Credentials AWS refuses: temporary credentials that have expired.

AWS: a request signed with a session token that has expired is refused before the action runs:
query-protocol services (CloudFormation, IAM, STS, EC2...) answer ``ExpiredToken`` "The security
token included in the request is expired", JSON-protocol services (SSM, ECS, ECR, Secrets
Manager...) ``ExpiredTokenException`` with the same message, S3 ``ExpiredToken`` "The provided
token has expired.". Nothing of the request is applied.
moto 5.2.1: accepts any credentials (it checks signatures only when its IAM authentication is on,
and then only that the key exists).
Here: a request signed with an access key id that starts with ``ASIAEXPIRED`` is refused as AWS
refuses expired temporary credentials, in every service. Other keys work as before.
"""

from __future__ import annotations

import re
from typing import Any

EXPIRED_KEY_PREFIX = "ASIAEXPIRED"
MESSAGE = "The security token included in the request is expired"

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


def _access_key(headers: Any) -> str:
    match = _CREDENTIAL.search(headers.get("Authorization") or "")
    return match.group(1) if match else ""


def _refusal(response: Any) -> Exception:
    from moto.core.exceptions import InvalidClientTokenIdError, JsonRESTError

    class ExpiredToken(InvalidClientTokenIdError):
        """The query protocol's error document (moto's own refusal of an unknown key, renamed)."""

        code = 400

        def __init__(self) -> None:
            super(InvalidClientTokenIdError, self).__init__("ExpiredToken", MESSAGE)

    if type(response).__module__.startswith("moto.s3"):
        from moto.s3.exceptions import S3ClientError

        return S3ClientError("ExpiredToken", "The provided token has expired.")
    if (response.headers.get("Content-Type") or "").startswith("application/x-amz-json"):
        return JsonRESTError("ExpiredTokenException", MESSAGE)
    return ExpiredToken()


def _authenticate(original: Any) -> Any:
    def authenticate(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _access_key(self.headers).startswith(EXPIRED_KEY_PREFIX):
            raise _refusal(self)
        return original(self, *args, **kwargs)
    return authenticate


def install() -> None:
    """Cheap (moto.core is loaded already) and idempotent: launch.py calls it before the server
    answers its first request, since every service checks credentials, not only those that wait for
    the rest of the extension."""
    from moto.core.authorization import ActionAuthenticatorMixin

    current = ActionAuthenticatorMixin._authenticate_and_authorize_action
    if getattr(current, "_cfn_stages_credentials", False):
        return
    wrapped = _authenticate(current)
    wrapped._cfn_stages_credentials = True  # type: ignore[attr-defined]
    ActionAuthenticatorMixin._authenticate_and_authorize_action = wrapped  # type: ignore[method-assign]
