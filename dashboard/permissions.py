"""Roles as Django groups, ordered: each role includes the ones before it."""

from functools import wraps

from django.core.exceptions import PermissionDenied

VIEWER, AUDITOR, OPERATOR, ADMIN = "viewer", "auditor", "operator", "admin"
ROLES = (VIEWER, AUDITOR, OPERATOR, ADMIN)


def group_names(user):
    """The names of the user's groups, read once per user object (roles and accounts.visibility both ask)."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_posture_groups"):
        user._posture_groups = frozenset(user.groups.values_list("name", flat=True))
    return user._posture_groups


def role_of(user):
    """The highest role a user holds; superusers are admins; None when they hold none."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMIN
    if not hasattr(user, "_posture_role"):
        names = group_names(user)
        held = [role for role in ROLES if role in names]
        user._posture_role = held[-1] if held else None
    return user._posture_role


def has_role(user, role):
    held = role_of(user)
    return held is not None and ROLES.index(held) >= ROLES.index(role)


def role_required(role):
    """Refuse (403) a signed-in user below `role`; the view records its role for the sweep test."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, role):
                raise PermissionDenied(f"This needs the {role} role.")
            return view(request, *args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorate
