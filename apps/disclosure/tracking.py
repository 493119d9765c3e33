"""Tip tracking numbers: random, not sequential, easy to read aloud, with a check character.

A number is 15 random symbols and one check symbol from Crockford's base-32 alphabet (digits and
capital letters without I, L, O and U, so nothing looks or sounds like something else), shown in
four groups: `7KQ2-MX4D-9HTB-R3VC`. 75 random bits from `secrets`: a number cannot be guessed
and says nothing about when or how many tips were filed. The check symbol (Luhn mod 32) catches
every single mistyped symbol and every swap of two neighbours but `0Z`/`Z0`, so a misread
number is refused before any lookup. Typing is forgiven: lower case, spaces and dashes, and O/I/L for 0/1/1.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_SYMBOLS = 15
LENGTH = RANDOM_SYMBOLS + 1
GROUP = 4
_VALUE = {symbol: n for n, symbol in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def check_symbol(body: str) -> str:
    """The Luhn mod-32 check symbol of `body` (symbols of ALPHABET)."""
    base = len(ALPHABET)
    total, factor = 0, 2
    for symbol in reversed(body):
        addend = factor * _VALUE[symbol]
        total += addend // base + addend % base
        factor = 1 if factor == 2 else 2
    return ALPHABET[(base - total % base) % base]


def new_number() -> str:
    """A fresh tracking number, normalised (no dashes)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return body + check_symbol(body)


def normalise(text: str | None) -> str | None:
    """The stored form of a typed number, or None when it cannot be one (wrong length, a foreign
    symbol or a wrong check symbol). Says nothing about whether such a tip exists."""
    if not text or len(text) > 64:
        return None
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t").translate(_READ_AS)
    if len(cleaned) != LENGTH or any(ch not in _VALUE for ch in cleaned):
        return None
    if check_symbol(cleaned[:-1]) != cleaned[-1]:
        return None
    return cleaned


def display(number: str) -> str:
    """`7KQ2MX4D9HTBR3VC` → `7KQ2-MX4D-9HTB-R3VC`."""
    return "-".join(number[i : i + GROUP] for i in range(0, len(number), GROUP))
