from tests.security.conftest import company, frozen_today  # noqa: F401  (the small company of the security tests)
