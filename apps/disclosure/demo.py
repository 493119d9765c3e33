"""Demo data of the disclosure app (`seed_demo`). Demo data only, never for production."""

from .tips_demo import seed_tips


def seed(stdout) -> None:
    seed_tips(stdout)
