"""Password policy and hashing.

The policy follows NIST SP 800-63B: a minimum length instead of composition rules, a block list
of common passwords, and nothing built from the person's own e-mail address or name. Hashes are
Werkzeug's salted scrypt, which is memory-hard, so stolen hashes are slow to crack on GPUs.
"""

from __future__ import annotations

import gzip
import re
import secrets
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
# Long enough for any passphrase or manager-generated password; stops megabyte "passwords".
MAX_LENGTH = 256

# Werkzeug 3.1's defaults for "scrypt", pinned so stored hashes and hash_description() do not
# change silently with a Werkzeug upgrade. Memory per hash is 128 * N * r bytes = 32 MiB.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
HASH_METHOD = f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}"
SALT_LENGTH = 16  # characters from [A-Za-z0-9], about 95 bits

COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"
# Shorter pieces of an e-mail address or name (e.g. "li") occur in too many good passwords.
MIN_PERSONAL_PART = 4


def policy_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Everything wrong with ``password``, as messages for the person choosing it; empty if OK."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least %(min)d characters.", min=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(max)d characters.", max=MAX_LENGTH))
    if is_common(password):
        problems.append(_("This password is too common; choose one that is harder to guess."))
    if len(set(password)) == 1:
        problems.append(_("This password is a single character repeated."))
    lowered = password.casefold()
    if any(part in lowered for part in _personal_parts(email.rpartition("@")[0] or email)):
        problems.append(_("Your password must not contain your e-mail address."))
    if any(part in lowered for part in _personal_parts(name)):
        problems.append(_("Your password must not contain your name."))
    return problems


def is_common(password: str) -> bool:
    """Whether the password is on the list, compared as Django does: lowercased and stripped."""
    return password.strip().lower() in _common_passwords()


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines)


def _personal_parts(text: str) -> set[str]:
    """The whole text without separators, and each word of it, where long enough to matter."""
    words = [w for w in re.split(r"[\W_]+", text.casefold()) if w]
    candidates = {"".join(words), *words}
    return {part for part in candidates if len(part) >= MIN_PERSONAL_PART}


def hash_password(password: str) -> str:
    """A salted scrypt hash in Werkzeug's ``method$salt$hash`` format."""
    return generate_password_hash(password, method=HASH_METHOD, salt_length=SALT_LENGTH)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``.

    Without a usable hash (unknown account, or an invited person who has not set a password yet)
    the password is still checked against a dummy hash, so the answer takes as long as a real
    check and response times do not reveal which e-mail addresses have accounts.
    """
    if not password_hash or password_hash.count("$") < 2:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(password_hash, password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Made on first use, not at import, so commands that never log anyone in skip the cost."""
    return hash_password(secrets.token_urlsafe(16))


def hash_description() -> str:
    """The algorithm and its cost parameters, for documentation and the security catalogue."""
    memory_mib = 128 * SCRYPT_N * SCRYPT_R // 2**20
    return (
        f"scrypt n={SCRYPT_N}, r={SCRYPT_R}, p={SCRYPT_P} ({memory_mib} MiB), "
        f"{SALT_LENGTH}-character salt, Werkzeug {version('werkzeug')}"
    )
