"""The operator's margin: revenue from Stripe invoices against Replicate's costs.

Queries only (subqueries, so a person's many generations never multiply their payments).
Costs are what was recorded when each run finished (billed seconds x the price per second
then in force). Per plan, a run counts for the plan its owner is on now: good enough for a
30-day view, and documented as such in docs/billing.md.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from sselfie.accounts.models import Plan, User
from sselfie.billing.models import Payment
from sselfie.studio.models import Generation
from sselfie.training.models import Training

MONEY = DecimalField(max_digits=14, decimal_places=6)
ZERO = Value(Decimal(0), output_field=MONEY)


def _total(queryset: QuerySet, field: str, group: str) -> Coalesce:
    summed = queryset.values(group).annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(summed, output_field=MONEY), ZERO, output_field=MONEY)


def users_with_margin(queryset: QuerySet[User]) -> QuerySet[User]:
    return queryset.annotate(
        revenue=_total(Payment.objects.filter(account__user=OuterRef("pk")), "amount",
                       "account__user"),
        generation_cost=_total(Generation.objects.filter(owner=OuterRef("pk")),
                               "provider_cost", "owner"),
        training_cost=_total(Training.objects.filter(owner=OuterRef("pk")), "provider_cost",
                             "owner"),
    )


def plans_with_margin(queryset: QuerySet[Plan], days: int = 30) -> QuerySet[Plan]:
    since = timezone.now() - timedelta(days=days)
    return queryset.annotate(
        revenue_30d=_total(Payment.objects.filter(plan=OuterRef("pk"), paid_at__gte=since),
                           "amount", "plan"),
        generation_cost_30d=_total(Generation.objects.filter(
            owner__profile__plan=OuterRef("pk"), created_at__gte=since), "provider_cost",
            "owner__profile__plan"),
        training_cost_30d=_total(Training.objects.filter(
            owner__profile__plan=OuterRef("pk"), created_at__gte=since), "provider_cost",
            "owner__profile__plan"),
    )
