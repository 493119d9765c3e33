"""No silent overwrites: optimistic locking by a version counter on the edited row.

Every edited row (report, sector plan, measure, region target) carries `version`, incremented
on each save. An edit form or API update carries the version it was loaded from; the service,
holding the row lock, compares it (`check_version`) and refuses a save against a newer version
with `VersionConflict` (API: 409, or 412 for a failed `If-Match`; UI: the conflict page).

The conflict page compares field by field what the user loaded (hidden `orig_<field>` inputs
of the form), what is stored now (the other person's save) and what the user typed, and lets
the user reapply their value per conflicting field (`reapply_<field>` + `mine_<field>`);
their changes that do not collide are kept. `resolved_post` turns that page's answer back
into an ordinary form post against the current version.

This module is core: it imports no portal app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

VERSION_FIELD = "version"
ORIG_PREFIX = "orig_"
MINE_PREFIX = "mine_"
REAPPLY_PREFIX = "reapply_"


class VersionConflict(ValidationError):
    """The row was saved by someone else since the caller loaded it (nothing was saved)."""

    def __init__(self, *, current: int, expected: int):
        self.current, self.expected = current, expected
        message = _(
            "Someone else saved this in the meantime: it is now at version %(current)d, you loaded "
            "version %(expected)d. Nothing was saved."
        ) % {"current": current, "expected": expected}
        super().__init__({VERSION_FIELD: [message]}, code="conflict")


def parse_version(raw) -> int | None:
    """A posted or `If-Match` version ("7", '"7"', 'W/"7"'); None when absent, 400 when unreadable."""
    if raw is None or raw == "":
        return None
    text = str(raw).strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    try:
        value = int(text)
    except ValueError:
        raise ValidationError({VERSION_FIELD: [_("The version must be a whole number.")]}) from None
    if value < 1:
        raise ValidationError({VERSION_FIELD: [_("The version must be a whole number.")]})
    return value


def check_version(obj, expected: int | None) -> None:
    """Refuse the save when `expected` (the version the caller loaded) is not the stored one.

    Call with the row locked (select_for_update). None means no check (imports, seeding,
    system code).
    """
    if expected is not None and expected != obj.version:
        raise VersionConflict(current=obj.version, expected=expected)


def bump(obj) -> None:
    """Count one more saved version of `obj` (call right before saving it)."""
    obj.version = (obj.version or 0) + 1


def etag(version: int) -> str:
    return f'"{version}"'


# --- the conflict page -------------------------------------------------------------------


@dataclass
class FieldChange:
    """One field on the conflict page: what the user loaded, what is stored now, what they typed."""

    name: str
    label: str
    loaded: str
    theirs: str
    mine: str
    loaded_shown: str
    theirs_shown: str
    mine_shown: str
    they_changed: bool
    i_changed: bool

    @property
    def conflicting(self) -> bool:
        """Both changed it, to different values: the user decides (reapply theirs or keep theirs)."""
        return self.they_changed and self.i_changed and not self.same_result

    same_result: bool = False


def as_text(value) -> str:
    """A form value as the string a form posts (what hidden inputs carry)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if hasattr(value, "pk"):
        return str(value.pk)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _same(field: forms.Field | None, a: str, b: str) -> bool:
    if (a or "").strip() == (b or "").strip():
        return True
    if field is None:
        return False
    try:
        return field.to_python(a) == field.to_python(b)
    except ValidationError:
        return False


def shown(field: forms.Field | None, raw: str) -> str:
    """A posted value as the user reads it: the label of a choice, "—" for nothing."""
    if raw is None or str(raw).strip() == "":
        return "—"
    if isinstance(field, forms.DecimalField):
        try:
            number = field.to_python(raw)
        except ValidationError:
            return str(raw)
        return format(number.normalize(), "f") if number is not None else "—"
    if field is not None and hasattr(field, "choices"):
        for key, label in field.choices:
            key = getattr(key, "value", key)
            if str(key) == str(raw):
                return str(label)
    return str(raw)


