"""Realistic, reproducible demo data for a fresh installation.

Every later feature adds its own part here, all drawn from one seeded RNG,
so that the same seed always builds the same demo.
"""

import random
from dataclasses import dataclass

from hiring.audit import record
from models import Role, User, db

DEMO_DOMAIN = "example.com"
FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Keiko",
    "Luca",
    "Maya",
    "Noah",
    "Olu",
    "Priya",
    "Rafael",
    "Sofia",
    "Tariq",
    "Yara",
]
LAST_NAMES = [
    "Okafor",
    "Schmidt",
    "Nakamura",
    "Patel",
    "Rossi",
    "Haddad",
    "Lindqvist",
    "Moreau",
    "Costa",
    "Kowalski",
    "Nguyen",
    "Fischer",
    "Mensah",
    "Ortega",
    "Brennan",
    "Sato",
]


@dataclass(frozen=True)
class DemoSignIn:
    """A demo account someone can sign in with."""

    email: str
    password: str
    role: Role


# One fixed sign-in per role, so that the README and `make run` can print them.
DEMO_SIGN_INS = [
    DemoSignIn(f"admin@{DEMO_DOMAIN}", "bench-demo-admin", Role.ADMIN),
    DemoSignIn(f"manager@{DEMO_DOMAIN}", "bench-demo-manager", Role.MANAGER),
    DemoSignIn(f"interviewer@{DEMO_DOMAIN}", "bench-demo-interviewer", Role.INTERVIEWER),
]
# Further colleagues, so that lists and pickers are not trivially short.
EXTRA_USERS = [(Role.MANAGER, 1), (Role.INTERVIEWER, 4)]
EXTRA_PASSWORD = "bench-demo-colleague"  # noqa: S105 - demo passwords are public by design


def database_is_empty() -> bool:
    """Return True if no user exists yet."""
    return db.session.scalar(db.select(User.id).limit(1)) is None


def demo_loaded() -> bool:
    """Return True if the demo admin exists."""
    return db.session.scalar(db.select(User.id).where(User.email == DEMO_SIGN_INS[0].email)) is not None


def demo_people(rng: random.Random) -> list[tuple[str, str, Role, str]]:
    """Return (e-mail, name, role, password) of every demo user, drawn from ``rng``."""
    names = iter(rng.sample([f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES], k=50))
    people = [(s.email, next(names), s.role, s.password) for s in DEMO_SIGN_INS]
    for role, count in EXTRA_USERS:
        for _ in range(count):
            name = next(names)
            people.append((f"{name.lower().replace(' ', '.')}@{DEMO_DOMAIN}", name, role, EXTRA_PASSWORD))
    return people


def load_demo(seed: int = 2026) -> list[User]:
    """Fill an empty database with demo data and commit; return the users created."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    users = []
    for email, name, role, password in demo_people(rng):
        user = User(email=email, name=name, role=role)
        user.set_password(password)
        users.append(user)
    db.session.add_all(users)
    record("demo.loaded", details={"seed": seed, "users": len(users)})
    db.session.commit()
    return users
