"""Keeping the change history (django-simple-history) complete.

It records a row on every ``save()`` and ``delete()``; the services also change rows with
``update()`` (compare-and-set on the version, derived states), which sends no signal.
Deleted objects come back from it through ``claims.restores``."""

from django.db.models.signals import post_save


def record_author(obj, user) -> None:
    """Name ``user`` as who makes the next change of ``obj``: the history
    (django-simple-history) reads it from ``_history_user`` when it records the save."""
    obj._history_user = user


def record_change(obj, user=None) -> None:
    """Tell the history (django-simple-history) about a change made with ``update()``,
    which sends no ``post_save`` of its own; ``user`` is who made it."""
    if user is not None:
        record_author(obj, user)
    post_save.send(
        sender=type(obj), instance=obj, created=False, raw=False, update_fields=None,
        using=obj._state.db,
    )  # fmt: skip


def record_reason(obj, reason: str) -> None:
    """Give the next change of ``obj`` recorded in the history this reason (django-simple-
    history's ``history_change_reason``): a withdrawn verdict is told apart by it."""
    obj._change_reason = reason
