from __future__ import annotations

import pytest

from platform_cli import config
from platform_cli.errors import ConfigError


def test_precedence_flags_env_user_file_platform_file_defaults(tmp_path):
    platform = tmp_path / "platform"
    platform.mkdir()
    (platform / "plat.toml").write_text(
        '[plat]\norg = "from-platform"\ngitops_repo = "deploys"\ndefault_owner = "core"\n'
    )
    user = tmp_path / "user.toml"
    user.write_text('org = "from-user"\nforge = "local"\nenvironments = ["dev", "prod"]\n')
    environ = {
        "HOME": str(tmp_path),
        "PLAT_CONFIG": str(user),
        "PLAT_TEMPLATE_SOURCE": str(platform),
        "PLAT_ORG": "from-env",
        "PLAT_DEFAULT_OWNER": "env-team",
    }
    resolved = config.load(flags={"org": "from-flag", "forge": None}, environ=environ)
    s, src = resolved.settings, resolved.sources
    assert (s.org, src["org"]) == ("from-flag", "flag")
    assert (s.default_owner, src["default_owner"]) == ("env-team", "env PLAT_DEFAULT_OWNER")
    assert (s.environments, src["environments"]) == (("dev", "prod"), str(user))
    assert (s.gitops_repo, src["gitops_repo"]) == ("deploys", str(platform / "plat.toml"))
    assert (s.platform_repo, src["platform_repo"]) == ("platform", "default")
    assert s.home == tmp_path / ".local" / "share" / "plat"


def test_xdg_dirs_are_honoured(tmp_path):
    xdg_config = tmp_path / "cfg"
    (xdg_config / "plat").mkdir(parents=True)
    (xdg_config / "plat" / "config.toml").write_text('org = "xdg"\n')
    environ = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(xdg_config), "XDG_DATA_HOME": str(tmp_path / "data")}
    s = config.load(environ=environ).settings
    assert s.org == "xdg" and s.home == tmp_path / "data" / "plat"


def test_environments_from_env_are_comma_separated(tmp_path):
    s = config.load(environ={"HOME": str(tmp_path), "PLAT_ENVIRONMENTS": "staging, production ,dr"}).settings
    assert s.environments == ("staging", "production", "dr")


@pytest.mark.parametrize(
    "text, message",
    [
        ("org = [unclosed", "cannot parse"),
        ('colour = "blue"', "unknown setting"),
        ("org = 3", "must be a string"),
        ("environments = []", "empty"),
    ],
)
def test_bad_config_files(tmp_path, text, message):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        config.load(environ={"HOME": str(tmp_path), "PLAT_CONFIG": str(path)})
    assert info.value.hint
