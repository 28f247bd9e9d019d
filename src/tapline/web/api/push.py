"""The widget's Web Push API: the server's public key, and the customer's subscriptions.

Subscriptions are authenticated like the slots: the app's key, and the request's
`customer_token` as a bearer token. See docs/protocol.md, "Web Push".
"""

from __future__ import annotations

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from tapline.actions import subscriptions
from tapline.errors import ActionError
from tapline.lib import push
from tapline.lib.runtime import Runtime
from tapline.lib.schemas import problems
from tapline.web.api.widget import calling_app, require_customer_token
from tapline.web.strict_http import StrictRoute

router = APIRouter(
    prefix="/api/v1/push",
    tags=["sdk"],
    route_class=StrictRoute,
    responses=problems({403: "Unknown app key, or an origin the app does not allow"}),
)


STATUS = {"not_allowed": 401, "invalid_state": 409, "not_found": 404}


def refused(error: ActionError) -> HTTPException:
    """An action's refusal as the status the route documents (a value refused: 422)."""
    return HTTPException(STATUS.get(error.code, 422), error.message)


class PushKey(BaseModel):
    public_key: str = Field(description="The VAPID application server key (base64url)")


class SubscriptionKeys(BaseModel):
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)


class BrowserSubscription(BaseModel):
    """`PushSubscription.toJSON()` as the browser gives it."""

    model_config = ConfigDict(extra="ignore")
    endpoint: str = Field(max_length=2048)
    keys: SubscriptionKeys


class SubscriptionIn(BaseModel):
    request_id: str = Field(max_length=64)
    subscription: BrowserSubscription
    url: str = Field(max_length=2048, description="The page a notification opens")


class SubscriptionOut(BaseModel):
    id: str
    rings_for: str = Field(description="`customer` (verified: any request) or `request`")


class SubscriptionRef(BaseModel):
    request_id: str = Field(max_length=64)
    endpoint: str = Field(max_length=2048)


@router.get("/key", response_model=PushKey)
async def push_key(
    request: Request,
    app: str | None = Query(None, description="The app's public key"),
    x_tapline_app: str | None = Header(None),
) -> PushKey:
    """The key a browser subscribes with (`applicationServerKey`)."""
    await calling_app(request, app or x_tapline_app)
    return PushKey(public_key=push.keys(request.app.state.rt.settings).public_key)


@router.post(
    "/subscriptions",
    response_model=SubscriptionOut,
    status_code=201,
    responses={
        200: {"description": "This endpoint was known: updated"},
        401: {"description": "Wrong customer token"},
        409: {"description": "The request has ended"},
        422: {"description": "Not a usable subscription, or too many for this customer"},
    },
)
async def subscribe(
    request: Request,
    body: SubscriptionIn,
    response: Response,
    app: str | None = Query(None, description="The app's public key"),
    x_tapline_app: str | None = Header(None),
    authorization: str | None = Header(None),
) -> SubscriptionOut:
    """Ring this browser, with a notification, when the request's callback rings."""
    row_app = await calling_app(request, app or x_tapline_app)
    rt: Runtime = request.app.state.rt
    await require_customer_token(rt, body.request_id, authorization)
    given = body.subscription
    try:
        checked = push.check(rt.settings, given.endpoint, given.keys.p256dh, given.keys.auth)
        open_url = push.page_url(row_app, body.url)
    except push.Refused as error:
        raise HTTPException(422, str(error)) from error
    try:
        made = await subscriptions.subscribe(rt, row_app, body.request_id, checked, open_url)
    except ActionError as error:
        raise refused(error) from error
    if not made.created:
        response.status_code = 200
    return SubscriptionOut(id=made.id, rings_for=made.rings_for)


@router.delete(
    "/subscriptions",
    status_code=204,
    responses={401: {"description": "Wrong customer token"}, 404: {"description": "None"}},
)
async def unsubscribe(
    request: Request,
    body: SubscriptionRef,
    app: str | None = Query(None, description="The app's public key"),
    x_tapline_app: str | None = Header(None),
    authorization: str | None = Header(None),
) -> Response:
    """Stop ringing this browser (the customer turned notifications off)."""
    row_app = await calling_app(request, app or x_tapline_app)
    rt: Runtime = request.app.state.rt
    await require_customer_token(rt, body.request_id, authorization)
    try:
        await subscriptions.unsubscribe(rt, row_app, body.request_id, body.endpoint)
    except ActionError as error:
        raise refused(error) from error
    return Response(status_code=204)
