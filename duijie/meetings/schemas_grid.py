"""The API's shapes of the organiser's hand on the grid (`meetings/api_grid.py`): a place on the grid, and a
meeting arranged between two participants. The answer is the grid's own `GridMeetingRead`."""

from __future__ import annotations

from pydantic import BaseModel, Field

from duijie.core.validation import MAX_ID


class PlaceWrite(BaseModel):
    """Where the meeting goes: a time slot of the event and the number of a table there."""

    slot_id: int = Field(ge=1, le=MAX_ID, examples=[12])
    table: int = Field(ge=1, le=100_000, examples=[3])
    override_availability: bool = Field(
        default=False,
        description=(
            "place it there although a side did not mark that time free; without it such a placement is "
            "refused with 409, naming who is not available then"
        ),
    )


class ArrangeWrite(PlaceWrite):
    """Two participants of the event (their participant ids), met at the slot and table given; the meeting is
    accepted on both sides' behalf and pinned there."""

    a: int = Field(ge=1, le=MAX_ID, description="participant id of one side", examples=[4])
    b: int = Field(ge=1, le=MAX_ID, description="participant id of the other side", examples=[9])
