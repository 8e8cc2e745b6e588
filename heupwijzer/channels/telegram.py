"""Telegram, authenticated: a subclass of Rasa's Telegram connector.

- The webhook is registered with a secret token (setWebhook secret_token) once the server runs;
  every update must carry it in X-Telegram-Bot-Api-Secret-Token, otherwise 403 and nothing is
  processed. (Rasa's connector checks nothing and calls getMe for every message.)
- Buttons become an inline keyboard, one button per row; links are real links (HTML parse mode).
- Updates without text (stickers, photos, voice) get a friendly reply; edited messages and other
  update types are acknowledged and ignored; re-delivered updates are answered once. Never a 500.
- The Bot API base URL is configurable (TELEGRAM_API_BASE_URL), so tests use a local fake.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, List

from aiogram import Bot
from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from heupwijzer.channels.common import (
    FromCredentials,
    check_enabled,
    error,
    first_problem,
    guarded,
    hand_over,
    json_object,
    same_secret,
    webhook_blueprint,
)
from heupwijzer.channels.formatting import split_message, telegram_html
from heupwijzer.channels.memory import recent_ids

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TEXT_LIMIT = 4000  # Telegram allows 4096 characters per message
VARIABLES = {  # required setting -> its environment variable
    "access_token": "TELEGRAM_TOKEN",
    "secret_token": "TELEGRAM_SECRET_TOKEN",
    "webhook_url": "TELEGRAM_WEBHOOK_URL",
}
START_COMMAND = "/start"
# Updates we answer (message, callback_query) or acknowledge without an answer (edits).
KNOWN_UPDATES = {"message", "callback_query", "edited_message"}


class HeupwijzerTelegramOutput(TelegramOutput):
    """Telegram output with HTML links and a vertical inline keyboard."""

    def __init__(self, access_token: str | None, api_base_url: str = "") -> None:
        # TelegramOutput.__init__ cannot take a server: initialise its aiogram Bot directly.
        server = TelegramAPIServer.from_base(api_base_url) if api_base_url else TELEGRAM_PRODUCTION
        Bot.__init__(self, access_token, server=server)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_message(text, TEXT_LIMIT):
            await self.send_message(recipient_id, telegram_html(part), parse_mode="HTML")

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        keyboard = InlineKeyboardMarkup()
        for button in buttons:
            keyboard.row(InlineKeyboardButton(button["title"], callback_data=str(button["payload"])[:64]))
        await self.send_message(recipient_id, telegram_html(text), parse_mode="HTML", reply_markup=keyboard)


class SecureTelegramInput(FromCredentials, TelegramInput):
    """Telegram input that only accepts updates carrying the webhook's secret token."""

    def __init__(self, credentials: Dict[str, Any]) -> None:
        super().__init__(
            credentials.get("access_token"),
            credentials.get("verify"),
            credentials.get("webhook_url"),
            debug_mode=False,
        )
        self.enabled = check_enabled("Telegram", credentials, VARIABLES)
        self.secret_token = str(credentials.get("secret_token") or "")
        self.api_base_url = str(credentials.get("api_base_url") or "")
        self.seen = recent_ids(self.name())
        self.output: HeupwijzerTelegramOutput | None = None

    def get_output_channel(self) -> HeupwijzerTelegramOutput:
        # One client per server; unlike Rasa's, no network call here (see register_webhook).
        if self.output is None:
            self.output = HeupwijzerTelegramOutput(self.access_token, self.api_base_url)
        return self.output

    async def register_webhook(self) -> None:
        try:
            await self.get_output_channel().request(
                "setWebhook",
                {
                    "url": self.webhook_url,
                    "secret_token": self.secret_token,
                    "allowed_updates": json.dumps(["message", "callback_query"]),
                },
            )
            logger.info("Telegram webhook registered: %s", self.webhook_url)
        except Exception as problem:  # the other channels keep working
            logger.error("Telegram webhook could not be registered: %s", problem)

    def secret_problem(self, request: Request) -> HTTPResponse | None:
        given = request.headers.get(SECRET_HEADER, "")
        if given and same_secret(given, self.secret_token):
            return None
        logger.warning("Telegram webhook: request without the right secret token rejected")
        return error(403, "forbidden")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = guarded(on_new_message, self.name())
        webhook = webhook_blueprint("telegram_webhook", self.enabled)

        @webhook.listener("after_server_start")
        async def register(app: Sanic, _: Any) -> None:
            if self.enabled:
                await self.register_webhook()

        @webhook.listener("after_server_stop")
        async def close(app: Sanic, _: Any) -> None:
            if self.output is not None:
                await self.output.session.close()  # the HTTP session only (not the Bot API "close")

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            problem = first_problem(request, "Telegram", self.enabled, self.secret_problem)
            if problem:
                return problem
            update, problem = json_object(request)
            if problem:
                return problem
            if not isinstance(update.get("update_id"), int):
                return error(400, "not a Telegram update")
            if not KNOWN_UPDATES & update.keys():
                return error(400, "unknown update type")
            if not self.seen.seen(str(update["update_id"])):
                await self.handle(update, on_new_message, request)
            return response.text("success")

        return webhook

    async def handle(
        self, update: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]], request: Request
    ) -> None:
        output = self.get_output_channel()
        callback = update.get("callback_query")
        message = update.get("message")
        if isinstance(callback, dict):
            chat = ((callback.get("message") or {}).get("chat") or {}).get("id")
            text = callback.get("data")
            try:
                await output.answer_callback_query(callback.get("id"))
            except Exception as problem:
                logger.debug("answerCallbackQuery failed: %s", problem)
        elif isinstance(message, dict):
            chat = (message.get("chat") or {}).get("id")
            text = message.get("text")
        else:  # edited messages and the like: acknowledged, nothing to answer
            return
        if chat is None:
            return
        if isinstance(text, str) and text.strip() == START_COMMAND:
            text = "/greet"
        await hand_over(
            text if isinstance(text, str) else None,
            output,
            str(chat),
            on_new_message,
            self.name(),
        )