def compare(
    form: forms.Form,
    *,
    names: Iterable[str],
    loaded: Mapping[str, str],
    theirs: Mapping[str, str],
    mine: Mapping[str, str],
    same: Callable[[str, str, str], bool] | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[FieldChange]:
    """The fields someone changed (the other person, the user, or both), in form order."""
    changes = []
    for name in names:
        field = form.fields.get(name)
        equal = (
            (lambda a, b, f=field, n=name: same(n, a, b)) if same else (lambda a, b, f=field: _same(f, a, b))
        )
        lo, th, mi = loaded.get(name, ""), theirs.get(name, ""), mine.get(name, "")
        they, me = not equal(lo, th), not equal(lo, mi)
        if not they and not me:
            continue
        label = str(field.label) if field is not None and field.label else name
        label = (labels or {}).get(name, label)
        changes.append(
            FieldChange(
                name=name,
                label=label,
                loaded=lo,
                theirs=th,
                mine=mi,
                loaded_shown=shown(field, lo),
                theirs_shown=shown(field, th),
                mine_shown=shown(field, mi),
                they_changed=they,
                i_changed=me,
                same_result=equal(th, mi),
            )
        )
    return changes


def resolution_data(
    names: Iterable[str], theirs: Mapping[str, str], changes: list[FieldChange]
) -> list[tuple[str, str]]:
    """The hidden inputs of the conflict page's form: the stored state as the new "loaded" one,
    the user's non-colliding changes as the values to save, and for each conflicting field
    the user's value under `mine_<field>` (saved only when `reapply_<field>` is ticked)."""
    by_name = {c.name: c for c in changes}
    pairs: list[tuple[str, str]] = []
    for name in names:
        current = theirs.get(name, "")
        pairs.append((ORIG_PREFIX + name, current))
        change = by_name.get(name)
        if change is not None and change.i_changed and not change.they_changed:
            pairs.append((name, change.mine))
        else:
            pairs.append((name, current))
        if change is not None and change.conflicting:
            pairs.append((MINE_PREFIX + name, change.mine))
    return pairs


def resolved_post(post):
    """A conflict page's answer as an ordinary post: ticked fields take the user's value."""
    data = post.copy()
    for key in list(post.keys()):
        if key.startswith(REAPPLY_PREFIX):
            name = key[len(REAPPLY_PREFIX) :]
            if MINE_PREFIX + name in post:
                data[name] = post[MINE_PREFIX + name]
    return data


def loaded_values(post, names: Iterable[str]) -> dict[str, str]:
    """What the user's form was loaded with (its hidden `orig_<field>` inputs)."""
    return {name: post.get(ORIG_PREFIX + name, "") for name in names}


def posted_values(post, names: Iterable[str]) -> dict[str, str]:
    return {name: post.get(name, "") for name in names}


class VersionedMixin:
    """For models with `version = PositiveIntegerField(default=1)`: every save of an existing
    row counts one version more, whoever saves it (services, imports, admin), so a form
    loaded before any of them is refused (`check_version`) instead of overwriting it."""

    def save(self, *args, **kwargs):
        if not self._state.adding:
            bump(self)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, VERSION_FIELD}
        super().save(*args, **kwargs)


# --- forms and views ---------------------------------------------------------------------


def initial_text(form: forms.Form, names: Iterable[str]) -> dict[str, str]:
    """The values an unbound form would show (its initial), as posted strings."""
    out = {}
    for name in names:
        value = form.initial.get(name, form.fields[name].initial)
        out[name] = as_text(value)
    return out


