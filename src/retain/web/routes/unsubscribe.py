"""The unsubscribe link of outreach messages: ``/outreach/unsubscribe/{token}``.

No login and no CSRF token (the link is the credential: a signed token,
:mod:`retain.outreach.unsubscribe`); rate limited per address like the survey
pages. GET shows a confirmation with one button; POST unsubscribes, and is also
what a mail client's RFC 8058 one-click (``List-Unsubscribe=One-Click``) sends.
Unsubscribing twice changes nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retain.web.deps import Now, StoreDep
from retain.web.pages import render
from retain.web.ratelimit import limit_public

public = APIRouter(include_in_schema=False)


@public.api_route("/outreach/unsubscribe/{token}", methods=["GET", "POST"])
async def unsubscribe_page(request: Request, token: str, store: StoreDep, now: Now) -> Response:
    from retain.outreach import link_secret, read_unsubscribe_token, unsubscribe

    limit_public(request, "requests to unsubscribe links")
    secret = link_secret(store, now)
    if request.method == "POST":
        done = unsubscribe(store, token, secret=secret, now=now)
        return render(request, "unsubscribed.html", {"email": done.email, "confirm": False})
    _, _, email = read_unsubscribe_token(token, secret=secret)  # a forged link: 403
    return render(request, "unsubscribed.html", {"email": email, "confirm": True})
