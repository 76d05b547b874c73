"""What call.py builds once per process instead of once per request."""

from __future__ import annotations

import instructor
from pydantic import BaseModel, create_model

from llmx.pipeline.answer import response_model
from llmx.pipeline.call import SchemaOnce, instructor_model
from llmx.schemas.meeting import Meeting


def test_schema_is_built_once_and_each_caller_gets_its_own_copy(monkeypatch):
    model = create_model("Fresh", __base__=SchemaOnce, answer=(str, ...))
    expected = BaseModel.model_json_schema.__func__(model)
    built = []
    original = BaseModel.model_json_schema.__func__

    def counting(cls, *args, **kwargs):
        built.append(cls)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(BaseModel, "model_json_schema", classmethod(counting))
    first = model.model_json_schema()
    first["description"] = "edited by a caller"  # instructor's tools mode does this
    second = model.model_json_schema()
    assert built == [model]
    assert second == expected and second is not first


def test_schema_arguments_are_part_of_the_key():
    model = create_model("Modes", __base__=SchemaOnce, answer=(str, "x"))
    assert model.model_json_schema(mode="serialization") == BaseModel.model_json_schema.__func__(model, mode="serialization")
    assert model.model_json_schema() == BaseModel.model_json_schema.__func__(model)


def test_instructor_wrapper_is_made_once_and_asks_for_the_same_schema():
    model = response_model((Meeting,))
    wrapped = instructor_model(model)
    assert instructor_model(model) is wrapped
    assert issubclass(wrapped, instructor.ResponseSchema) and wrapped.__name__ == "Extraction"
    assert wrapped.model_json_schema() == instructor.response_schema(model).model_json_schema()