def add_version_fields(form: forms.Form, *, version: int, names: Iterable[str]) -> list[str]:
    """Hidden `version` and `orig_<field>` inputs on `form`: the version and values it was loaded
    with (a bound form keeps the posted ones, so a re-shown form still names what was loaded).
    Returns the edited field names."""
    names = list(names)
    loaded = initial_text(form, names)
    form.fields[VERSION_FIELD] = forms.IntegerField(
        widget=forms.HiddenInput, required=False, initial=version, min_value=1
    )
    for name in names:
        form.fields[ORIG_PREFIX + name] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=loaded[name], strip=False
        )
    form.versioned_names = names
    return names


def split_cleaned(cleaned: Mapping) -> tuple[dict, int | None]:
    """A versioned form's cleaned data without the hidden fields, and the version it was loaded at."""
    data = {k: v for k, v in cleaned.items() if k != VERSION_FIELD and not k.startswith(ORIG_PREFIX)}
    return data, cleaned.get(VERSION_FIELD)


def conflict_response(
    request,
    *,
    form: forms.Form,
    names: Iterable[str],
    current: Mapping[str, str],
    conflict: VersionConflict,
    title: str,
    back_url: str,
    same: Callable[[str, str, str], bool] | None = None,
    labels: Mapping[str, str] | None = None,
    status: int = 409,
):
    """The conflict page: their changes beside the user's, one checkbox per colliding field."""
    from django.shortcuts import render  # here, so the module stays importable without templates

    names = list(names)
    post = request.POST
    changes = compare(
        form,
        names=names,
        loaded=loaded_values(post, names),
        theirs=current,
        mine=posted_values(post, names),
        same=same,
        labels=labels,
    )
    context = {
        "title": title,
        "back_url": back_url,
        "conflict": conflict,
        "changes": changes,
        "conflicting": [c for c in changes if c.conflicting],
        "kept": [c for c in changes if c.i_changed and not c.they_changed],
        "theirs_only": [c for c in changes if c.they_changed and not c.conflicting],
        "hidden": resolution_data(names, current, changes),
        "version": conflict.current,
        "action": request.get_full_path(),
    }
    return render(request, "includes/conflict.html", context, status=status)


# --- the API -------------------------------------------------------------------------------


class PreconditionFailed(VersionConflict):
    """`If-Match` names another version than the stored one (the API answers 412)."""


VERSION_HELP = (
    "The version this update is based on (from a GET: the `version` field or the ETag). "
    "When the object was saved since, nothing is saved: 409 naming the current version. "
    "Omitted: no check."
)


def api_expected_version(request, obj, body_version: int | None = None) -> int | None:
    """The version an API update is based on: `If-Match` (412 at once when it is not the stored
    one), else the body's `version`, else None (no check). The service checks again under lock."""
    header = request.headers.get("If-Match")
    if header and header.strip() != "*":
        expected = parse_version(header.split(",")[0])
        if expected != obj.version:
            raise PreconditionFailed(current=obj.version, expected=expected)
        return expected
    return body_version


class ETagMixin:
    """DRF viewsets: the object's version as `ETag` on reading and updating one object."""

    etag_wrapper = ""  # the key holding the object when an update answers more than the object

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if isinstance(data, dict) and isinstance(data.get(self.etag_wrapper), dict):
            data = data[self.etag_wrapper]  # e.g. a save answering {"report": {...}, "errors": ...}
        if (
            getattr(self, "action", None) in ("retrieve", "update", "partial_update")
            and 200 <= response.status_code < 300
            and isinstance(data, dict)
            and isinstance(data.get(VERSION_FIELD), int)
        ):
            response["ETag"] = etag(data[VERSION_FIELD])
        return response


def if_match_parameter():
    """The optional `If-Match` header of a versioned update, for drf-spectacular's `extend_schema`
    (the schema hook in `exceptions` then documents its 412)."""
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        IF_MATCH,
        str,
        OpenApiParameter.HEADER,
        required=False,
        description="The ETag of the version the update is based on; 412 when it is no longer current.",
    )


IF_MATCH = "If-Match"
