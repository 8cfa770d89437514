from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from medkosh.consent import jws
from medkosh.synth import verhoeff


def test_verhoeff_known_vectors() -> None:
    assert verhoeff.check_digit("236") == 3
    assert verhoeff.check_digit("12345") == 1
    assert verhoeff.is_valid("2363")
    assert verhoeff.is_valid("123451")
    assert not verhoeff.is_valid("123452")


def test_verhoeff_catches_every_single_digit_error() -> None:
    body = "49871234560"
    number = body + str(verhoeff.check_digit(body))
    assert verhoeff.is_aadhaar_like(number)
    assert verhoeff.is_valid(f"{number[:4]} {number[4:8]} {number[8:]}")
    for pos in range(len(number)):
        for digit in "0123456789":
            if digit != number[pos]:
                assert not verhoeff.is_valid(number[:pos] + digit + number[pos + 1:])


def test_verhoeff_rejects_odd_input() -> None:
    assert not verhoeff.is_valid("")
    assert not verhoeff.is_valid("12a4")
    assert not verhoeff.is_aadhaar_like("1" + "0" * 11)
    with pytest.raises(ValueError):
        verhoeff.check_digit("x")


def test_canonical_json_matches_stdlib() -> None:
    obj = {"b": [1, "पटना", None, True], "a": {"z": 1, "y": "x y"}}
    expected = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert jws.canonical_json(obj) == expected


@pytest.mark.parametrize("make_key", [
    lambda: ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))),
    lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
])
def test_detached_sign_verify(make_key) -> None:
    key = make_key()
    payload = jws.canonical_json({"consentId": "c1", "purpose": {"code": "DSRCH"}})
    token = jws.sign_detached(payload, key, kid="cm-1")
    header, empty, _sig = token.split(".")
    assert empty == ""
    assert jws.read_header(token)["kid"] == "cm-1"
    assert jws.verify_detached(token, payload, key.public_key())
    assert not jws.verify_detached(token, payload.replace(b"DSRCH", b"CAREMGT"), key.public_key())
    assert not jws.verify_detached(token, payload, ed25519.Ed25519PrivateKey.from_private_bytes(b"\1" * 32).public_key())
    assert not jws.verify_detached("garbage", payload, key.public_key())
    assert not jws.verify_detached(header + ".." + "AAAA", payload, key.public_key())


def test_ed25519_is_deterministic_and_alg_mismatch_refused() -> None:
    key = jws.ed25519_from_seed(b"\7" * 32)
    assert jws.sign_detached(b"x", key) == jws.sign_detached(b"x", jws.ed25519_from_seed(b"\7" * 32))
    public = jws.load_public_key(jws.public_key_hex(key))
    assert jws.verify_detached(jws.sign_detached(b"x", key), b"x", public)
    from medkosh.errors import InputError

    with pytest.raises(InputError):
        jws.sign_detached(b"x", key, "RS256")
    with pytest.raises(InputError):
        jws.load_public_key("zz")
