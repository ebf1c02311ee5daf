"""Starting the dashboard server: configuration, the kernels' environment, the run loop.

``portfolio-kit serve`` builds :class:`ServeOptions` and calls :func:`run`.
The pure helpers (:func:`voila_config`, :func:`kernel_environment`) are what
tests check; :func:`run` only adds the secret file, the port check and
Voila's event loop. Voila stops on SIGTERM or Ctrl-C and shuts its kernels
down on the way out.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from traitlets.config import Config

from portfolio_kit.errors import ConfigurationError
from portfolio_kit.server import page_cache
from portfolio_kit.server.capacity import (
    SETTINGS_KEY,
    AdmissionLimits,
    default_max_kernels,
)
from portfolio_kit.server.dead_kernels import RENDER_STOPPED, DeadKernelReaper
from portfolio_kit.server.keys import SECRET_FILE_ENV, default_secret_path, load_or_create_secret
from portfolio_kit.server.page_cache import SharedPages, page_store
from portfolio_kit.server.sessions import SESSION_HEADER
from portfolio_kit.settings import (
    DEFAULT_CLIENT_TIMEOUT_SECONDS,
    DEFAULT_PAGE_CACHE_SECONDS,
    ENV_PREFIX,
)

SERVED_ENV = f"{ENV_PREFIX}DASHBOARD_SERVER"
"""Set to ``1`` for every kernel the server starts: the kernel then insists on a
signed session and never falls back to ``PORTFOLIO_KIT_USER``."""

TEMPLATE_NAME = "portfolio_kit"
"""Voila page template (``server/jupyter/voila/templates/portfolio_kit``): the
lab template without its CDN stylesheets."""

JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter"
"""Prepended to ``JUPYTER_PATH`` so Voila finds the template."""

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """Everything ``portfolio-kit serve`` decides.

    ``database_url`` is what the server signs people in against (it records
    sign-ins, so it can write); ``kernel_database_url`` is what dashboard
    kernels open, always read-only (on PostgreSQL it may name a read-only
    role).
    """

    dashboards_dir: Path
    database_url: str
    kernel_database_url: str
    data_dir: Path
    host: str = "localhost"
    port: int = 8866
    base_url: str = "/"
    preheat: bool = True
    pool_size: int = 2
    pool_sizes: Mapping[str, int] = field(default_factory=dict)
    session_max_age_hours: float = 12.0
    behind_https_proxy: bool = False
    open_browser: bool = False
    cull_idle_seconds: int = 900
    refill_delay: float = 5.0
    max_renders: int | None = None
    queue_length: int = 200
    max_kernels: int | None = None
    page_cache_seconds: float = DEFAULT_PAGE_CACHE_SECONDS
    client_timeout_seconds: float = DEFAULT_CLIENT_TIMEOUT_SECONDS
    extra_kernel_env: Mapping[str, str] = field(default_factory=dict)

    def url(self) -> str:
        base = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        return f"http://{self.host}:{self.port}{base}"


def default_dashboards_dir() -> Path | None:
    """The ``dashboards/`` folder next to the package in a source checkout, if any."""
    candidate = Path(__file__).resolve().parents[2] / "dashboards"
    return candidate if candidate.is_dir() else None


def shareable_database_url(url: str) -> str:
    """``url`` with a relative SQLite path made absolute.

    Kernels run in the dashboards folder, so a relative path would point them
    at another (empty) file.

    Raises
    ------
    ConfigurationError
        For an in-memory SQLite database, which other processes cannot open.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return url
    database = parsed.database or ""
    if database in ("", ":memory:") or "mode=memory" in url:
        raise ConfigurationError(
            "an in-memory SQLite database cannot be shared with dashboard kernels: "
            "use a file or PostgreSQL"
        )
    if database.startswith("file:"):
        return url
    return parsed.set(database=str(Path(database).expanduser().resolve())).render_as_string(
        hide_password=False
    )


