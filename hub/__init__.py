"""The STI for SDGs Roadmaps Knowledge Hub."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from hub import config as hub_config
from hub.extensions import babel, csrf, db, login_manager, migrate
from hub.http import reject_ids_out_of_range


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Hub. ``config`` overrides the environment (tests pass their temp paths here)."""
    from hub.headers import HubRequest

    app = Flask(__name__, instance_relative_config=True)
    app.request_class = HubRequest
    app.config.from_mapping(hub_config.load(app.instance_path, config))
    if app.config["HUB_ENV"] == "production":
        problems = hub_config.production_problems(app.config)
        if problems:
            raise hub_config.UnsafeConfiguration("refusing to start: " + "; ".join(problems))
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    if app.config["PROXY_COUNT"]:
        # The client's address is the right-most entry that our own proxies added; entries
        # further left are the client's own words. Only the address is taken from the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=0)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(hub_config.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app)
    login_manager.init_app(app)

    from hub import audit, database, errors, headers, jobs, models, templating  # noqa: F401
    from hub.accounts import sessions
    from hub.search import indexing

    database.register(app)
    audit.configure(app)
    sessions.register(app)
    errors.register(app)
    headers.register(app)
    templating.register(app)
    indexing.register(app)
    jobs.init_app(app)
    app.url_value_preprocessor(reject_ids_out_of_range)
    _register_blueprints(app)

    from hub.cli import hub_cli

    app.cli.add_command(hub_cli)
    if not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app


def _register_blueprints(app: Flask) -> None:
    from hub.accounts.views import bp as accounts_bp
    from hub.applications.views import bp as applications_bp
    from hub.countries.views import bp as countries_bp
    from hub.documents.views import bp as documents_bp
    from hub.forum.views import bp as forum_bp
    from hub.guidebook.views import bp as guidebook_bp
    from hub.jobs.views import bp as jobs_bp
    from hub.notifications.views import bp as notifications_bp
    from hub.pages.views import bp as pages_bp
    from hub.peers.views import bp as peers_bp
    from hub.reporting.views import bp as reporting_bp
    from hub.sdg.views import bp as sdg_bp
    from hub.search.analytics_views import bp as search_analytics_bp
    from hub.search.api import bp as api_bp
    from hub.search.views import bp as search_bp
    from hub.workspace.guidebook_views import bp as workspace_guidebook_bp
    from hub.workspace.views import bp as workspace_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(guidebook_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(countries_bp)
    app.register_blueprint(sdg_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(search_analytics_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(workspace_bp)
    app.register_blueprint(workspace_guidebook_bp)
    app.register_blueprint(applications_bp)
    app.register_blueprint(reporting_bp)
    app.register_blueprint(forum_bp)
    app.register_blueprint(peers_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(jobs_bp)
