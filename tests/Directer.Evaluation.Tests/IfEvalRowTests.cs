using System.Text.Json.Nodes;
using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Tests;

public sealed class IfEvalRowTests
{
    [Fact]
    public void Row_keeps_instructions_and_kwargs_in_order()
    {
        var row = new IfEvalRow("1", "Write.", ["punctuation:no_comma", "change_case:english_lowercase"], [new JsonObject(), new JsonObject()], null);
        Assert.Equal("change_case:english_lowercase", row.InstructionIds[1]);
        Assert.Equal(2, row.Kwargs.Count);
    }
}
