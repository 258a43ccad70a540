using Directer.Core.Steering;
using Directer.Core.Emphasis;
using Directer.Core.Templates;
using Directer.Core.Chat;

namespace Directer.Core.Tests.Emphasis;

public sealed class EmphasisTests
{
    private static readonly IChatTemplate Qwen = ChatTemplates.ByName("qwen2.5");

    private static string Covered(RenderedPrompt prompt) => string.Join("|", prompt.EmphasisRanges.Select(r => prompt.Text[r.Start..r.End]));

    [Fact]
    public void EveryOccurrenceInAnyMessageIsFoundButNotInScaffolding()
    {
        var turns = new[]
        {
            new ChatTurn(ChatRole.System, "Answer in lowercase. Really: lowercase."),
            new ChatTurn(ChatRole.User, "say hi in lowercase"),
        };
        var prompt = Qwen.Render(turns, [], true, new EmphasisRequest { Texts = ["lowercase"] });
        Assert.Equal(3, prompt.EmphasisRanges.Count);
        Assert.All(prompt.EmphasisRanges, r => Assert.Equal("lowercase", prompt.Text[r.Start..r.End]));

        // "system" occurs only in the template's scaffolding (<|im_start|>system): not found.
        var error = Assert.Throws<EmphasisNotFoundException>(() => Qwen.Render(turns, [], true, new EmphasisRequest { Texts = ["im_start"] }));
        Assert.Equal("im_start", error.Text);
        var ignored = Qwen.Render(turns, [], true, new EmphasisRequest { Texts = ["im_start"], IgnoreNotFound = true });
        Assert.Empty(ignored.EmphasisRanges);
    }

    [Fact]
    public void TheWholeSystemMessageAndTextAtMessageEdgesAndUnicode()
    {
        var turns = new[] { new ChatTurn(ChatRole.System, "Réponds en français 🇫🇷"), new ChatTurn(ChatRole.User, "Bonjour") };
        var system = Qwen.Render(turns, [], true, new EmphasisRequest { SystemMessage = true });
        Assert.Equal("Réponds en français 🇫🇷", Covered(system));
        var edges = Qwen.Render(turns, [], true, new EmphasisRequest { Texts = ["Réponds", "🇫🇷", "Bonjour"] });
        Assert.Equal(new[] { "Réponds", "🇫🇷", "Bonjour" }.Order(), edges.EmphasisRanges.Select(r => edges.Text[r.Start..r.End]).Order());
    }

    [Fact]
    public void InlineMarkersAreStrippedBeforeRendering()
    {
        var turns = new[] { new ChatTurn(ChatRole.User, "Write a poem. [[Do not use commas.]] Thanks") };
        var prompt = Qwen.Render(turns, [], true, new EmphasisRequest { UntrustedInlineMarkers = true });
        Assert.DoesNotContain("[[", prompt.Text);
        Assert.Contains("Write a poem. Do not use commas. Thanks", prompt.Text);
        Assert.Equal("Do not use commas.", Covered(prompt));
    }

    [Fact]
    public void CharacterRangesMapToMergedTokenSpans()
    {
        // Tokens: [0,3) [3,5) [5,9) [9,9) (zero width) [9,12) [12,20)
        var offsets = new List<(int, int)> { (0, 3), (3, 5), (5, 9), (9, 9), (9, 12), (12, 20) };
        // A range crossing token boundaries covers every overlapping token; adjacent spans merge.
        Assert.Equal(new[] { new TokenSpan(1, 3) }, EmphasisSpans.ToTokenSpans([new CharRange(4, 6)], offsets));
        Assert.Equal(new[] { new TokenSpan(0, 1), new TokenSpan(4, 6) }, EmphasisSpans.ToTokenSpans([new CharRange(0, 2), new CharRange(10, 13)], offsets));
        Assert.Equal(new[] { new TokenSpan(0, 3) }, EmphasisSpans.ToTokenSpans([new CharRange(0, 4), new CharRange(4, 8)], offsets));
        Assert.Empty(EmphasisSpans.ToTokenSpans([], offsets));
    }

    [Fact]
    public void HermesToolCallsAreParsedAndMalformedOnesReported()
    {
        const string text = "Sure.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>";
        var parsed = Qwen.ParseToolCallsDetailed(text);
        Assert.Equal(new[] { "get_weather", "get_time" }, parsed.ToolCalls.Select(c => c.Name));
        Assert.Equal("{\"city\": \"Oslo\"}", parsed.ToolCalls[0].ArgumentsJson);
        Assert.Equal("Sure.", parsed.RemainingText);
        Assert.False(parsed.HasMalformed);

        const string badText = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \n</tool_call>";
        var bad = Qwen.ParseToolCallsDetailed(badText);
        Assert.Empty(bad.ToolCalls);
        Assert.True(bad.HasMalformed);
        Assert.Contains("invalid JSON", bad.Malformed[0].Reason);
        Assert.Throws<ToolCallFormatException>(() => Qwen.ParseToolCalls(badText, out _));
    }

    [Fact]
    public void Llama31JsonToolCallsAreParsed()
    {
        var llama = ChatTemplates.ByName("llama3");
        var call = llama.ParseToolCallsDetailed("<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"location\": \"Oslo\"}}");
        Assert.Equal("get_weather", Assert.Single(call.ToolCalls).Name);
        Assert.Equal("{\"location\": \"Oslo\"}", call.ToolCalls[0].ArgumentsJson);
        var plain = llama.ParseToolCallsDetailed("It is sunny.");
        Assert.Empty(plain.ToolCalls);
        Assert.Equal("It is sunny.", plain.RemainingText);
        var broken = llama.ParseToolCallsDetailed("{\"name\": \"get_weather\", ");
        Assert.True(broken.HasMalformed);
    }

    [Fact]
    public void MistralToolCallsAreParsed()
    {
        var mistral = ChatTemplates.ByName("mistral");
        var parsed = mistral.ParseToolCallsDetailed("[TOOL_CALLS] [{\"name\": \"get_time\", \"arguments\": {}, \"id\": \"abc123xyz\"}]");
        var call = Assert.Single(parsed.ToolCalls);
        Assert.Equal(("get_time", "{}", "abc123xyz"), (call.Name, call.ArgumentsJson, call.Id));
        Assert.True(mistral.ParseToolCallsDetailed("[TOOL_CALLS] [{\"name\": 3}]").HasMalformed);
        Assert.Empty(mistral.ParseToolCallsDetailed("Just text.").ToolCalls);
    }
}
