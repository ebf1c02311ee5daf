"""What ``portfolio-kit serve`` hands to Voila and to the kernels."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from portfolio_kit.errors import ConfigurationError
from portfolio_kit.server.keys import SECRET_FILE_ENV
from portfolio_kit.server.launch import (
    SERVED_ENV,
    ServeOptions,
    check_port_free,
    kernel_environment,
    shareable_database_url,
    voila_config,
)


def _options(tmp_path: Path, **overrides: object) -> ServeOptions:
    values = {
        "dashboards_dir": tmp_path,
        "database_url": f"sqlite:///{tmp_path}/main.db",
        "kernel_database_url": f"sqlite:///{tmp_path}/main.db",
        "data_dir": tmp_path,
    }
    values.update(overrides)
    return ServeOptions(**values)  # type: ignore[arg-type]


def test_kernels_never_inherit_the_configured_user(tmp_path: Path) -> None:
    base = {
        "PORTFOLIO_KIT_USER": "admin@example.com",
        "PATH": "/usr/bin",
        "JUPYTER_PATH": "/custom",
    }
    env = kernel_environment(_options(tmp_path), tmp_path / "secret", base)
    assert "PORTFOLIO_KIT_USER" not in env
    assert env[SERVED_ENV] == "1"
    assert env[SECRET_FILE_ENV] == str(tmp_path / "secret")
    assert env["PORTFOLIO_KIT_DATABASE_URL"] == f"sqlite:///{tmp_path}/main.db"
    assert env["PATH"] == "/usr/bin"
    assert env["JUPYTER_PATH"].endswith("/custom")


def test_voila_is_configured_for_partners(tmp_path: Path) -> None:
    config = voila_config(_options(tmp_path, pool_size=2, port=9123), tmp_path / "secret")
    voila = config.VoilaConfiguration
    assert voila.strip_sources is True
    assert voila.show_tracebacks is False
    assert voila.preheat_kernel is True and voila.default_pool_size == 2
    assert voila.http_header_envs == ["X-Portfolio-Kit-Session"]
    assert voila.file_allowlist == []
    assert config.Voila.port == 9123 and config.Voila.port_retries == 0
    assert config.VoilaKernelManager.fill_delay == 5.0
    assert config.Voila.identity_provider_class.__name__ == "PortfolioKitIdentityProvider"
    assert config.PortfolioKitIdentityProvider.secret_file == str(tmp_path / "secret")


def test_without_preheating_no_pool_is_kept(tmp_path: Path) -> None:
    config = voila_config(_options(tmp_path, preheat=False), tmp_path / "secret")
    assert config.VoilaConfiguration.preheat_kernel is False


def test_behind_a_proxy_cookies_are_secure(tmp_path: Path) -> None:
    config = voila_config(_options(tmp_path, behind_https_proxy=True), tmp_path / "secret")
    assert config.PortfolioKitIdentityProvider.secure_cookie is True
    assert config.PortfolioKitIdentityProvider.trust_proxy_headers is True


def test_relative_sqlite_paths_are_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert shareable_database_url("sqlite:///demo.db") == f"sqlite:///{tmp_path / 'demo.db'}"
    assert (
        shareable_database_url("postgresql+psycopg://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    )
    with pytest.raises(ConfigurationError, match="in-memory"):
        shareable_database_url("sqlite://")


def test_a_taken_port_is_reported_before_starting() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigurationError, match=f"port {port}"):
            check_port_free("127.0.0.1", port)


def _dashboards(tmp_path: Path, *keys: str) -> Path:
    folder = tmp_path / "dashboards"
    folder.mkdir()
    for key in keys:
        (folder / f"{key}.ipynb").write_text("{}")
    return folder


def test_pools_follow_the_settings_per_dashboard(tmp_path: Path) -> None:
    folder = _dashboards(tmp_path, "fund_overview", "portfolio_monitor")
    options = _options(
        tmp_path, dashboards_dir=folder, pool_size=2, pool_sizes={"fund_overview": 8}
    )
    config = voila_config(options, tmp_path / "secret")
    # Voila keys pools by the notebook's path relative to the dashboards folder.
    assert config.VoilaKernelManager.kernel_pools_config == {
        "default": {"pool_size": 2},
        "fund_overview.ipynb": {"pool_size": 8},
    }


def test_a_pool_for_a_dashboard_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    folder = _dashboards(tmp_path, "fund_overview")
    options = _options(tmp_path, dashboards_dir=folder, pool_sizes={"fund_overveiw": 4})
    with pytest.raises(ConfigurationError, match="DASHBOARD_POOL_SIZES names no dashboard: fund_overveiw"):
        voila_config(options, tmp_path / "secret")


def test_only_per_dashboard_pools_still_preheat(tmp_path: Path) -> None:
    folder = _dashboards(tmp_path, "fund_overview")
    options = _options(tmp_path, dashboards_dir=folder, pool_size=0, pool_sizes={"fund_overview": 3})
    assert voila_config(options, tmp_path / "secret").VoilaConfiguration.preheat_kernel is True


@pytest.mark.parametrize(("idle", "interval"), [(900, 60), (30, 15), (10, 5)])
def test_closed_tabs_are_culled_within_one_and_a_half_idle_timeouts(
    tmp_path: Path, idle: int, interval: int
) -> None:
    config = voila_config(_options(tmp_path, cull_idle_seconds=idle), tmp_path / "secret")
    assert config.MappingKernelManager.cull_idle_timeout == idle
    assert config.MappingKernelManager.cull_interval == interval


def test_slow_clients_are_dropped_after_the_client_timeout(tmp_path: Path) -> None:
    # 30 s unless set: the default a partner-facing server runs with.
    default = voila_config(_options(tmp_path), tmp_path / "secret")
    assert default.DashboardServer.client_timeout_seconds == 30.0
    config = voila_config(_options(tmp_path, client_timeout_seconds=7), tmp_path / "secret")
    assert config.DashboardServer.client_timeout_seconds == 7.0


def test_a_client_timeout_below_a_second_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from portfolio_kit.settings import load_settings

    monkeypatch.setenv("PORTFOLIO_KIT_DASHBOARD_CLIENT_TIMEOUT_SECONDS", "12")
    assert load_settings().dashboard_client_timeout_seconds == 12.0
    monkeypatch.setenv("PORTFOLIO_KIT_DASHBOARD_CLIENT_TIMEOUT_SECONDS", "0")
    with pytest.raises(ConfigurationError, match="PORTFOLIO_KIT_DASHBOARD_CLIENT_TIMEOUT_SECONDS"):
        load_settings()


def test_pool_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from portfolio_kit.settings import load_settings

    monkeypatch.setenv("PORTFOLIO_KIT_DASHBOARD_POOL_SIZE", "3")
    monkeypatch.setenv("PORTFOLIO_KIT_DASHBOARD_POOL_SIZES", '{"fund_overview": 8}')
    settings = load_settings()
    assert settings.dashboard_pool_size == 3
    assert settings.dashboard_pool_sizes == {"fund_overview": 8}
    monkeypatch.setenv("PORTFOLIO_KIT_DASHBOARD_POOL_SIZES", '{"fund_overview": 99}')
    with pytest.raises(ConfigurationError, match="PORTFOLIO_KIT_DASHBOARD_POOL_SIZES"):
        load_settings()
