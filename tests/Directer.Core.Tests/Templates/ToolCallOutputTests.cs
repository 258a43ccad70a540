using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Templates;

namespace Directer.Core.Tests.Templates;

/// <summary>Replies as the models of each family write them, parsed by the template's own format; malformed replies are
/// reported with the reason, never thrown from the detailed parse and never half-read.</summary>
public sealed class ToolCallOutputTests
{
    private static IChatTemplate Hub(string id) =>
        ChatTemplates.Detect(File.ReadAllText(Path.Combine(TemplateFixtures.Directory, "hub", id + ".jinja")), null);

    private static IChatTemplate Template(string id) => id == "mistral" ? ChatTemplates.ByName("mistral") : Hub(id);

    private static string Canonical(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    public static TheoryData<string, string, string[], string> Replies() => new()
    {
        // Qwen3 thinks first, then calls (two calls in one reply).
        {
            "qwen3-0.6b",
            "<think>\nThe user wants weather and a product.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"celsius\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_stock\", \"arguments\": {\"product\": \"tea\"}}\n</tool_call>",
            ["get_weather {\"city\":\"Paris\",\"unit\":\"celsius\"}", "get_stock {\"product\":\"tea\"}"],
            "<think>\nThe user wants weather and a product.\n</think>"
        },
        // Hermes 3 / Qwen2.5: arguments written as a JSON string.
        { "qwen2.5-0.5b", "<tool_call>\n{\"name\": \"multiply\", \"arguments\": \"{\\\"a\\\": 2, \\\"b\\\": 3}\"}\n</tool_call>", ["multiply {\"a\":2,\"b\":3}"], "" },
        // Llama 3.2: bare object, the python tag, parallel calls as a list, and text after a call.
        { "llama3.2-3b", "{\"name\": \"multiply\", \"parameters\": {\"a\": 12, \"b\": 37}}", ["multiply {\"a\":12,\"b\":37}"], "" },
        { "llama3.1-8b", "<|python_tag|>{\"name\": \"get_stock\", \"parameters\": {\"product\": \"mug\"}}", ["get_stock {\"product\":\"mug\"}"], "" },
        { "llama3.2-3b", "[{\"name\": \"multiply\", \"parameters\": {\"a\": 1, \"b\": 2}}, {\"name\": \"get_stock\", \"parameters\": {\"product\": \"x\"}}]", ["multiply {\"a\":1,\"b\":2}", "get_stock {\"product\":\"x\"}"], "" },
        { "llama3.2-3b", "[1, 2, 3] are numbers.", [], "[1, 2, 3] are numbers." },
        // Mistral v0.3 / Nemo: with and without a space, with ids, several calls.
        { "mistral", "[TOOL_CALLS][{\"name\": \"multiply\", \"arguments\": {\"a\": 1, \"b\": 2}, \"id\": \"abc123XYZ\"}]", ["multiply {\"a\":1,\"b\":2}"], "" },
        { "mistral", "[TOOL_CALLS] [{\"name\": \"multiply\", \"arguments\": {\"a\": 1, \"b\": 2}}, {\"name\": \"get_stock\", \"arguments\": {}}]", ["multiply {\"a\":1,\"b\":2}", "get_stock {}"], "" },
        // Granite 3.x: its marker, then Mistral's list.
        { "granite3.3-2b", "<|tool_call|>[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}}]", ["get_weather {\"city\":\"Rome\"}"], "" },
        // Qwen3-Coder XML: typed values read as JSON, Python's True, multi-line strings kept.
        {
            "qwen3-coder-30b",
            "I'll check.\n<tool_call>\n<function=multiply>\n<parameter=a>\n12\n</parameter>\n<parameter=b>\n-3.5\n</parameter>\n</function>\n</tool_call>\n<tool_call>\n<function=configure>\n<parameter=verbose>\nTrue\n</parameter>\n<parameter=note>\nline one\nline two\n</parameter>\n<parameter=tags>\n[\"a\", \"b\"]\n</parameter>\n</function>\n</tool_call>",
            ["multiply {\"a\":12,\"b\":-3.5}", "configure {\"verbose\":true,\"note\":\"line one\\nline two\",\"tags\":[\"a\",\"b\"]}"],
            "I'll check."
        },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public void RealLookingRepliesParse(string template, string reply, string[] expected, string remaining)
    {
        var result = Template(template).ParseToolCallsDetailed(reply);
        Assert.Empty(result.Malformed);
        Assert.Equal(expected, result.ToolCalls.Select(c => c.Name + " " + Canonical(c.ArgumentsJson)));
        Assert.Equal(remaining, result.RemainingText);
    }

    public static TheoryData<string, string, string> Malformed() => new()
    {
        { "mistral", "[TOOL_CALLS] []", "empty list" },
        { "mistral", "[TOOL_CALLS] [{\"name\": \"f\", \"arguments\": 3}]", "not a JSON object" },
        { "mistral", "[TOOL_CALLS] [[1]]", "expected a JSON object" },
        { "granite3.3-2b", "<|tool_call|>{\"name\": \"f\", \"arguments\": {}}", "complete JSON array" },
        { "qwen3-coder-30b", "<tool_call>\n<function=f>\n<parameter=a>\n1\n</parameter>\n</tool_call>", "<function=NAME>" },
        { "qwen3-coder-30b", "<tool_call>\n<function=f>\nstray\n<parameter=a>\n1\n</parameter>\n</function>\n</tool_call>", "outside <parameter" },
        { "qwen3-coder-30b", "<tool_call>\n<function=f>\n<parameter=a>\n1", "no '</tool_call>'" },
        { "llama3.2-3b", "{\"name\": \"f\", \"parameters\": {\"a\": 1}", "never closes" },
        { "qwen3-0.6b", "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1}\n", "no '</tool_call>'" },
        // A model that writes an argument twice (seen from a demo-model checkpoint: "date" twice) must not crash the
        // request in a JsonObject later; the call is reported instead.
        { "qwen3-0.6b", "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"date\": \"a\", \"date\": \"b\"}}\n</tool_call>", "\"date\" more than once" },
        { "qwen3-0.6b", "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": [{\"x\": 1, \"x\": 2}]}}\n</tool_call>", "\"x\" more than once" },
        { "mistral", "[TOOL_CALLS] [{\"name\": \"f\", \"arguments\": \"{\\\"a\\\": 1, \\\"a\\\": 2}\"}]", "\"a\" more than once" },
        // Qwen3-Coder's XML: a parameter written twice, or a JSON value with a key written twice, is as ambiguous.
        { "qwen3-coder-30b", "<tool_call>\n<function=f>\n<parameter=a>\n1\n</parameter>\n<parameter= a >\n2\n</parameter>\n</function>\n</tool_call>", "\"a\" more than once" },
        { "qwen3-coder-30b", "<tool_call>\n<function=f>\n<parameter=a>\n{\"x\": 1, \"x\": 2}\n</parameter>\n</function>\n</tool_call>", "\"x\" more than once" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedRepliesAreReportedWithTheReason(string template, string reply, string reason)
    {
        var t = Template(template);
        var result = t.ParseToolCallsDetailed(reply);
        Assert.Empty(result.ToolCalls);
        Assert.Contains(reason, Assert.Single(result.Malformed).Reason, StringComparison.Ordinal);
        var error = Assert.Throws<ToolCallFormatException>(() => t.ParseToolCalls(reply, out _));
        Assert.Equal(result.Malformed[0].Reason, error.Result.Malformed[0].Reason);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALlama3ObjectWithARepeatedArgumentIsNoCallAndStaysInTheText()
    {
        // Llama 3 reads a JSON object that is not a valid call as data the model quotes: no call, nothing lost.
        const string reply = "{\"name\": \"f\", \"parameters\": {\"a\": 1, \"a\": 2}}";
        var result = Template("llama3.2-3b").ParseToolCallsDetailed(reply);
        Assert.Empty(result.ToolCalls);
        Assert.Equal(reply, result.RemainingText.Trim());
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public void EveryCutOfAReplyParsesWithoutThrowing(string template, string reply, string[] expected, string remaining)
    {
        // A reply cut anywhere (the token budget ran out) never throws from the detailed parse, and what it reads as a
        // call is one of the reply's calls, whole.
        _ = remaining;
        var t = Template(template);
        var whole = t.ParseToolCallsDetailed(reply).ToolCalls.Select(c => c.Name + " " + Canonical(c.ArgumentsJson)).ToHashSet();
        Assert.Equal(expected.Length, whole.Count);
        for (int cut = 0; cut <= reply.Length; cut++)
        {
            var result = t.ParseToolCallsDetailed(reply[..cut]);
            Assert.All(result.ToolCalls, c => Assert.Contains(c.Name + " " + Canonical(c.ArgumentsJson), whole));
        }
    }
}
