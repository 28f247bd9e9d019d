from __future__ import annotations

import pytest

from tapline.engine import (
    DuplicateRequest,
    EngineError,
    InvalidArgument,
    InvalidTransition,
    NotAssigned,
    NotOffered,
    UnknownQueue,
    UnknownRequest,
    UnknownSpecialist,
)


@pytest.mark.parametrize(
    "error",
    [
        DuplicateRequest,
        InvalidArgument,
        InvalidTransition,
        NotAssigned,
        NotOffered,
        UnknownQueue,
        UnknownRequest,
        UnknownSpecialist,
    ],
)
def test_every_error_is_an_engine_error(error: type[Exception]) -> None:
    assert issubclass(error, EngineError)


def test_unknown_ids_are_key_errors_and_bad_values_value_errors() -> None:
    assert issubclass(UnknownRequest, KeyError)
    assert issubclass(UnknownSpecialist, KeyError)
    assert issubclass(UnknownQueue, KeyError)
    assert issubclass(InvalidArgument, ValueError)
