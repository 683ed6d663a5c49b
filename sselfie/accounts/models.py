import secrets
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from sselfie.accounts.choices import Descriptor, Industry, Style

PUBLIC_ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_public_id() -> str:
    """A short random id that is safe to show: in model names and trigger words, never a pk."""
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(8))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        user = self.model(email=User.normalize_email_address(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    # Email-only accounts drop these AbstractUser fields; the stub types them as CharFields.
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", max_length=254, unique=True)
    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # AbstractUser's stub pins `objects` to contrib's username-based UserManager; ours is a
    # BaseUserManager for email-only accounts, which Django accepts (USERNAME_FIELD).
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def normalize_email_address(email: str) -> str:
        return email.strip().lower()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.normalize_email_address(self.email)
        super().save(*args, **kwargs)


class Plan(models.Model):
    """Per-user limits and what they cost. The seed's numbers are the default plan; operators
    edit plans in the admin. `Profile.plan` says which plan a person is on; billing only ever
    changes that pointer (sselfie/billing/entitlement.py), so the quota code reads one place."""

    name = models.CharField(max_length=60, unique=True)
    monthly_price = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="Per month, in the currency below. 0 makes a free plan.",
    )
    currency = models.CharField(
        max_length=3, default="usd",
        validators=[RegexValidator(r"^[a-z]{3}$", "A three-letter ISO code in lower case.")],
        help_text="ISO code in lower case, as Stripe writes it: usd, eur, gbp…",
    )
    stripe_price_id = models.CharField(
        "Stripe price id", max_length=100, blank=True,
        help_text="The recurring monthly price at Stripe (price_…). Needed to sell the plan; "
                  "its amount at Stripe should match the price above.",
    )
    is_public = models.BooleanField(default=True, help_text="Listed on the pricing page.")
    trainings_per_day = models.PositiveIntegerField(
        default=1, help_text="Trainings per rolling 24 hours."
    )
    images_per_day = models.PositiveIntegerField(
        default=50, help_text="Generated images per UTC day."
    )
    saved_images = models.PositiveIntegerField(default=500, help_text="Images kept in the gallery.")
    is_default = models.BooleanField(default=False, help_text="New users start on this plan.")

    class Meta:
        ordering = ["monthly_price", "images_per_day", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="accounts_plan_one_default",
            ),
            models.UniqueConstraint(
                fields=["stripe_price_id"], condition=~models.Q(stripe_price_id=""),
                name="accounts_plan_one_plan_per_price",
            ),
            models.CheckConstraint(condition=models.Q(monthly_price__gte=0),
                                   name="accounts_plan_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def default(cls) -> "Plan":
        plan = cls.objects.filter(is_default=True).first()
        if plan is None:
            plan, _ = cls.objects.get_or_create(name="Studio", defaults={"is_default": True})
        return plan

    @property
    def is_free(self) -> bool:
        return self.monthly_price <= 0

    @property
    def price_label(self) -> str:
        """'$29 / month', 'Free': what the plans list and emails show."""
        if self.is_free:
            return "Free"
        symbol = CURRENCY_SYMBOLS.get(self.currency)
        amount = f"{self.monthly_price:,.2f}".removesuffix(".00")
        money = f"{symbol}{amount}" if symbol else f"{amount} {self.currency.upper()}"
        return f"{money} / month"

    def is_better_than(self, other: "Plan") -> bool:
        """More of every limit, or costs more: what an 'Upgrade' button may offer."""
        return (self.monthly_price, self.images_per_day, self.trainings_per_day,
                self.saved_images) > (other.monthly_price, other.images_per_day,
                                      other.trainings_per_day, other.saved_images)


CURRENCY_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$", "jpy": "¥"}


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="profiles")
    # What the studio calls the person ("Welcome back, Ana"). Optional: without it the
    # studio greets nobody by name, and never by email address.
    display_name = models.CharField(
        "What should we call you?", max_length=40, blank=True,
        help_text="Your first name or a nickname. Optional; only you see it.",
    )
    story = models.TextField("Your story", max_length=2000, blank=True)
    dreams = models.TextField("Your dreams", max_length=1000, blank=True)
    goals = models.TextField("Your goals", max_length=1000, blank=True)
    style = models.CharField(max_length=20, choices=Style.choices, blank=True)
    industry = models.CharField(max_length=20, choices=Industry.choices, blank=True)
    industry_other = models.CharField("Other industry", max_length=80, blank=True)
    descriptor = models.CharField(
        "In your photos, describe me as", max_length=10, choices=Descriptor.choices, blank=True
    )
    onboarded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The daily image quota: which UTC day `images_used` counts. Changed only by the
    # conditional UPDATEs in accounts/quota.py, never read-then-written.
    images_day = models.DateField(null=True, blank=True)
    images_used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(images_used__gte=0),
                                   name="images_used_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @classmethod
    def for_user(cls, user: User) -> "Profile":
        profile = cls.objects.select_related("plan").filter(user=user).first()
        if profile is None:  # users made outside sign-up, e.g. by createsuperuser
            profile, _ = cls.objects.get_or_create(user=user, defaults={"plan": Plan.default()})
        return profile

    @property
    def is_onboarded(self) -> bool:
        return self.onboarded_at is not None

    @property
    def greeting_name(self) -> str:
        """The name to greet with, or "" (the email address is never a greeting)."""
        return " ".join(self.display_name.split())

    @property
    def industry_label(self) -> str:
        if self.industry == Industry.OTHER:
            return self.industry_other
        return self.get_industry_display()

    def complete_onboarding(self) -> None:
        if self.onboarded_at is None:
            self.onboarded_at = timezone.now()


class Consent(models.Model):
    """A person's explicit consent to the processing of their face photos, per version."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="consents")
    version = models.CharField(max_length=20)
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "privacy_consent"  # made by the privacy app, which asked for it first
        constraints = [models.UniqueConstraint(fields=["user", "version"],
                                               name="one_consent_per_version")]

    def __str__(self) -> str:
        return f"{self.user_id} consented to {self.version}"
