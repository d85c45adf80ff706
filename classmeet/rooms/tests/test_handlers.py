"""The handler table: every client message of the protocol reaches a method of the routed socket."""

from __future__ import annotations

import inspect
import typing

from classmeet.rooms import protocol
from classmeet.rooms.handlers import HANDLERS
from classmeet.rooms.routing import websocket_urlpatterns


def test_every_client_message_has_exactly_one_entry_in_the_table() -> None:
    union, _discriminator = typing.get_args(protocol.ClientMessage)
    assert set(HANDLERS) == set(typing.get_args(union))


def test_every_handler_in_the_table_is_a_coroutine_method_of_the_routed_consumer() -> None:
    routed = websocket_urlpatterns[0].callback.consumer_class
    for message, name in HANDLERS.items():
        assert inspect.iscoroutinefunction(getattr(routed, name, None)), (message, name)
