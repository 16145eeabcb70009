import pytest

from platform_cli.errors import UsageError
from platform_cli.names import check_owner, check_service_name


@pytest.mark.parametrize("name", ["a", "payments", "payments-api", "a1", "x" * 63, "a-b-c-9"])
def test_valid_service_names(name):
    assert check_service_name(name) == name


@pytest.mark.parametrize("name", ["", "A", "1a", "-a", "a-", "a_b", "a.b", "x" * 64, "kube-system", "gitops", "a b"])
def test_invalid_service_names(name):
    with pytest.raises(UsageError) as info:
        check_service_name(name)
    assert info.value.hint


@pytest.mark.parametrize("owner, ok", [("team-a", True), ("ab", True), ("a", False), ("Team", False), ("9t", False)])
def test_owner(owner, ok):
    if ok:
        assert check_owner(owner) == owner
    else:
        with pytest.raises(UsageError):
            check_owner(owner)
