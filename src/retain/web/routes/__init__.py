"""The routers of the web app, one module per resource."""

from retain.web.routes import (
    cases,
    customers,
    dashboard,
    feedback,
    health,
    imports,
    interactions,
    orders,
    session,
    surveys,
    tokens,
    unsubscribe,
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
    cases.api,
    cases.pages,
    surveys.api,
    surveys.pages,
    surveys.public,
    unsubscribe.public,
    imports.pages,
    tokens.router,
    users.router,
]
