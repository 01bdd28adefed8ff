"""Providers, their framework agreements and offers, and the reference data that groups offers.

Two offers are comparable when they share offer type and target group; that pair is the
benchmark group every track is measured within.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from .fields import FreeTextField
from .validators import validate_cvr

ref_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_.-]*$",
    _("Use only letters A–Z, digits, dot, hyphen and underscore, starting with a letter or digit."),
)
# Words the URLs use for their own pages ("/leverandoerer/ny/"): a ref cannot be one of them.
RESERVED_REFS = {"NY", "NYT", "REDIGER"}


def validate_ref_not_reserved(value: str) -> None:
    if value.upper() in RESERVED_REFS:
        raise ValidationError(_("“%(value)s” is reserved; choose another reference."), params={"value": value})


def ref_field() -> models.CharField:
    """A unique, human-readable reference: given on import, generated in the browser, never changed."""
    return models.CharField(
        _("reference"),
        max_length=32,
        unique=True,
        validators=[ref_validator, validate_ref_not_reserved],
        error_messages={"unique": _("This reference is already in use.")},
        help_text=_("Capital letters; lower case is turned into capitals."),
    )


class RefSequence(models.Model):
    """The last number handed out per ref prefix ("LEV-", "INS-2025-"). Its row lock makes two
    users creating at once take turns instead of drawing the same ref. A counter, not domain data:
    no history."""

    prefix = models.CharField(max_length=32, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference sequence")
        verbose_name_plural = _("reference sequences")

    def __str__(self) -> str:
        return f"{self.prefix}{self.last}"


class ReferenceData(models.Model):
    """A short coded list an administrator maintains (offer types, target groups)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = FreeTextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OfferType(ReferenceData):
    risk_factor = models.DecimalField(
        _("risk factor"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("How much this kind of offer adds to a provider's supervision risk (0 or more)."),
    )
    history = HistoricalRecords()

    class Meta(ReferenceData.Meta):
        verbose_name = _("offer type")
        verbose_name_plural = _("offer types")


class TargetGroup(ReferenceData):
    vulnerable = models.BooleanField(
        _("vulnerable group"),
        default=False,
        help_text=_("Offers for vulnerable groups weigh more in the supervision risk score."),
    )
    history = HistoricalRecords()

    class Meta(ReferenceData.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class ReferralStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESTRICTED = "restricted", _("Restricted")
    STOPPED = "stopped", _("Stopped")


REFERRAL_SEVERITY = {ReferralStatus.OPEN: 0, ReferralStatus.RESTRICTED: 1, ReferralStatus.STOPPED: 2}


def stricter_referral(*statuses: str) -> str:
    """The strictest of referral statuses: an offer is never more open than its provider."""
    return max(statuses, key=REFERRAL_SEVERITY.__getitem__)


class ReferralFields(models.Model):
    """Whether citizens may be referred, and who decided so, when and why."""

    referral_status = models.CharField(
        _("referral status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.OPEN
    )
    referral_reason = FreeTextField(_("reason for referral status"), blank=True)
    referral_set_on = models.DateField(_("referral status set on"), null=True, blank=True)
    referral_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referral status set by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class Provider(ReferralFields):
    class Kind(models.TextChoices):
        EXTERNAL = "external", _("External provider")
        INTERNAL = "internal", _("Internal provider")
        ANDEN_AKTOER = "anden_aktoer", _("Anden Aktør")

    class Administration(models.TextChoices):
        SUF = "SUF", _("SUF – Social Services Administration")
        SOF = "SOF", _("SOF – Health and Care Administration")
        BIF = "BIF", _("BIF – Employment and Integration Administration")

    ref = ref_field()
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    administration = models.CharField(
        _("administration"),
        max_length=3,
        choices=Administration.choices,
        blank=True,
        help_text=_("Only for internal providers."),
    )
    cvr = models.CharField(
        _("CVR number"),
        max_length=8,
        blank=True,
        validators=[validate_cvr],
        help_text=_("Eight digits. Required for external providers."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    contract_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contract manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_providers",
    )
    active = models.BooleanField(_("active"), default=True)
    notes = FreeTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="internal") | ~models.Q(administration=""),
                name="internal_provider_has_administration",
                violation_error_message=_("An internal provider must belong to SUF, SOF or BIF."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind="internal") | models.Q(administration=""),
                name="only_internal_provider_has_administration",
                violation_error_message=_("Only internal providers may belong to an administration."),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="external") | ~models.Q(cvr=""),
                name="external_provider_has_cvr",
                violation_error_message=_("An external provider must have a CVR number."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ref})"

    def get_absolute_url(self) -> str:
        return reverse("leverandoer:provider_detail", args=[self.ref])

    @property
    def is_internal(self) -> bool:
        """One of the municipality's own centres: no framework agreement, so referrals to it are
        never restricted or stopped."""
        return self.kind == self.Kind.INTERNAL


class ContactPerson(models.Model):
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self) -> str:
        return self.name


class FrameworkAgreement(models.Model):
    """A framework agreement (rammeaftale) with its period and records-system case number."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="agreements"
    )
    title = models.CharField(_("title"), max_length=200)
    case_number = models.CharField(
        _("case number"),
        max_length=60,
        blank=True,
        help_text=_("The case number in the records system, e.g. 2024-0012345."),
    )
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    notes = FreeTextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("framework agreement")
        verbose_name_plural = _("framework agreements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
                violation_error_message=_("The agreement cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("leverandoer:agreement_detail", args=[self.pk])

    def is_current(self, on) -> bool:
        return self.starts_on <= on <= self.ends_on


class Offer(ReferralFields):
    """An employment measure a provider delivers (beskæftigelsestilbud)."""

    class ResultBasis(models.TextChoices):
        COURSE_END = "end", _("after course end")
        COURSE_START = "start", _("after course start")

    ref = ref_field()
    name = models.CharField(_("name"), max_length=200)
    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="offers")
    agreement = models.ForeignKey(
        FrameworkAgreement,
        verbose_name=_("framework agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offers",
    )
    offer_type = models.ForeignKey(
        OfferType, verbose_name=_("offer type"), on_delete=models.PROTECT, related_name="offers"
    )
    target_group = models.ForeignKey(
        TargetGroup, verbose_name=_("target group"), on_delete=models.PROTECT, related_name="offers"
    )
    delivery_address = models.CharField(_("delivery address"), max_length=255, blank=True)
    result_basis = models.CharField(
        _("result measured"), max_length=5, choices=ResultBasis.choices, default=ResultBasis.COURSE_END
    )
    result_months = models.PositiveSmallIntegerField(
        _("months until result"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("The result is whether the citizen is off public support this many months after the course."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self) -> str:
        return f"{self.name} ({self.ref})"

    def get_absolute_url(self) -> str:
        return reverse("leverandoer:offer_detail", args=[self.ref])

    @property
    def comparable_group(self) -> tuple[int, int]:
        """The benchmark group: offers of the same offer type and target group."""
        return (self.offer_type_id, self.target_group_id)

    @property
    def result_model(self) -> str:
        return ngettext("%(months)s month %(basis)s", "%(months)s months %(basis)s", self.result_months) % {
            "months": self.result_months,
            "basis": self.get_result_basis_display(),
        }

    def effective_referral_status(self) -> str:
        """The stricter of the offer's own status and its provider's."""
        return stricter_referral(self.referral_status, self.provider.referral_status)

    def effective_referral_label(self) -> str:
        return ReferralStatus(self.effective_referral_status()).label

    @property
    def is_internal(self) -> bool:
        """An offer of one of the municipality's own centres (see `Provider.is_internal`)."""
        return self.provider.is_internal
