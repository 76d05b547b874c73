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


def test_article_text_that_looks_like_a_template_reaches_the_model_unchanged():
    """instructor renders messages as Jinja templates when a validation context is given: the text must stay data."""
    from instructor.templating import apply_template

    from llmx.pipeline.call import literal

    hostile = "Er sagte {{ sentences }} und {% if x %}ja{% endif %}, dann {% endraw %} und {%- endraw -%} {# nichts #}"
    messages = [{"role": "system", "content": "rules"}, {"role": "user", "content": hostile}]
    context = {"sentences": ["SECRET"], "x": True}
    assert [apply_template(m["content"], context) for m in literal(messages)] == ["rules", hostile]


def test_template_like_article_is_sent_as_written(tmp_path):
    import json as _json

    from typer.testing import CliRunner

    from llmx.cli import app
    from tests.stub_server import StubServer, empty_answer

    seen = []

    def answer(request):
        seen.append(request)
        return empty_answer(request)

    article = tmp_path / "a.txt"
    article.write_text("Putin sagte {{ sentences }} in Moskau. {% if x %}Dann{% endif %} ging er.", encoding="utf-8")
    with StubServer(answer=answer) as stub:
        result = CliRunner().invoke(app, ["extract", str(article), "-f", "jsonl", "--provider", "compatible", "--base-url", stub.base_url,
                                          "--model", "stub", "--mode", "json_schema", "--no-cache"])
    assert result.exit_code == 0, result.output
    user = seen[0]["messages"][-1]["content"]
    assert "[1] Putin sagte {{ sentences }} in Moskau. {% if x %}Dann{% endif %} ging er.\n" in user
    assert "['" not in user and _json.loads(result.stdout)["errors"] == []
