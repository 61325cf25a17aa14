"""API key material and log masking."""

import logging

import pytest

from service.audit import jsonable, snapshot
from service.security.keys import hash_secret, new_api_key, split_key, verify_secret
from service.security.redact import install_log_redaction, redact


def test_a_new_key_verifies_and_its_hash_does_not_contain_it():
    material = new_api_key()
    prefix, secret = split_key(material.key)
    assert prefix == material.prefix and len(prefix) == 12
    assert verify_secret(material.secret_hash, secret)
    assert not verify_secret(material.secret_hash, secret + "x")
    assert secret not in material.secret_hash and material.secret_hash.startswith("$argon2id$")
    assert new_api_key().key != material.key


@pytest.mark.parametrize(
    ("key", "parts"),
    [
        ("lw_0123456789ab_s3cr_et", ("0123456789ab", "s3cr_et")),  # the secret may contain underscores
        ("  lw_0123456789ab_x ", ("0123456789ab", "x")),
        ("lw_0123456789ab_", None),
        ("lw_0123_x", None),
        ("xx_0123456789ab_x", None),
        ("", None),
        ("Bearer lw_0123456789ab_x", None),
    ],
)
def test_split_key(key, parts):
    assert split_key(key) == parts


def test_a_damaged_hash_is_a_failed_verification_not_an_error():
    assert verify_secret("not-a-hash", "x") is False
    assert verify_secret(hash_secret("a"), "a") is True


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Authorization: Bearer lw_0123456789ab_AbC-d_e", "Authorization: Bearer lw_0123456789ab_[redacted]"),
        (
            "two lw_0123456789ab_x and lw_ba9876543210_y",
            "two lw_0123456789ab_[redacted] and lw_ba9876543210_[redacted]",
        ),
        ("no key here: lw_short_x", "no key here: lw_short_x"),
    ],
)
def test_redact(text, masked):
    assert redact(text) == masked


def test_every_log_record_is_masked_whoever_logs_it(caplog):
    install_log_redaction()
    install_log_redaction()  # idempotent
    with caplog.at_level(logging.INFO):
        logging.getLogger("some.library").info("key=%s", "lw_0123456789ab_topsecret")
        logging.getLogger("other").info({"not": "a string"})
        logging.getLogger("third").info("%(k)s", {"k": "lw_0123456789ab_topsecret"})
    text = caplog.text
    assert "topsecret" not in text and text.count("lw_0123456789ab_[redacted]") == 2


def test_audit_snapshots_redact_secrets_and_are_json_safe():
    import datetime as dt

    class Row:
        name = "n"
        secret = "s3cret"
        password_hash = None
        when = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)

    snap = snapshot(Row(), ("name", "secret", "password_hash", "when"))
    assert snap == {"name": "n", "secret": "[redacted]", "password_hash": None, "when": "2026-01-02T00:00:00+00:00"}
    assert jsonable({"a": {1, 3, 2}, "b": (dt.date(2026, 1, 1),)}) == {"a": [1, 2, 3], "b": ["2026-01-01"]}
