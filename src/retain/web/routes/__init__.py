"""The routers of the web app, one per resource."""

from retain.web.routes import dashboard, health, session, tokens, users

ROUTERS = [
    health.router,
    session.router,
    dashboard.router,
    tokens.router,
    users.router,
]
