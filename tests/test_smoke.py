import pytest

from accounts.models import Account


@pytest.mark.django_db
def test_corporate_accounts_exist_after_migrate():
    root = Account.objects.get(number=1)
    orphan = Account.objects.get(number=2)
    assert (root.is_corporate, orphan.is_corporate, orphan.sponsor_id) == (True, True, root.pk)
