"""Whether the conversation store could be read and written for the message being handled.

Rasa's fail-safe wrapper turns a failed read into "no conversation yet": the message would then be
answered without its context (a Beweegcheck answer "drie" as a new conversation) and that fresh
conversation stored over the real one. And a failed write loses the turn while the patient reads
its answer, so the next message misses that context. The scrubbing store marks either problem here;
the channels (heupwijzer/channels/common.py) then hold back a reply made without context, say "er ging iets
mis, probeer het zo nog eens", and nothing is stored for that message: sent again, it is answered
in its real context.

A context variable: Rasa handles each message in one asyncio task, start to end.
"""

from __future__ import annotations

from contextvars import ContextVar

READ_FAILED = "read"
SAVE_FAILED = "save"
STORE_PROBLEM: ContextVar[str] = ContextVar("heupwijzer_store_problem", default="")
