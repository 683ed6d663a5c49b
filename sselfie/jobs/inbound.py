"""Applying an inbound webhook delivery exactly once, whoever sends it."""

from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from sselfie.jobs.models import InboundDelivery


def apply_once(source: str, delivery_id: str, apply: Callable[[], object]) -> bool:
    """Run ``apply`` in one transaction with the delivery's dedupe row; False when this
    delivery was applied before (a retry, or a parallel twin that won)."""
    try:
        with transaction.atomic():
            InboundDelivery.objects.create(source=source, delivery_id=delivery_id[:200])
            apply()
    except IntegrityError:
        return False
    return True


def seen(source: str, delivery_id: str) -> bool:
    """Applied before: a cheap check before any work a retry would repeat for nothing."""
    return InboundDelivery.objects.filter(source=source, delivery_id=delivery_id[:200]).exists()


DELIVERIES_KEPT = timedelta(days=7)  # far past any sender's retries and our 5-minute window


def prune_deliveries() -> int:
    deleted, _ = InboundDelivery.objects.filter(
        received_at__lt=timezone.now() - DELIVERIES_KEPT).delete()
    return deleted
