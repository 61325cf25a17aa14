"""Authentication material: API keys (shown once, stored hashed) and passwords for the web pages."""

from service.security.keys import KeyMaterial, hash_secret, new_api_key, split_key, verify_secret

__all__ = ["KeyMaterial", "hash_secret", "new_api_key", "split_key", "verify_secret"]
