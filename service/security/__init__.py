"""Authentication material and its protection: API keys (shown once, stored hashed), per-key rate limits, and
masking of keys in logs."""

from service.security.keys import KeyMaterial, hash_secret, new_api_key, split_key, verify_secret
from service.security.ratelimit import RateLimiter, TokenBucket
from service.security.redact import install_log_redaction, redact

__all__ = [
    "KeyMaterial",
    "RateLimiter",
    "TokenBucket",
    "hash_secret",
    "install_log_redaction",
    "new_api_key",
    "redact",
    "split_key",
    "verify_secret",
]
