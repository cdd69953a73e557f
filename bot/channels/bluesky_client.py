"""The atproto SDK's side of the Bluesky adapter: one account's AsyncClient and the calls
the adapter makes with it.

Importing the SDK costs about two seconds of CPU (its thousands of pydantic models), so
this module is imported on a thread when a Bluesky channel starts, beside the start-up
scan, never on the way to "watching" (bot/channels/bluesky.py imports no SDK).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from atproto_client import AsyncClient, models
from atproto_client.client.session import Session, SessionEvent
from atproto_client.models.utils import get_model_as_dict
from atproto_client.request import AsyncRequest, Response

from bot.channels.bluesky_record import POST_COLLECTION

REQUEST_TIMEOUT = 15.0
OnAnswer = Callable[[str, Mapping[str, str]], None]


class _Request(AsyncRequest):  # type: ignore[misc]  # the SDK has no type marker
    """The SDK's HTTP client, telling the channel each answer's rate-limit headers."""

    def __init__(self, on_answer: OnAnswer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_answer = on_answer

    async def get(self, *args: Any, **kwargs: Any) -> Response:
        response = await super().get(*args, **kwargs)
        self._on_answer(str(kwargs.get("url", "")), response.headers)
        return response

    async def post(self, *args: Any, **kwargs: Any) -> Response:
        response = await super().post(*args, **kwargs)
        self._on_answer(str(kwargs.get("url", "")), response.headers)
        return response


class Client:
    """One account on its PDS. Calls raise the SDK's errors (bluesky_answers reads them);
    `on_session` hears of every session made, refreshed or taken up again."""

    def __init__(
        self,
        pds: str,
        on_answer: OnAnswer,
        on_session: Callable[[Session], None],
        timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        self.api = AsyncClient(pds, request=_Request(on_answer, timeout=timeout))

        def keep(event: SessionEvent, session: Session) -> None:
            on_session(session)

        self.api.on_session_change(keep)

    async def login(self, handle: str, password: str) -> None:
        await self.api.login(handle, password, fetch_bsky_profile=False)

    async def resume(self, session: Session) -> None:
        """Go on with a session this channel had (no request)."""
        await self.api.login(session_string=session.encode(), fetch_bsky_profile=False)

    async def refresh(self, session: Session) -> None:
        """refreshSession with the session's refresh token (the SDK does it by itself only
        before the access token runs out by the local clock)."""
        fresh = await self.api.com.atproto.server.refresh_session(
            headers={"Authorization": f"Bearer {session.refresh_jwt}"}, ignore_session_check=True
        )
        renewed = Session(
            fresh.handle, fresh.did, fresh.access_jwt, fresh.refresh_jwt, session.pds_endpoint
        )
        await self.resume(renewed)

    async def create(self, did: str, rkey: str, record: dict[str, Any]) -> str:
        """createRecord under this key; the record's at:// URI."""
        data = models.ComAtprotoRepoCreateRecord.Data(
            repo=did, collection=POST_COLLECTION, rkey=rkey, record=record
        )
        return str((await self.api.com.atproto.repo.create_record(data)).uri)

    async def find(self, did: str, rkey: str) -> str:
        """getRecord: the URI of the post under this key (RecordNotFound when none)."""
        params = models.ComAtprotoRepoGetRecord.Params(
            repo=did, collection=POST_COLLECTION, rkey=rkey
        )
        return str((await self.api.com.atproto.repo.get_record(params)).uri)

    async def delete(self, repo: str, collection: str, rkey: str) -> None:
        data = models.ComAtprotoRepoDeleteRecord.Data(repo=repo, collection=collection, rkey=rkey)
        await self.api.com.atproto.repo.delete_record(data)

    async def upload(self, data: bytes, mime: str) -> dict[str, Any]:
        """uploadBlob: the blob as a record refers to it."""
        uploaded = await self.api.com.atproto.repo.upload_blob(data, headers={"Content-Type": mime})
        blob: dict[str, Any] = get_model_as_dict(uploaded.blob)
        return blob

    async def close(self) -> None:
        await self.api.request.close()
