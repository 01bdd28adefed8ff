"""Demo data for providers, agreements and offers: realistic, deterministic (seeded), and
valid by the same rules as real input (CVR numbers pass the modulus-11 check)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from .models import ContactPerson, FrameworkAgreement, Offer, OfferType, Provider, ReferralStatus, TargetGroup
from .validators import CVR_WEIGHTS

EXTERNAL = [
    "Nordhavn Jobhus ApS",
    "Valby Beskæftigelse A/S",
    "Kompetencehuset København ApS",
    "Mentorteamet ApS",
    "Jobvejen A/S",
    "Virksomhedsbroen ApS",
    "Sprogcenter Amager ApS",
    "Ressourcekompagniet A/S",
    "Nyt Job Nu ApS",
    "Fremtidsværkstedet ApS",
    "Arbejdslivets Akademi A/S",
    "Job & Trivsel ApS",
    "Ungeporten ApS",
    "Karrierecentret Øst A/S",
    "Læringshuset Nørrebro ApS",
    "Praktikpladsen ApS",
    "Brobyggerne A/S",
    "StepUp Beskæftigelse ApS",
    "Kompasset Mentor ApS",
    "Jobfabrikken Sydhavn ApS",
    "Sundhedsjob ApS",
    "Erhvervsvejen Vesterbro A/S",
]
ANDEN_AKTOER = [
    "Kontaktforløb Danmark A/S",
    "Jobindsats Partner ApS",
    "AA Beskæftigelsesrådgivning ApS",
    "Karrierepartner Hovedstaden A/S",
    "Jobkompagniet ApS",
    "Akademikernes Jobservice ApS",
    "Match & Job ApS",
    "Lederjob Rådgivning ApS",
]
INTERNAL = [
    ("SUF", "Center for Beskyttet Beskæftigelse"),
    ("SUF", "Værkstedet Sjælør"),
    ("SUF", "Socialpsykiatriens Jobværksted"),
    ("SOF", "Sundhedshuset Job og Trivsel"),
    ("SOF", "Rusmiddelcentrets Jobspor"),
    ("SOF", "Rehabiliteringscenter Valby"),
    ("BIF", "Jobcenter København – Ungecenter"),
    ("BIF", "Center for Virksomhedsservice"),
    ("BIF", "Jobcenter Nord"),
    ("BIF", "Center for Kompetenceudvikling"),
]
STREETS = [
    ("Vesterbrogade", "1620"),
    ("Nørrebrogade", "2200"),
    ("Amagerbrogade", "2300"),
    ("Valby Langgade", "2500"),
    ("Frederikssundsvej", "2400"),
    ("Østerbrogade", "2100"),
    ("Sydhavnsgade", "2450"),
    ("Tagensvej", "2200"),
    ("Istedgade", "1650"),
    ("Jagtvej", "2200"),
    ("Englandsvej", "2300"),
    ("Borups Allé", "2200"),
]
FIRST = ["Mette", "Lars", "Hanne", "Peter", "Fatima", "Jens", "Camilla", "Ali", "Louise", "Thomas", "Sara", "Kim"]
LAST = ["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen"]

EXTERNAL_TYPES = ["virksomhedsrettet", "jobsoegning", "mentor", "afklaring", "opkvalificering", "dansk-job"]
INTERNAL_TYPES = ["virksomhedsrettet", "afklaring", "mentor", "opkvalificering"]
GROUPS = ["jobparate", "aktivitetsparate", "unge", "sygedagpenge", "integration", "forsikrede", "ressourceforloeb"]


def make_cvr(rng: random.Random) -> str:
    """A random CVR number that passes the modulus-11 check (the last weight is 1)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(6)]
        check = -sum(d * w for d, w in zip(digits, CVR_WEIGHTS[:7], strict=True)) % 11
        if check < 10:
            return "".join(map(str, [*digits, check]))


def _address(rng: random.Random) -> str:
    street, postcode = rng.choice(STREETS)
    return f"{street} {rng.randint(1, 180)}, {postcode} København"


