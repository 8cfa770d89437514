"""Who a CLI command acts as: an API token (MEDKOSH_TOKEN, as any client would) or, for operators on the
platform host, `--as EMAIL` (audited with the operator's OS user, like every CLI action)."""

from __future__ import annotations

import getpass
import os

from sqlalchemy.orm import Session

from medkosh.errors import AuthenticationError
from medkosh.identity.types import Principal


def cli_principal(session: Session, as_user: str | None) -> Principal:
    from medkosh.identity.service import find_user, resolve_token

    token = os.environ.get("MEDKOSH_TOKEN")
    if token:
        return resolve_token(session, token)
    if as_user:
        return Principal(user=find_user(session, as_user), via=f"cli:{getpass.getuser()}")
    raise AuthenticationError("who are you acting as?",
                              hint="set MEDKOSH_TOKEN to your API token, or pass --as EMAIL (operators)")
