"""A realistic demo network made with Faker: members with full profiles, then the graph.

Members cluster around a fixed set of companies and schools (so people share employers and
schools the way real communities do); the network module then connects them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from faker import Faker
from rich.console import Console
from rich.progress import Progress

from inroad.accounts.actor import Actor
from inroad.accounts.handles import slugify
from inroad.accounts.tables import members
from inroad.messaging.actions import do_send_message, do_start_conversation
from inroad.network.demo import seed_network
from inroad.network.tables import connections
from inroad.premium.actions import do_set_plan
from inroad.premium.inmail import do_send_inmail
from inroad.premium.orgs import do_add_seat, do_create_org
from inroad.profiles import search, strength
from inroad.profiles.tables import education, positions, skills
from inroad.realtime.outbox import transaction
from inroad.services import Services
from inroad.settings import Settings

DEMO_EMAIL = "demo@inroad.example"
DEMO_PASSWORD = "demo-password"
MEMBER_PASSWORD = "inroad-demo"


@dataclass(frozen=True)
class Sector:
    industry: str
    companies: tuple[str, ...]
    titles: tuple[str, ...]
    skills: tuple[str, ...]


SECTORS = (
    Sector(
        "Software Development",
        ("Northwind Labs", "Bluefin Systems", "Quarry Cloud", "Helix Data"),
        (
            "Software Engineer",
            "Senior Software Engineer",
            "Engineering Manager",
            "Staff Engineer",
            "Product Manager",
            "Data Scientist",
        ),
        (
            "Python",
            "Go",
            "Kubernetes",
            "PostgreSQL",
            "Distributed Systems",
            "Machine Learning",
            "TypeScript",
            "System Design",
            "AWS",
            "Product Strategy",
            "SQL",
            "Rust",
        ),
    ),
    Sector(
        "Financial Services",
        ("Harbor Capital", "Crestline Bank", "Meridian Partners"),
        ("Analyst", "Associate", "Vice President", "Portfolio Manager", "Risk Manager"),
        (
            "Financial Modeling",
            "Valuation",
            "Risk Management",
            "Excel",
            "Corporate Finance",
            "Bloomberg",
            "Private Equity",
            "Due Diligence",
            "Accounting",
        ),
    ),
    Sector(
        "Hospital & Health Care",
        ("St. Aldric Health", "Clearwater Clinics", "Vitalis Medical"),
        (
            "Registered Nurse",
            "Physician",
            "Clinical Researcher",
            "Health Data Analyst",
            "Operations Director",
        ),
        (
            "Patient Care",
            "Clinical Research",
            "Epic Systems",
            "Healthcare Management",
            "Public Health",
            "Biostatistics",
            "Nursing",
            "Quality Improvement",
        ),
    ),
    Sector(
        "Marketing & Advertising",
        ("Brightside Agency", "Copper & Co", "Loop Media"),
        (
            "Marketing Manager",
            "Content Strategist",
            "SEO Specialist",
            "Brand Director",
            "Growth Marketer",
        ),
        (
            "Digital Marketing",
            "SEO",
            "Content Strategy",
            "Brand Management",
            "Google Analytics",
            "Copywriting",
            "Social Media",
            "Marketing Automation",
        ),
    ),
    Sector(
        "Renewables & Environment",
        ("Solstice Energy", "Verdant Grid", "Tidewater Power"),
        ("Energy Analyst", "Project Engineer", "Sustainability Lead", "Field Engineer"),
        (
            "Renewable Energy",
            "Project Management",
            "Energy Policy",
            "Solar PV",
            "GIS",
            "Environmental Impact",
            "AutoCAD",
            "Grid Integration",
        ),
    ),
)
SCHOOLS = (
    "New York University",
    "University of Michigan",
    "Georgia Tech",
    "UC Berkeley",
    "University of Toronto",
    "Imperial College London",
    "Universidad de Buenos Aires",
    "University of Texas at Austin",
)
DEGREES = (
    ("BSc", "Computer Science"),
    ("BA", "Economics"),
    ("MBA", "Business Administration"),
    ("BSc", "Nursing"),
    ("MSc", "Data Science"),
    ("BA", "Communications"),
    ("BEng", "Electrical Engineering"),
    ("MSc", "Environmental Science"),
)
CITIES = (
    "New York, NY",
    "San Francisco, CA",
    "Austin, TX",
    "Chicago, IL",
    "Toronto, ON",
    "London, UK",
    "Berlin, Germany",
    "Buenos Aires, Argentina",
)
INTERESTS = (
    "New York Yankees",
    "Marathon running",
    "Chess",
    "Jazz",
    "Rock climbing",
    "Sourdough baking",
    "Open source",
    "Photography",
    "Sailing",
    "Board games",
)


def _month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


async def _insert_member(
    svc: Services,
    fake: Faker,
    rng: random.Random,
    password_hash: str,
    *,
    email: str,
    name: str,
    full: bool,
) -> int:
    sector = rng.choice(SECTORS)
    now = svc.clock.now()
    city = rng.choice(CITIES)
    title = rng.choice(sector.titles)
    companies = rng.sample(sector.companies, k=min(len(sector.companies), rng.randint(1, 3)))
    async with svc.db.write() as conn:
        member_id: int = (
            await conn.execute(
                members.insert()
                .values(
                    email=email,
                    password_hash=password_hash,
                    name=name,
                    handle=None,
                    created_at=now - timedelta(days=rng.randint(1, 900)),
                    headline=f"{title} at {companies[0]}" if full or rng.random() < 0.9 else "",
                    about=fake.paragraph(nb_sentences=rng.randint(2, 5))
                    if full or rng.random() < 0.7
                    else "",
                    industry=sector.industry if full or rng.random() < 0.85 else "",
                    location=city if full or rng.random() < 0.9 else "",
                    postal_code=fake.postcode(),
                    interests=rng.sample(INTERESTS, k=rng.randint(0, 3)),
                    open_to_work=rng.random() < 0.15,
                )
                .returning(members.c.id)
            )
        ).scalar_one()
        # The member id makes the suffix unique without a lookup per member.
        handle = slugify(name) if full else f"{slugify(name)}-{member_id:x}"
        await conn.execute(
            sa.update(members).where(members.c.id == member_id).values(handle=handle)
        )
        year = 2025 - rng.randint(0, 3)
        rows = []
        # Current role first, then up to three past roles going back in time.
        rows.append(
            dict(
                company=companies[0],
                title=title,
                description=fake.sentence(nb_words=14),
                location=city,
                start_month=_month(year, rng.randint(1, 12)),
                end_month=None,
            )
        )
        past = rng.randint(2, 3) if full else rng.randint(0, 3)
        end_year = year
        for i in range(past):
            start_year = end_year - rng.randint(1, 4)
            rows.append(
                dict(
                    company=companies[(i + 1) % len(companies)]
                    if len(companies) > 1
                    else rng.choice(sector.companies),
                    title=rng.choice(sector.titles),
                    description=fake.sentence(nb_words=10),
                    location=rng.choice(CITIES),
                    start_month=_month(start_year, rng.randint(1, 12)),
                    end_month=_month(end_year, rng.randint(1, 12)),
                )
            )
            end_year = start_year
        await conn.execute(
            positions.insert(), [{**r, "member_id": member_id, "created_at": now} for r in rows]
        )
        grad = end_year - rng.randint(0, 2)
        degree, field = rng.choice(DEGREES)
        await conn.execute(
            education.insert().values(
                member_id=member_id,
                school=rng.choice(SCHOOLS),
                degree=degree,
                field=field,
                start_year=grad - 4,
                end_year=grad,
                created_at=now,
            )
        )
        wanted = rng.randint(6, 10) if full else rng.randint(2, 9)
        chosen = rng.sample(sector.skills, k=min(wanted, len(sector.skills)))
        await conn.execute(
            skills.insert(),
            [{"member_id": member_id, "ordinal": i, "name": s} for i, s in enumerate(chosen)],
        )
        await strength.refresh(conn, member_id)
        await search.reindex(conn, member_id)
    return member_id


DEMO_CONVERSATIONS = (
    (
        "Great to meet you at the meetup last week! Are you going to the next one?",
        "Yes, I'll be there. Want to grab a coffee before it starts?",
    ),
    (
        "Congrats on the new role! How are the first weeks going?",
        "Thank you! Busy but fun. Let's catch up soon.",
    ),
    (
        "Could you share the slides from your talk on Thursday?",
        "Sure, sending them over this afternoon.",
    ),
)


async def _actor(svc: Services, member_id: int) -> Actor:
    async with svc.db.read() as conn:
        row = (await conn.execute(sa.select(members).where(members.c.id == member_id))).one()
    return Actor(row.id, row.handle, row.name, row.plan, row.is_operator, token_id=0)


async def _seed_activity(svc: Services, ids: list[int], rng: random.Random) -> None:
    """Give the demo account something to look at: a plan with credits, an organisation with a
    recruiter seat, a few conversations with connections and an InMail from a stranger."""
    demo = await _actor(svc, ids[0])
    await do_set_plan(svc, demo.handle, "recruiter_lite")
    for member_id in rng.sample(ids[1:], k=max(1, len(ids) // 20)):
        other = await _actor(svc, member_id)
        await do_set_plan(svc, other.handle, rng.choice(("career", "business", "sales_navigator")))
    async with svc.db.read() as conn:
        friends = list(
            (
                await conn.execute(
                    sa.select(connections.c.other_id)
                    .where(connections.c.member_id == demo.id)
                    .order_by(connections.c.other_id)
                    .limit(len(DEMO_CONVERSATIONS))
                )
            ).scalars()
        )
        company = (
            await conn.execute(
                sa.select(positions.c.company).where(
                    positions.c.member_id == demo.id, positions.c.end_month.is_(None)
                )
            )
        ).scalar_one()
    slug = await do_create_org(
        svc,
        demo,
        name=company,
        kind="company",
        description=f"{company} on Inroad: our people, our openings, our news.",
    )
    await do_add_seat(svc, demo, slug, demo.handle)
    for n, (friend_id, (opening, reply)) in enumerate(
        zip(friends, DEMO_CONVERSATIONS, strict=False)
    ):
        friend = await _actor(svc, friend_id)
        async with transaction(svc) as tx:
            started = await do_start_conversation(
                tx, svc, friend, handles=[demo.handle], text=opening, client_id=f"demo-open-{n}"
            )
        if n % 2:
            async with transaction(svc) as tx:
                await do_send_message(
                    tx, svc, demo.id, started.conversation_id, text=reply, client_id=f"demo-re-{n}"
                )
    strangers = [i for i in ids[1:] if i not in friends]
    async with svc.db.read() as conn:
        connected = set(
            (
                await conn.execute(
                    sa.select(connections.c.other_id).where(connections.c.member_id == demo.id)
                )
            ).scalars()
        )
    recruiter_id = next((i for i in strangers if i not in connected), None)
    if recruiter_id is not None:
        recruiter = await _actor(svc, recruiter_id)
        await do_set_plan(svc, recruiter.handle, "recruiter_lite")
        async with transaction(svc) as tx:
            await do_send_inmail(
                tx,
                svc,
                recruiter,
                to=demo.handle,
                subject="A role you might like",
                text=(
                    f"Hi {demo.name.split()[0]}, I saw your work at {company} and think you'd be "
                    "a strong fit for a lead role on my team. Open to a 20-minute call this week?"
                ),
                client_id="demo-inmail",
            )


async def seed_demo(
    settings: Settings, *, count: int, if_empty: bool, seed: int, console: Console
) -> int:
    """Create ``count`` demo members (the first is the demo account). Returns how many."""
    svc = Services.create(settings)
    try:
        async with svc.db.read() as conn:
            existing = (
                await conn.execute(sa.select(sa.func.count()).select_from(members))
            ).scalar_one()
        if if_empty and existing:
            return 0
        rng = random.Random(seed)
        fake = Faker("en_US")
        fake.seed_instance(seed)
        shared_hash = svc.hasher.hash(MEMBER_PASSWORD)
        ids: list[int] = []
        with Progress(console=console) as progress:
            task = progress.add_task("Creating members", total=count)
            demo_id = await _insert_member(
                svc,
                fake,
                rng,
                svc.hasher.hash(DEMO_PASSWORD),
                email=DEMO_EMAIL if not existing else f"demo{existing}@inroad.example",
                name="Alex Morgan",
                full=True,
            )
            ids.append(demo_id)
            progress.advance(task)
            for i in range(count - 1):
                name = fake.name()
                local = slugify(name).replace("-", ".")
                ids.append(
                    await _insert_member(
                        svc,
                        fake,
                        rng,
                        shared_hash,
                        email=f"{local}.{existing + i}@example.com",
                        name=name,
                        full=False,
                    )
                )
                progress.advance(task)
        with Progress(console=console) as progress:
            task = progress.add_task("Connecting the network", total=len(ids))
            await seed_network(svc, ids, rng, lambda n: progress.advance(task, n))
        await _seed_activity(svc, ids, rng)
        console.print(
            f"Demo network ready: {len(ids)} members. Log in as [bold]{DEMO_EMAIL}[/bold] "
            f"with password [bold]{DEMO_PASSWORD}[/bold] (every other demo member: "
            f"'{MEMBER_PASSWORD}')."
        )
        return len(ids)
    finally:
        await svc.close()
