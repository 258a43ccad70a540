using Directer.Core.Templates;
using Directer.Core.Chat;

namespace Directer.Core.Tests.Templates;

public sealed class RenderingValidationTests
{
    private static readonly ToolDefinition Tool = new("f", null, "{}");

    [Fact]
    public void MalformedConversationsAreArgumentErrors()
    {
        var template = ChatTemplates.ByName("qwen2.5");
        Assert.Throws<ArgumentException>(() => template.Render([], [], true));
        Assert.Throws<ArgumentException>(() => template.Render([new ChatTurn(ChatRole.User, null!)], [], true));
        var userWithCalls = new ChatTurn(ChatRole.User, "x") { ToolCalls = [new ToolCall("f", "{}")] };
        Assert.Contains("only assistant turns", Assert.Throws<ArgumentException>(() => template.Render([userWithCalls], [], true)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => template.Render([new ChatTurn(ChatRole.User, "x")], [new ToolDefinition("", null, "{}")], true));
    }

    [Fact]
    public void MistralRequiresNineCharacterIdsLikeItsTemplate()
    {
        var turns = new[]
        {
            new ChatTurn(ChatRole.User, "x"),
            new ChatTurn(ChatRole.Assistant, "") { ToolCalls = [new ToolCall("f", "{}", "call_1")] },
        };
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplates.ByName("mistral").Render(turns, [Tool], true));
        Assert.Contains("Tool call IDs should be alphanumeric strings with length 9!", error.Message, StringComparison.Ordinal);
        Assert.Contains("mistral", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LlamaToolsNeedAFirstUserTurn()
    {
        var llama = ChatTemplates.ByName("llama3");
        var none = Assert.Throws<ChatTemplateException>(() => llama.Render([new ChatTurn(ChatRole.System, "s")], [Tool], true));
        Assert.Contains("Cannot put tools in the first user message when there's no first user message!", none.Message, StringComparison.Ordinal);
        // Like transformers, a first message of another role is taken as the "first user message" (the template's own rule).
        Assert.Contains("<|start_header_id|>user<|end_header_id|>\n\nGiven the following functions", llama.Render([new ChatTurn(ChatRole.Assistant, "hi"), new ChatTurn(ChatRole.User, "x")], [Tool], true).Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("chatml")]
    [InlineData("llama3.0")]
    [InlineData("llama2")]
    [InlineData("phi3")]
    public void TemplatesWithoutToolFormatsRefuseToolsInsteadOfDroppingThem(string name)
    {
        var template = ChatTemplates.ByName(name);
        var error = Assert.Throws<ChatTemplateException>(() => template.Render([new ChatTurn(ChatRole.User, "x")], [Tool], true));
        Assert.Contains("silently drop", error.Message, StringComparison.Ordinal);
        Assert.Contains("qwen2.5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Phi3AndLlama2RefuseToolTurnsTheirTemplatesWouldDrop()
    {
        var turns = new[] { new ChatTurn(ChatRole.User, "x"), new ChatTurn(ChatRole.Tool, "result") };
        Assert.Throws<ChatTemplateException>(() => ChatTemplates.ByName("phi3").Render(turns, [], true));
        Assert.Throws<ChatTemplateException>(() => ChatTemplates.ByName("llama2").Render(turns, [], true));
        // ChatML renders a tool turn under its own role, as its template does.
        Assert.Equal("<|im_start|>user\nx<|im_end|>\n<|im_start|>tool\nresult<|im_end|>\n", ChatTemplates.ByName("chatml").Render(turns, [], false).Text);
    }

    [Fact]
    public void BosIsRenderedOnlyWhereTheTemplateRendersIt()
    {
        var turns = new[] { new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.Assistant, "b"), new ChatTurn(ChatRole.User, "c") };
        Assert.StartsWith("<|begin_of_text|>", ChatTemplates.ByName("llama3").Render(turns, [], true).Text, StringComparison.Ordinal);
        Assert.Equal("<s>[INST] a [/INST] b </s><s>[INST] c [/INST]", ChatTemplates.ByName("llama2").Render(turns, [], true).Text);
        Assert.Equal("<s>[INST] a[/INST] b</s>[INST] c[/INST]", ChatTemplates.ByName("mistral").Render(turns, [], true).Text);
        Assert.DoesNotContain("<s>", ChatTemplates.ByName("phi3").Render(turns, [], true).Text, StringComparison.Ordinal);
    }
}
