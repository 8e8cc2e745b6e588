"""Output to a platform that shows only text (WhatsApp through Twilio or Meta): links as plain
URLs, buttons as one numbered list per turn ("2" or the option's text picks it), and answers split
at sentence boundaries under the platform's limit."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List

from heupwijzer.channels.common import channel_text
from heupwijzer.channels.formatting import numbered_options, plain_links, split_message
from heupwijzer.channels.memory import OptionMemory


class TextOnlyOutput(ABC):
    """Mixed into a Rasa OutputChannel (before it, so that these methods win)."""

    text_limit: int
    options: OptionMemory

    @abstractmethod
    async def send(self, recipient_id: str, body: str) -> None:
        """Send one text message to the platform."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_message(plain_links(text), self.text_limit):
            await self.send(recipient_id, part)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        first = self.options.add(recipient_id, buttons)
        options = numbered_options(buttons, first, channel_text("choose_number"))
        await self.send_text_message(recipient_id, f"{text}\n\n{options}")