def seed_providers(*, rng: random.Random, contract_managers: list, referral_setter, today: date) -> list[Provider]:
    """About 40 providers of every kind, their agreements and about 120 offers. Agreements run
    four years and are current on `today`, one in seven of them ending within two months."""
    ending_soon = (today.replace(day=1) + timedelta(days=62)).replace(day=1) - timedelta(days=1)
    types = {t.code: t for t in OfferType.objects.all()}
    groups = {g.code: g for g in TargetGroup.objects.all()}
    specs = [(Provider.Kind.EXTERNAL, "", name) for name in EXTERNAL]
    specs += [(Provider.Kind.ANDEN_AKTOER, "", name) for name in ANDEN_AKTOER]
    specs += [(Provider.Kind.INTERNAL, admin, name) for admin, name in INTERNAL]

    providers = []
    offer_number = 0
    for number, (kind, administration, name) in enumerate(specs, start=1):
        provider = Provider.objects.create(
            ref=f"LEV-{number:04d}",
            name=name,
            kind=kind,
            administration=administration,
            cvr=make_cvr(rng) if kind != Provider.Kind.INTERNAL else "",
            address=_address(rng),
            contract_manager=contract_managers[number % len(contract_managers)],
        )
        providers.append(provider)
        for _ in range(rng.randint(1, 2)):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            ContactPerson.objects.create(
                provider=provider,
                name=f"{first} {last}",
                title=rng.choice(["Direktør", "Afdelingsleder", "Kvalitetskoordinator", "Teamleder"]),
                email=f"{first.lower()}.{last.lower()}@example.dk".replace("ø", "oe").replace("æ", "ae"),
                phone=f"+45 {rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            )

        agreements = []
        if kind != Provider.Kind.INTERNAL:
            start_year = today.year - rng.choice([3, 2, 2, 1])
            agreements.append(
                FrameworkAgreement.objects.create(
                    provider=provider,
                    title=(
                        f"Rammeaftale om kontaktforløb {start_year}–{start_year + 3}"
                        if kind == Provider.Kind.ANDEN_AKTOER
                        else f"Rammeaftale om beskæftigelsestilbud {start_year}–{start_year + 3}"
                    ),
                    case_number=f"{start_year}-{rng.randint(1000000, 9999999)}",
                    starts_on=date(start_year, 1, 1),
                    ends_on=date(start_year + 3, 12, 31) if rng.random() < 0.85 else ending_soon,
                )
            )

        if kind == Provider.Kind.ANDEN_AKTOER:
            offer_specs = [("kontaktforloeb", code) for code in rng.sample(["jobparate", "forsikrede", "unge"], 2)]
        elif kind == Provider.Kind.INTERNAL:
            offer_specs = [(rng.choice(INTERNAL_TYPES), rng.choice(GROUPS[1:])) for _ in range(rng.randint(2, 3))]
        else:
            offer_specs = [(rng.choice(EXTERNAL_TYPES), rng.choice(GROUPS)) for _ in range(rng.randint(3, 5))]

        for type_code, group_code in offer_specs:
            offer_number += 1
            basis = rng.choices([Offer.ResultBasis.COURSE_END, Offer.ResultBasis.COURSE_START], [4, 1])[0]
            Offer.objects.create(
                ref=f"TIL-{offer_number:05d}",
                name=f"{types[type_code].name} – {groups[group_code].name}",
                provider=provider,
                agreement=agreements[0] if agreements else None,
                offer_type=types[type_code],
                target_group=groups[group_code],
                delivery_address=provider.address if rng.random() < 0.7 else _address(rng),
                result_basis=basis,
                result_months=6 if basis == Offer.ResultBasis.COURSE_END else rng.choice([3, 6]),
            )

    # A provider whose referrals are restricted and an offer whose referrals are stopped.
    referral_setter(
        target=providers[4],
        status=ReferralStatus.RESTRICTED,
        reason="Gentagne mangler i progressionsrapporter; handleplan afventes.",
        on=today - timedelta(days=200),
    )
    referral_setter(
        target=providers[9].offers.first(),
        status=ReferralStatus.STOPPED,
        reason="Groft brud på rammeaftalen konstateret ved uanmeldt tilsyn.",
        on=today - timedelta(days=90),
    )
    return providers
