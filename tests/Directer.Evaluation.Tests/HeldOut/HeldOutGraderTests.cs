using System.Text.Json.Nodes;
using Directer.Core.Templates;
using Directer.Evaluation.Demo;
using Directer.Evaluation.HeldOut;
using Directer.Core.Chat;

namespace Directer.Evaluation.Tests.HeldOut;

public sealed class HeldOutGraderTests
{
    private static HeldOutRow ToolCallRow() => HeldOutRow.Parse(JsonNode.Parse("""
        {"id": "tool_call-1", "kind": "tool_call",
         "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Stock of red mug in Oslo?"}],
         "tools": [{"type": "function", "function": {"name": "check_stock", "description": "d", "parameters": {"type": "object", "properties": {"item": {"type": "string"}, "city": {"type": "string"}}}}},
                   {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}}}],
         "expected_tool_call": {"name": "check_stock", "arguments": {"item": "red mug", "city": "Oslo"}},
         "constraints": [], "must_contain": []}
        """)!.AsObject());

    [Fact]
    public void Tool_call_is_right_only_with_the_expected_name_and_exactly_its_arguments()
    {
        var row = ToolCallRow();
        Assert.Equal(new HeldOutGrade(true, true, true, true), HeldOutGrader.Grade(row, "", [new ToolCall("check_stock", """{"city": "Oslo", "item": "red mug"}""")]));
        Assert.Equal(new HeldOutGrade(true, true, false, true), HeldOutGrader.Grade(row, "", [new ToolCall("check_stock", """{"item": "red mug"}""")]));
        Assert.Equal(new HeldOutGrade(true, true, false, true), HeldOutGrader.Grade(row, "", [new ToolCall("check_stock", """{"item": "red mug", "city": "Oslo", "extra": 1}""")]));
        Assert.Equal(new HeldOutGrade(true, true, false, false), HeldOutGrader.Grade(row, "", [new ToolCall("get_weather", """{"item": "red mug", "city": "Oslo"}""")]));
        Assert.Equal(new HeldOutGrade(true, false, false, false), HeldOutGrader.Grade(row, "", [new ToolCall("check_stock_level", """{"item": "red mug", "city": "Oslo"}""")]));
        Assert.Equal(new HeldOutGrade(false, false, false, false), HeldOutGrader.Grade(row, "There are 4.", []));
        Assert.Equal(new HeldOutGrade(false, false, false, false), HeldOutGrader.Grade(row, "", [new ToolCall("check_stock", "[1, 2]")]));
    }

    [Fact]
    public void Raw_replies_are_graded_on_their_first_hermes_block()
    {
        var row = ToolCallRow();
        Assert.True(HeldOutGrader.GradeRaw(row, "<tool_call>\n{\"name\": \"check_stock\", \"arguments\": {\"item\": \"red mug\", \"city\": \"Oslo\"}}\n</tool_call>").Correct);
        Assert.False(HeldOutGrader.GradeRaw(row, "<tool_call>\n{\"name\": \"check_stock\", \"arguments\": {\"item\": \"red mug\"\n</tool_call>").Valid);
        var two = "<tool_call>{\"name\": \"get_weather\", \"arguments\": {}}</tool_call>\n<tool_call>{\"name\": \"check_stock\", \"arguments\": {\"item\": \"red mug\", \"city\": \"Oslo\"}}</tool_call>";
        Assert.Equal(new HeldOutGrade(true, true, false, false), HeldOutGrader.GradeRaw(row, two));
    }

    [Fact]
    public void Tool_answers_must_repeat_every_value_and_follow_the_constraints_and_not_call_again()
    {
        var row = HeldOutRow.Parse(JsonNode.Parse("""
            {"id": "tool_answer-1", "kind": "tool_answer",
             "messages": [{"role": "system", "content": "All lowercase."}, {"role": "user", "content": "Weather in Oslo?"},
                          {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "w", "arguments": {"city": "Oslo"}}}]},
                          {"role": "tool", "content": "{\"t\": 35, \"c\": \"snowy\"}"}],
             "tools": [], "expected_tool_call": null, "constraints": [{"type": "lowercase"}], "must_contain": ["35", "Snowy"]}
            """)!.AsObject());
        Assert.Equal(4, row.Turns.Count);
        Assert.Equal("w", Assert.Single(row.Turns[2].ToolCalls).Name);
        Assert.True(HeldOutGrader.Grade(row, "it is 35 degrees and snowy.", []).Correct);
        Assert.False(HeldOutGrader.Grade(row, "It is 35 degrees and snowy.", []).Correct);
        Assert.False(HeldOutGrader.Grade(row, "it is snowy.", []).Correct);
        Assert.False(HeldOutGrader.Grade(row, "it is 35 degrees and snowy.", [new ToolCall("w", "{}")]).Correct);
    }

    [Fact]
    public void Every_reference_answer_of_the_shipped_held_out_set_is_graded_correct()
    {
        string dir = DemoModel.Require();
        var lines = File.ReadAllLines(Path.Combine(dir, HeldOutSet.FileName));
        var rows = HeldOutSet.Read(Path.Combine(dir, HeldOutSet.FileName));
        Assert.Equal(lines.Length, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            var json = JsonNode.Parse(lines[i])!.AsObject();
            string reference = json["reference_answer"]!.GetValue<string>();
            string reply = rows[i].Kind == "tool_call" ? $"<tool_call>\n{reference}\n</tool_call>" : reference;
            var grade = HeldOutGrader.GradeRaw(rows[i], reply);
            Assert.True(grade.Correct, $"{rows[i].Id}: reference answer graded wrong: {reference}");
        }

        Assert.Equal(["constraint:avoid", "constraint:bullets", "constraint:end_with", "constraint:include", "constraint:json", "constraint:lowercase", "constraint:no_commas", "constraint:word_limit", "tool_answer", "tool_call"],
            rows.Select(r => r.Group).Distinct().Order(StringComparer.Ordinal));
    }
}
