using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Emphasis;
using Directer.Core.Templates;

namespace Directer.Core.Tests.Templates.Jinja;

/// <summary>Emphasis spans through real templates that trim contents (Llama 3, Command-R), prefix the system message
/// to the first user turn (Gemma, Llama 2), move it to the last user turn (Mixtral), or re-split assistant turns
/// (Qwen3): every span covers exactly the emphasised characters of a message's content, never template markup.</summary>
public sealed class EmphasisThroughTemplatesTests
{
    private static readonly JsonElement Specs = TemplateFixtures.Load("hub_templates.json").GetProperty("templates");

    private static IChatTemplate Hub(string id)
    {
        var spec = Specs.EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);
        string? Token(string name) => spec.GetProperty(name).ValueKind == JsonValueKind.String ? spec.GetProperty(name).GetString() : null;
        string source = File.ReadAllText(Path.Combine(TemplateFixtures.Directory, spec.GetProperty("file").GetString()!));
        return ChatTemplates.Detect(source, null, new ChatTemplateOptions { BosToken = Token("bos_token"), EosToken = Token("eos_token") });
    }

    [Theory]
    [InlineData("gemma3-270m")]      // system content + "\n\n" prefixed to the first user turn
    [InlineData("gemma2-2b", false)] // raises on a system turn: no system in the conversation
    [InlineData("llama2-7b")]        // <<SYS>> block merged into the first [INST], whole thing stripped
    [InlineData("mixtral-8x7b")]     // system message joined to the first user message
    [InlineData("mistral-small-24b")]
    [InlineData("llama3.1-8b")]      // contents trimmed
    [InlineData("qwen3-0.6b")]       // assistant contents re-split around </think>
    [InlineData("command-r-35b")]    // content.strip()
    [InlineData("phi4-14b")]
    [InlineData("deepseek-r1-8b")]
    public void SpansCoverExactlyTheEmphasisedContent(string id, bool withSystem = true)
    {
        var template = Hub(id);
        var turns = new List<ChatTurn>();
        const string system = "  Always answer in French, briefly.\n";
        if (withSystem)
        {
            turns.Add(new ChatTurn(ChatRole.System, system));
        }

        turns.Add(new ChatTurn(ChatRole.User, "  Tell me about [[Paris]] in spring. "));
        turns.Add(new ChatTurn(ChatRole.Assistant, "<think>ok</think>\n\nParis is lovely in spring."));
        turns.Add(new ChatTurn(ChatRole.User, "And [[Lyon]]? Answer in French."));
        // The user opts in to inline markers in user turns (off by default since issue 13: user text is untrusted).
        var request = new EmphasisRequest { Texts = ["French", "spring"], SystemMessage = withSystem, UntrustedInlineMarkers = true };

        var rendered = template.Render(turns, [], addGenerationPrompt: true, request);

        var texts = rendered.EmphasisRanges.Select(r => rendered.Text[r.Start..r.End]).ToList();
        Assert.NotEmpty(texts);
        string systemCore = system.Trim();
        foreach (string text in texts)
        {
            // Each merged range is made of emphasised strings and/or (a trimmed part of) the system content.
            bool ok = text is "Paris" or "Lyon" or "French" or "spring" || (withSystem && systemCore.Contains(text.Trim(), StringComparison.Ordinal) && text.Trim().Length > 0)
                || (withSystem && system.Contains(text, StringComparison.Ordinal));
            Assert.True(ok, $"{id}: span \"{text}\" is not emphasised content");
        }

        Assert.Contains("Paris", texts);
        Assert.Contains("Lyon", texts);
        int frenchInUser = CountOrdinal(rendered.Text, "Answer in French.");
        Assert.True(frenchInUser >= 1, $"{id}: the last user turn is rendered");
        if (withSystem)
        {
            // The whole system content as the template renders it (trimmed or not) is one emphasised range.
            Assert.Contains(texts, t => t.Trim() == systemCore);
        }

        // Nothing of the markup is emphasised: no span touches a special-token-looking character run.
        Assert.DoesNotContain(texts, t => t.Contains('<') || t.Contains('[') || t.Contains('|'));
    }

    [Fact]
    public void TheSystemMessageMovedToTheLastUserTurnIsFoundThere()
    {
        var template = ChatTemplates.ByName("mistral"); // Mistral-7B-Instruct-v0.3: the system message goes into the last [INST]
        var turns = new List<ChatTurn>
        {
            new(ChatRole.System, "Be terse."),
            new(ChatRole.User, "First question"),
            new(ChatRole.Assistant, "First answer"),
            new(ChatRole.User, "Second question"),
        };
        var rendered = template.Render(turns, [], true, new EmphasisRequest { SystemMessage = true });
        var range = Assert.Single(rendered.EmphasisRanges);
        Assert.Equal("Be terse.", rendered.Text[range.Start..range.End]);
        Assert.True(range.Start > rendered.Text.IndexOf("First answer", StringComparison.Ordinal), "the template moves the system message after the first exchange");
    }

    private static int CountOrdinal(string text, string value)
    {
        int n = 0;
        for (int at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }
}
