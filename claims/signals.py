"""What the claims layer tells the apps above it, which it may not import.

``link_state_changed`` is sent by ``claims.reviewing.link_state_refresh`` whenever a link's
review state changed (a verdict given or withdrawn, evidence added or removed, a review
imported), inside the transaction that changed it and with the link row locked, so a
receiver's writes commit or roll back with the change. Arguments: ``link`` (its new
``review_state`` already set), ``previous`` (the state before) and ``user`` (who made the
change, or None when unknown). The discussion app turns it into inbox items.
"""

from django.dispatch import Signal

link_state_changed = Signal()
