"""The one rule for text people type or upload: no control characters.

NUL and its friends (C0 controls other than tab, line feed and carriage return, and DEL)
are never meant as text: they break PostgreSQL (a NUL cannot be stored), CSV readers and
terminals, and they hide content from people reading it. Tab, CR and LF stay allowed, as
multi-line notes and pasted spreadsheet text legitimately contain them.

One rule, applied in three places so that no input is forgotten:

- the upload reader (`apps.core.tables`) checks every text cell and reports the row and column;
- every Django form `CharField` (and its subclasses: e-mail, slug, URL, the admin's fields)
  and every DRF `CharField` (serializers, `DictField(child=CharField())`, …) carries
  `ProhibitControlCharactersValidator`, installed once by `install_validators()` when the
  app registry is ready (`CoreConfig.ready`), like Django's own NUL validator that it replaces.
  A form or serializer added later is covered without having to remember it.
"""

from __future__ import annotations

import functools
import re

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext

# C0 controls except tab (09), LF (0A) and CR (0D); DEL (7F).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# The ASCII names of C0 controls 00–1F (unicodedata has none for them), then DEL.
# fmt: off
_NAMES = (
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI",
    "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US",
)
# fmt: on


def first_control_character(value) -> str | None:
    """The first forbidden control character of a text, or None (non-text values: None)."""
    if not isinstance(value, str):
        return None
    found = CONTROL_CHARACTERS.search(value)
    return found.group() if found else None


def describe(char: str) -> str:
    """'U+0000 (NUL)': how a message names the character (it cannot be shown)."""
    name = _NAMES[ord(char)] if ord(char) < len(_NAMES) else "DEL"
    return f"U+{ord(char):04X} ({name})"


def control_character_message(char: str) -> str:
    return gettext("Contains the control character %(char)s, which is not allowed in text; remove it.") % {
        "char": describe(char)
    }


@deconstructible
class ProhibitControlCharactersValidator:
    """Refuses text with a control character (see the module docstring); NUL included."""

    code = "control_characters"

    def __call__(self, value) -> None:
        char = first_control_character(value)
        if char is not None:
            raise ValidationError(
                control_character_message(char), code=self.code, params={"char": describe(char)}
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, ProhibitControlCharactersValidator)

    def __hash__(self) -> int:
        return hash(self.code)


def _replace_null_validator(validators: list) -> None:
    """Swap Django's/DRF's NUL-only validator for ours (one message per character, not two)."""
    validators[:] = [
        v
        for v in validators
        if not isinstance(v, ProhibitNullCharactersValidator | ProhibitControlCharactersValidator)
    ]
    validators.append(ProhibitControlCharactersValidator())


def _with_control_validator(init):
    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        _replace_null_validator(self.validators)

    __init__._prohibits_control_characters = True
    return __init__


def install_validators() -> None:
    """Give every Django form CharField and DRF CharField the control-character validator (idempotent)."""
    from django import forms
    from rest_framework import fields as drf_fields

    for cls in (forms.CharField, drf_fields.CharField):
        if not getattr(cls.__init__, "_prohibits_control_characters", False):
            cls.__init__ = _with_control_validator(cls.__init__)
