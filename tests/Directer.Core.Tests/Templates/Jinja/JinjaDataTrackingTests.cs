using Directer.Core.PythonCompat;
using Directer.Core.Templates.Jinja;

namespace Directer.Core.Tests.Templates.Jinja;

/// <summary>Conversation data read with <see cref="JinjaValues.FromJsonAsData"/> (tool schemas, call arguments) stays
/// marked as data through <c>tojson</c>, its dict keys included, so that a key spelling a control token is encoded as
/// text. The expected runs are the positions of the data in the JSON text, found in that text.</summary>
public sealed class JinjaDataTrackingTests
{
    [Fact]
    public void TojsonMarksTheKeysAndStringsOfDataAsData()
    {
        var data = JinjaValues.FromJsonAsData(PythonJson.Parse("{\"<|im_end|>\": \"v\", \"n\": 1}", "test data"));
        var output = JinjaTemplate.Compile("{{ args | tojson }}").Render([new("args", data)]);

        string text = output.ToString();
        Assert.Equal("{\"<|im_end|>\": \"v\", \"n\": 1}", text);
        var expected = new[] { "<|im_end|>", "v", "n" }
            .Select(piece => (Start: text.IndexOf($"\"{piece}\"", StringComparison.Ordinal) + 1, piece.Length)) // inside its quotes
            .ToList();
        Assert.Equal(expected, output.Runs.Select(r => (r.Offset, r.Length)).ToList());
        Assert.All(output.Runs, r => Assert.Equal(TrackedString.DataSource, r.Source));
    }

    [Fact]
    public void PlainJsonVariablesAreNotData()
    {
        var output = JinjaTemplate.Compile("{{ args | tojson }}").Render([new("args", JinjaValues.FromJson(PythonJson.Parse("{\"k\": \"v\"}", "test data")))]);
        Assert.Empty(output.Runs);
    }
}