def kernel_environment(
    options: ServeOptions, secret_path: Path, base: Mapping[str, str]
) -> dict[str, str]:
    """The environment every dashboard kernel inherits.

    Starts from ``base`` (the server's own environment), drops
    ``PORTFOLIO_KIT_USER`` (a served kernel must learn who is looking from
    the signed session only), and names the database, the data directory,
    the session length and where the signing secret is.
    """
    env = {key: value for key, value in base.items() if key != f"{ENV_PREFIX}USER"}
    jupyter_path = [
        str(JUPYTER_DATA),
        *filter(None, base.get("JUPYTER_PATH", "").split(os.pathsep)),
    ]
    env.update(
        {
            "JUPYTER_PATH": os.pathsep.join(dict.fromkeys(jupyter_path)),
            f"{ENV_PREFIX}DATABASE_URL": options.kernel_database_url,
            f"{ENV_PREFIX}DATA_DIR": str(options.data_dir),
            f"{ENV_PREFIX}SESSION_MAX_AGE_HOURS": repr(float(options.session_max_age_hours)),
            SERVED_ENV: "1",
            SECRET_FILE_ENV: str(secret_path),
            f"{ENV_PREFIX}DASHBOARD_PAGE_CACHE_SECONDS": repr(float(options.page_cache_seconds)),
            "VOILA_APP_IP": _loopback_for(options.host),
        }
    )
    env.update(options.extra_kernel_env)
    return env


def _loopback_for(host: str) -> str:
    """Where a kernel reaches the server it runs under (for the request-info websocket)."""
    if host in ("", "0.0.0.0", "localhost"):
        return "127.0.0.1"
    if host in ("::", "::1"):
        return "[::1]"
    return host


