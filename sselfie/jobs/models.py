from django.db import models


class InboundDelivery(models.Model):
    """A webhook delivery we have applied, by its sender's delivery id: senders retry a
    delivery with the same id (Replicate's `webhook-id`, Stripe's event id), and the row,
    created in the transaction that applies the delivery, makes a retry a no-op."""

    source = models.CharField(max_length=20)
    delivery_id = models.CharField(max_length=200)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "delivery_id"],
                                               name="one_delivery_per_source_id")]
        indexes = [models.Index(fields=["received_at"])]

    def __str__(self) -> str:
        return f"{self.source}:{self.delivery_id}"
