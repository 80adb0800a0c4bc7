"""The routers of the web app, one module per resource."""

from retain.web.routes import (
    customers,
    dashboard,
    feedback,
    health,
    interactions,
    orders,
    session,
    tokens,
    users,
)

ROUTERS = [
    health.router,
    session.router,
    dashboard.router,
    customers.api,
    customers.pages,
    orders.router,
    interactions.router,
    feedback.router,
    tokens.router,
    users.router,
]
