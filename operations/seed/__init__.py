"""Demo data: a realistic company generated fast and deterministically (``seed_demo``), demo logins."""
