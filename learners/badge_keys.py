"""The academy's Open Badges signing key (issue 17): an Ed25519 private key in a PEM file
outside git. Production names the file (OPEN_BADGES_KEY_FILE) and never has one made for
it; `make run`, `make up` and the tests have one made on first use and keep it, so the
credentials they sign go on verifying."""

import base64
import contextlib
import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _key_file_create(path: Path) -> None:
    """Write a new key to `path`, readable by its owner only. Two processes racing to
    make it both write a file of their own and link it into place: the first link
    wins, the second finds the file there and uses the winner's key."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".new-key-")
    try:
        with os.fdopen(fd, "wb") as out:  # mkstemp makes it 0600
            out.write(pem)
        with contextlib.suppress(FileExistsError):  # the other process's key stands
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


@lru_cache(maxsize=4)
def _key_load(path: str, create: bool) -> Ed25519PrivateKey:
    file = Path(path)
    if not file.exists():
        if not create:
            raise ImproperlyConfigured(
                f"The Open Badges signing key {file} does not exist. Set OPEN_BADGES_KEY_FILE "
                "to the path of the academy's Ed25519 private key (PEM, PKCS#8); see "
                "docs/decisions.md, 'Open Badges 3.0'.")
        _key_file_create(file)
    key = serialization.load_pem_private_key(file.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(
            f"The Open Badges signing key {file} is not an Ed25519 private key.")
    return key


def badge_key() -> Ed25519PrivateKey:
    """The academy's signing key, read once per process."""
    return _key_load(str(settings.OPEN_BADGES_KEY_FILE), settings.OPEN_BADGES_KEY_CREATE)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def badge_public_jwk_members(public_key: Ed25519PublicKey) -> dict[str, str]:
    """The JWK members that RFC 8037 defines for an Ed25519 public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}


def badge_key_thumbprint(public_key: Ed25519PublicKey) -> str:
    """The key's RFC 7638 thumbprint: SHA-256 over its required members, sorted and
    without spaces. A stable name for the key, whatever file it is kept in."""
    members = json.dumps(badge_public_jwk_members(public_key), sort_keys=True,
                         separators=(",", ":"))
    return _b64url(hashlib.sha256(members.encode("ascii")).digest())
