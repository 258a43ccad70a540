using Directer.Core.Templates;
using Directer.Core.Chat;

namespace Directer.Core.Tests.Templates;

public sealed class ChatTemplateSelectionTests
{
    public static TheoryData<string> TemplateIds()
    {
        var data = new TheoryData<string>();
        foreach (var spec in TemplateFixtures.TemplateSpecs())
        {
            data.Add(spec.GetProperty("id").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TemplateIds))]
    public void DetectsEachRealTemplate(string id)
    {
        var template = ChatTemplates.Detect(TemplateFixtures.Jinja(id), modelType: null);
        Assert.Equal(TemplateFixtures.Spec(id).GetProperty("renderer").GetString(), template.Name);
    }

    [Fact]
    public void DetectsTheChatMlFamilyThroughJinjaEscapesAndTheOldAddGenerationPromptPrelude()
    {
        // tokenizer_config.json often stores '\n' inside jinja string literals as a backslash escape.
        string escaped = TemplateFixtures.Jinja("smollm2").Replace("\n", "\\n", StringComparison.Ordinal);
        Assert.Equal("smollm2", ChatTemplates.Detect(escaped, "llama").Name);

        string dolphin = "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}" + TemplateFixtures.Jinja("chatml");
        Assert.Equal("chatml", ChatTemplates.Detect(dolphin, "mistral").Name);
    }

    [Fact]
    public void ChatMlWithAnUnknownDefaultSystemPromptRendersThatPrompt()
    {
        string template = TemplateFixtures.Jinja("qwen2").Replace("You are a helpful assistant.", "You are OpenCoder, created by OpenCoder Team.", StringComparison.Ordinal);
        var detected = ChatTemplates.Detect(template, "llama");
        var prompt = detected.Render([new ChatTurn(ChatRole.User, "Hi")], [], addGenerationPrompt: true);
        Assert.Equal("<|im_start|>system\nYou are OpenCoder, created by OpenCoder Team.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", prompt.Text);
    }

    [Theory]
    [InlineData("chatml")]
    [InlineData("QWEN2.5")]
    [InlineData("llama3.1")]
    [InlineData("mistral-v0.3")]
    [InlineData(" phi3 ")]
    public void ByNameAcceptsNamesAndAliases(string name)
    {
        var template = ChatTemplates.ByName(name);
        Assert.Contains(template.Name, ChatTemplates.Names);
    }

    [Fact]
    public void ByNameOverridesWhatTheTemplateWouldSelect()
    {
        // The model ships a Llama 2 template, the caller insists on ChatML: the caller's choice renders.
        string llama2 = TemplateFixtures.Jinja("llama2");
        Assert.Equal("llama2", ChatTemplates.Detect(llama2, "llama").Name);
        var chosen = ChatTemplates.ByName("chatml");
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n", chosen.Render([new ChatTurn(ChatRole.User, "Hi")], [], false).Text);
    }

    [Fact]
    public void OptionsReachTheRenderer()
    {
        var llama = ChatTemplates.ByName("llama3", new ChatTemplateOptions { DateString = "01 Jan 2025", BosToken = "<BOS>" });
        string text = llama.Render([new ChatTurn(ChatRole.User, "Hi")], [], true).Text;
        Assert.StartsWith("<BOS><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 01 Jan 2025\n\n<|eot_id|>", text, StringComparison.Ordinal);

        var tools = new[] { new ToolDefinition("f", null, "{\"type\": \"object\"}") };
        string inSystem = ChatTemplates.ByName("llama3", new ChatTemplateOptions { ToolsInUserMessage = false })
            .Render([new ChatTurn(ChatRole.User, "Hi")], tools, true).Text;
        Assert.Contains("You have access to the following functions.", inSystem, StringComparison.Ordinal);
        Assert.Contains("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", inSystem, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownNameListsTheKnownNames()
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplates.ByName("vicuna"));
        Assert.Contains("'vicuna'", error.Message, StringComparison.Ordinal);
        foreach (string name in ChatTemplates.Names)
        {
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnyOtherTemplateRendersItself()
    {
        const string vicuna = "{% for message in messages %}{% if message['role'] == 'user' %}USER: {{ message['content'] }}\n{% endif %}{% endfor %}ASSISTANT:";
        var template = ChatTemplates.Detect(vicuna, "llama");
        Assert.Equal(ChatTemplates.CustomName, template.Name);
        Assert.Equal("USER: Hi\nASSISTANT:", template.Render([new ChatTurn(ChatRole.User, "Hi")], [], true).Text);
    }

    [Fact]
    public void ABrokenTemplateIsAnErrorNamingTheModelAndTheLine()
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplates.Detect("{% for m in messages %}\n{{ m.content }}\n{% include 'x' %}", "llama"));
        Assert.Contains("model_type 'llama'", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("include", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("  ")]
    public void MissingTemplateIsAnError(string? template)
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplates.Detect(template, "qwen2"));
        Assert.Contains("no chat template", error.Message, StringComparison.Ordinal);
        Assert.Contains("qwen2.5", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("llama3.1", "{%- set date_string = \"26 Jul 2024\" %}", "{%- set date_string = strftime_now(\"%d %b %Y\") %}", "strftime_now")]
    [InlineData("qwen2.5", "{%- for message in messages %}", "{%- for message in messages %}{# <think> #}", "<think>")]
    [InlineData("mistral", "[AVAILABLE_TOOLS] [", "[AVAILABLE_TOOLS][", "[AVAILABLE_TOOLS] [")]
    [InlineData("phi3", "{% for message in messages %}", "{{ bos_token }}{% for message in messages %}", "bos_token")]
    [InlineData("llama2", "{% else %}{% set loop_messages = messages %}", "{% elif USE_DEFAULT_PROMPT == true %}{% set loop_messages = messages %}{% else %}{% set loop_messages = messages %}", "USE_DEFAULT_PROMPT")]
    [InlineData("chatml", "{{ '<|im_start|>assistant\n' }}", "{{ '<|im_start|>assistant\n' }}{{ eos_token }}", "ChatML")]
    public void VariantsThatRenderDifferentlyAreNotMistakenForANamedTemplate(string id, string original, string replacement, string marker)
    {
        string jinja = TemplateFixtures.Jinja(id);
        Assert.Contains(original, jinja, StringComparison.Ordinal);
        string variant = jinja.Replace(original, replacement, StringComparison.Ordinal);
        Assert.NotEqual(jinja, variant);
        Assert.False(string.IsNullOrEmpty(marker));
        var template = ChatTemplates.Detect(variant, null);
        Assert.Equal(ChatTemplates.CustomName, template.Name); // the variant's own text renders, under no family's name
    }

    [Fact]
    public void OnlyQwenLlama3AndMistralHaveToolFormats()
    {
        foreach (string name in ChatTemplates.Names)
        {
            Assert.Equal(ChatTemplates.ToolCapableNames.Contains(name), ChatTemplates.ByName(name).SupportsTools);
        }
    }
}
