using System.Text;
using Directer.Core.Chat;
using Directer.Core.Generation.Constraints;
using Directer.Core.Runtime;
using Directer.Core.Templates;

namespace Directer.Core.Tests.Generation.Constraints;

/// <summary><see cref="ChatRequest.RequireToolCall"/>: with the constraint, the reply must open with a call (of a given tool).</summary>
public sealed class RequiredToolCallTests
{
    private static readonly ToolDefinition[] Tools = [ConstraintFixtures.GetStock, ConstraintFixtures.Multiply];

    private static readonly Lazy<ChatModel> Demo = new(() =>
    {
        TorchRuntime.EnsureInitialized();
        return ChatModel.Load(ConstraintFixtures.DemoFolder);
    });

    public RequiredToolCallTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void At_the_start_only_tokens_that_begin_the_opening_tag_are_allowed()
    {
        var tokenizer = ConstraintFixtures.DemoTokenizer;
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools, requireCall: true);
        constraint.Begin();
        bool[] allowed = constraint.AllowedNext(tokenizer.VocabSize)!;
        Assert.NotNull(allowed);
        const string opener = "<tool_call>";
        for (int id = 0; id < tokenizer.VocabSize; id++)
        {
            string text = tokenizer.IsSpecial(id) ? string.Empty : Encoding.UTF8.GetString(tokenizer.TokenBytes(id).Span);

            // Allowed exactly when the token is a non-empty prefix of the tag (the demo vocabulary has no token that goes past it).
            bool expected = text.Length > 0 && opener.StartsWith(text, StringComparison.Ordinal);
            Assert.True(expected == allowed[id], $"token {id} '{text}': expected allowed={expected}");
        }

        Assert.True(allowed[tokenizer.TokenToId("<tool_call>")!.Value]);
        Assert.All(tokenizer.EosTokenIds, eos => Assert.False(allowed[eos]));
    }

    [Fact]
    public void A_required_tool_is_the_only_name_that_can_be_written()
    {
        var tokenizer = ConstraintFixtures.DemoTokenizer;
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools, requireCall: true, requiredTool: "multiply");
        constraint.Begin();
        foreach (int id in tokenizer.Encode("<tool_call>\n{\"name\": \""))
        {
            constraint.Accept(id);
        }

        // No choice is left to score, and only bytes of "multiply" may follow.
        Assert.Empty(constraint.PendingChoices());
        bool[] allowed = constraint.AllowedNext(tokenizer.VocabSize)!;
        for (int id = 0; id < tokenizer.VocabSize; id++)
        {
            string text = tokenizer.IsSpecial(id) ? string.Empty : Encoding.UTF8.GetString(tokenizer.TokenBytes(id).Span);
            bool expected = text.Length > 0 && "multiply\"".StartsWith(text, StringComparison.Ordinal);
            Assert.True(expected == allowed[id], $"token {id} '{text}': expected allowed={expected}");
        }

        // Without the requirement both names are open (and, when asked for, the choice is scored).
        var free = ToolCallConstraint.ForHermes(tokenizer, Tools, requireCall: true, scoreWholeNames: true);
        free.Begin();
        foreach (int id in tokenizer.Encode("<tool_call>\n{\"name\": \""))
        {
            free.Accept(id);
        }

        Assert.Equal(2, free.PendingChoices().Count);
    }

    [Fact]
    public void Bad_requirements_are_refused_with_the_reason()
    {
        var tokenizer = ConstraintFixtures.DemoTokenizer;
        var unlisted = Assert.Throws<ArgumentException>(() => ToolCallConstraint.ForHermes(tokenizer, Tools, requireCall: true, requiredTool: "divide"));
        Assert.Contains("'divide'", unlisted.Message, StringComparison.Ordinal);
        Assert.Contains("get_stock, multiply", unlisted.Message, StringComparison.Ordinal);
        var withoutCall = Assert.Throws<ArgumentException>(() => ToolCallConstraint.ForHermes(tokenizer, Tools, requireCall: false, requiredTool: "multiply"));
        Assert.Contains("requireCall", withoutCall.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_model_calls_a_tool_when_one_is_required_even_where_it_would_answer_in_text()
    {
        var request = new ChatRequest
        {
            Turns = [new ChatTurn(ChatRole.System, "You are a helpful assistant."), new ChatTurn(ChatRole.User, "Tell me about honey.")],
            Tools = Tools,
            MaxNewTokens = 96,
        };

        var free = await Demo.Value.CompleteAsync(request with { ConstrainToolCalls = true });
        Assert.Empty(free.ToolCalls);

        // Required without the constraint is only a wish: nothing changes.
        var unconstrained = await Demo.Value.CompleteAsync(request with { RequireToolCall = true });
        Assert.Equal(free.RawText, unconstrained.RawText);

        var any = await Demo.Value.CompleteAsync(request with { ConstrainToolCalls = true, RequireToolCall = true });
        Assert.Matches("""^<tool_call>\s*\{"name": "(get_stock|multiply)", "arguments": \{""", any.RawText);
        Assert.True(any.ToolCalls.Count == 1 || any.StopReason == Directer.Core.Generation.StopReason.MaxTokens, any.RawText);

        // Forced to get_stock, the model must write a get_stock call; what it puts in "product" is its own (a string value
        // may also run on until the token budget cuts the call off, which the parser then reports as malformed).
        var specific = await Demo.Value.CompleteAsync(request with { ConstrainToolCalls = true, RequireToolCall = true, RequiredToolName = "get_stock" });
        Assert.Matches("""^<tool_call>\s*\{"name": "get_stock", "arguments": \{"product": " """.TrimEnd(), specific.RawText);
        Assert.True(specific.ToolCalls is [{ Name: "get_stock" }] || specific.StopReason == Directer.Core.Generation.StopReason.MaxTokens, specific.RawText);
    }
}
