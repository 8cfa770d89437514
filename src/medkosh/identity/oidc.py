"""OIDC sign-in for institutions that run an identity provider (authorization code flow with PKCE;
authlib's PKCE helpers, joserfc for the ID token). Local accounts stay the default; an OIDC login never creates an account: the person
must already exist in medkosh (created by an admin), and is matched by (issuer, subject) or, the first
time, by a verified email at the same institution, which then links the subject.

Configuration per institution: oidc_issuer and oidc_client_id (stored), and the client secret in the
environment as MEDKOSH_OIDC_SECRET_<INSTITUTION ID IN CAPITALS> (never in the database).
"""

from __future__ import annotations

import os
import secrets
import time
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from itsdangerous import BadSignature
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select

from medkosh.errors import AuthenticationError, InputError, NotFoundError
from medkosh.identity.secrets import serializer

STATE_COOKIE = "mk_oidc"
STATE_SECONDS = 600
_TIMEOUT = 10.0
# Asymmetric signatures only: an ID token signed with "none" or an HMAC of the public key is refused.
_ID_TOKEN_ALGS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
# Tests and deployments behind a proxy may swap the HTTP transport (e.g. httpx.MockTransport).
transport: httpx.BaseTransport | None = None


def _client_secret(institution_id: str) -> str:
    name = "MEDKOSH_OIDC_SECRET_" + "".join(c if c.isalnum() else "_" for c in institution_id).upper()
    value = os.environ.get(name)
    if not value:
        raise InputError(f"OIDC is not configured for this institution ({name} is not set)",
                         hint="sign in with your medkosh password, or ask the administrator")
    return value


def _config(institution_id: str) -> tuple[Any, dict[str, Any]]:
    from medkosh.store.db import session_scope
    from medkosh.store.tables.identity import InstitutionRow

    with session_scope() as s:
        inst = s.get(InstitutionRow, institution_id)
        if inst is None or not inst.oidc_issuer or not inst.oidc_client_id:
            raise NotFoundError("this institution has no OIDC sign-in", hint="sign in with your medkosh password")
        issuer, client_id = inst.oidc_issuer.rstrip("/"), inst.oidc_client_id
    with httpx.Client(timeout=_TIMEOUT, transport=transport) as http:
        try:
            meta = http.get(f"{issuer}/.well-known/openid-configuration").raise_for_status().json()
        except (httpx.HTTPError, ValueError) as exc:
            raise AuthenticationError(f"the identity provider did not answer ({type(exc).__name__})",
                                      hint="try again later or sign in with your password") from exc
    if meta.get("issuer", "").rstrip("/") != issuer:
        raise AuthenticationError("the identity provider's metadata names another issuer")
    return (issuer, client_id), meta


def start(institution_id: str, *, redirect_uri: str, next_path: str) -> tuple[str, str]:
    """The provider's authorization URL and a signed cookie holding state, nonce and PKCE verifier."""
    (_issuer, client_id), meta = _config(institution_id)
    verifier = generate_token(64)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    url = add_params_to_uri(meta["authorization_endpoint"], [
        ("response_type", "code"), ("client_id", client_id), ("redirect_uri", redirect_uri),
        ("scope", "openid email profile"), ("state", state), ("nonce", nonce),
        ("code_challenge", create_s256_code_challenge(verifier)), ("code_challenge_method", "S256")])
    cookie = serializer("medkosh-oidc").dumps({"i": institution_id, "s": state, "n": nonce, "v": verifier,
                                                "next": next_path})
    return url, cookie


def finish(cookie: str, *, code: str, state: str, redirect_uri: str) -> tuple[str, str]:
    """Exchange the code, validate the ID token, find the person and start a session.
    Returns (raw session secret, where to go next)."""
    from medkosh.identity import service
    from medkosh.store.db import session_scope
    from medkosh.store.tables.identity import UserRow

    try:
        saved = serializer("medkosh-oidc").loads(cookie, max_age=STATE_SECONDS)
    except BadSignature:
        raise AuthenticationError("sign-in took too long or came from elsewhere", hint="start the sign-in again") from None
    if not code or not secrets.compare_digest(str(saved.get("s", "")), state):
        raise AuthenticationError("sign-in state does not match", hint="start the sign-in again")
    institution_id = saved["i"]
    (issuer, client_id), meta = _config(institution_id)
    secret = _client_secret(institution_id)
    try:
        with httpx.Client(timeout=_TIMEOUT, transport=transport) as http:
            # client_secret_basic, the token endpoint auth every OpenID provider must support
            token = http.post(meta["token_endpoint"], auth=(client_id, secret), data={
                "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": saved["v"]}).raise_for_status().json()
            jwks = KeySet.import_key_set(http.get(meta["jwks_uri"]).raise_for_status().json())
        claims = jwt.decode(token["id_token"], jwks, algorithms=_ID_TOKEN_ALGS).claims
        jwt.JWTClaimsRegistry(
            now=int(time.time()), leeway=60,
            iss={"essential": True, "value": issuer}, aud={"essential": True, "value": client_id},
            nonce={"essential": True, "value": saved["n"]}, sub={"essential": True},
            exp={"essential": True}).validate(claims)
    except (httpx.HTTPError, JoseError, KeyError, ValueError) as exc:
        raise AuthenticationError(f"the identity provider's answer was not accepted ({type(exc).__name__})",
                                  hint="start the sign-in again") from exc
    subject = f"{issuer}|{claims['sub']}"
    with session_scope() as s:
        row = s.execute(select(UserRow).where(UserRow.oidc_subject == subject)).scalar_one_or_none()
        if row is None and claims.get("email") and claims.get("email_verified"):
            row = s.execute(select(UserRow).where(UserRow.email == str(claims["email"]).lower(),
                                                  UserRow.institution_id == institution_id)).scalar_one_or_none()
            if row is not None and row.oidc_subject is None:
                row.oidc_subject = subject
        if row is None:
            raise AuthenticationError("no medkosh account for this identity", hint="ask your administrator to add you")
        user = service.get_user(s, row.id)
        if not user.is_active:
            raise AuthenticationError("this account is suspended")
        raw = service.start_session(s, user, via="oidc")
    return raw, str(saved.get("next") or "/me")