def voila_config(options: ServeOptions, secret_path: Path) -> Config:
    """Voila's configuration for the dashboards.

    Sources stripped and tracebacks hidden, preheated kernels (one ready per
    dashboard by default, refilled ``refill_delay`` seconds after use), the
    session the server authenticated passed to kernels (``SESSION_HEADER``), no
    files served from the dashboards folder, idle
    kernels of abandoned pages culled, dead kernels shut down rather than
    restarted, and no other config files read (the command line is the only
    source of truth).
    """
    from portfolio_kit.server.identity import PortfolioKitIdentityProvider

    config = Config()
    config.Voila.ip = options.host
    config.Voila.port = options.port
    config.Voila.port_retries = 0
    config.DashboardServer.client_timeout_seconds = float(options.client_timeout_seconds)
    config.Voila.base_url = (
        options.base_url if options.base_url.endswith("/") else options.base_url + "/"
    )
    config.Voila.open_browser = options.open_browser
    config.Voila.config_file_paths = []
    config.Voila.identity_provider_class = PortfolioKitIdentityProvider
    config.Voila.tornado_settings = {
        "headers": dict(SECURITY_HEADERS),
        SETTINGS_KEY: admission_limits(options),
        page_cache.SETTINGS_KEY: shared_pages(options),
    }
    config.VoilaConfiguration.template = TEMPLATE_NAME
    config.VoilaConfiguration.strip_sources = True
    config.VoilaConfiguration.show_tracebacks = False
    config.VoilaConfiguration.preheat_kernel = bool(
        options.preheat and (options.pool_size > 0 or any(options.pool_sizes.values()))
    )
    config.VoilaConfiguration.default_pool_size = max(0, options.pool_size)
    config.VoilaKernelManager.kernel_pools_config = kernel_pools_config(options)
    config.VoilaConfiguration.http_header_envs = [SESSION_HEADER]
    config.VoilaConfiguration.file_allowlist = []
    config.VoilaConfiguration.allow_template_override = "NO"
    config.VoilaConfiguration.allow_theme_override = "NO"
    # A used kernel's replacement starts (and imports pandas and Altair) only
    # after the page has been drawn: on two cores, refilling at once (Voila's
    # default, 1 s) takes the CPU from the partner who is waiting.
    config.VoilaKernelManager.fill_delay = options.refill_delay
    config.MappingKernelManager.cull_idle_timeout = options.cull_idle_seconds
    # Checked at least twice per idle timeout, so a closed tab's kernel is gone
    # within 1.5 timeouts; Voila never culls kernels still waiting in a pool.
    config.MappingKernelManager.cull_interval = max(1, min(60, options.cull_idle_seconds // 2))
    # A dead kernel is shut down, not restarted blank (``dead_kernels.py``);
    # the cells its page had left to draw say so in a sentence.
    config.VoilaConfiguration.multi_kernel_manager_class = DeadKernelReaper
    config.KernelRestarter.restart_limit = 0
    config.VoilaExecutor.cell_error_instruction = RENDER_STOPPED
    config.PortfolioKitIdentityProvider.database_url = options.database_url
    config.PortfolioKitIdentityProvider.secret_file = str(secret_path)
    config.PortfolioKitIdentityProvider.session_max_age_hours = options.session_max_age_hours
    config.PortfolioKitIdentityProvider.trust_proxy_headers = options.behind_https_proxy
    if options.behind_https_proxy:
        config.PortfolioKitIdentityProvider.secure_cookie = True
    return config


def shared_pages(options: ServeOptions) -> SharedPages | None:
    """The snapshot store views are answered from (``server/page_cache.py``); None when off."""
    if options.page_cache_seconds <= 0:
        return None
    return SharedPages(page_store(options.data_dir, max_age_seconds=options.page_cache_seconds))


def admission_limits(options: ServeOptions) -> AdmissionLimits:
    """Render slots, queue and kernel cap (``server/capacity.py``), machine defaults filled in."""
    return AdmissionLimits(
        max_renders=options.max_renders,
        queue_length=options.queue_length,
        max_kernels=options.max_kernels or default_max_kernels(),
    )


def kernel_pools_config(options: ServeOptions) -> dict[str, dict[str, int]]:
    """Voila's per-notebook pools: ``pool_size`` for every dashboard, except the
    ones ``pool_sizes`` names (by dashboard key, e.g. ``fund_overview``).

    Voila keys its pools by the notebook's path relative to the dashboards
    folder, so each key becomes ``<key>.ipynb``.

    Raises
    ------
    ConfigurationError
        When ``pool_sizes`` names a dashboard the folder does not hold: a typo
        would otherwise silently leave the meeting's dashboard with the default pool.
    """
    known = {path.stem for path in options.dashboards_dir.glob("*.ipynb")}
    unknown = sorted(set(options.pool_sizes) - known)
    if unknown:
        raise ConfigurationError(
            f"{ENV_PREFIX}DASHBOARD_POOL_SIZES names no dashboard: {', '.join(unknown)} "
            f"(dashboards: {', '.join(sorted(known))})"
        )
    config = {"default": {"pool_size": max(0, options.pool_size)}}
    for key, size in options.pool_sizes.items():
        config[f"{key}.ipynb"] = {"pool_size": max(0, size)}
    return config


def check_port_free(host: str, port: int) -> None:
    """Fail now, with a sentence, if another program already listens on the port."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConfigurationError(f"cannot resolve host {host!r}: {exc.strerror}") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError:
            raise ConfigurationError(
                f"port {port} on {host} is already in use: stop the other server or pass --port"
            ) from None


def run(options: ServeOptions) -> None:
    """Serve the dashboards until SIGTERM or Ctrl-C (blocks)."""
    from portfolio_kit.server.app import DashboardServer

    if not options.dashboards_dir.is_dir():
        raise ConfigurationError(f"dashboards folder {options.dashboards_dir} does not exist")
    if not any(options.dashboards_dir.glob("*.ipynb")):
        raise ConfigurationError(f"dashboards folder {options.dashboards_dir} holds no notebooks")
    secret_path = default_secret_path(options.data_dir)
    load_or_create_secret(secret_path)
    check_port_free(options.host, options.port)
    environment = kernel_environment(options, secret_path, os.environ)
    os.environ.clear()
    os.environ.update(environment)
    from portfolio_kit.settings import get_settings

    get_settings.cache_clear()
    app = DashboardServer(config=voila_config(options, secret_path))
    app.initialize([str(options.dashboards_dir)])
    app.start()
