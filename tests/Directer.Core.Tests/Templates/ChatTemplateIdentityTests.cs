using Directer.Core.Chat;
using Directer.Core.Templates;

namespace Directer.Core.Tests.Templates;

/// <summary>Which template a name or a model's text selects, and what it is called: every built-in name and alias, every
/// fragment that makes a real template one of the named families, and the errors that name the model.</summary>
public sealed class ChatTemplateIdentityTests
{
    [Theory]
    [InlineData("chatml", "chatml", "chatml")]
    [InlineData("qwen2", "qwen2", "qwen2")]
    [InlineData("smollm2", "smollm2", "smollm2")]
    [InlineData("qwen2.5", "qwen2.5", "qwen2.5")]
    [InlineData("llama3", "llama3", "llama3.1")]
    [InlineData("LLAMA3.1", "llama3", "llama3.1")]
    [InlineData("llama3.0", "llama3.0", "llama3.0")]
    [InlineData("llama2", "llama2", "llama2")]
    [InlineData("mistral", "mistral", "mistral")]
    [InlineData("Mistral-v0.3", "mistral", "mistral")]
    [InlineData("phi3", "phi3", "phi3")]
    [InlineData("phi3.5", "phi3.5", "phi3.5")]
    public void EachNameSelectsItsFamilysRealTemplateUnderItsCanonicalName(string name, string canonical, string fixture)
    {
        var template = (JinjaChatTemplate)ChatTemplates.ByName(name);
        Assert.Equal(canonical, template.Name);
        Assert.Equal(TemplateFixtures.Jinja(fixture), template.Source);
        Assert.Contains(canonical, ChatTemplates.Names);
    }

    [Fact]
    public void TheNamesAreTheTenFamiliesAndTheToolCapableOnesAmongThem()
    {
        Assert.Equal(["chatml", "qwen2", "qwen2.5", "smollm2", "llama3", "llama3.0", "llama2", "mistral", "phi3", "phi3.5"], ChatTemplates.Names);
        Assert.Equal(["qwen2.5", "llama3", "mistral"], ChatTemplates.ToolCapableNames);
    }

    [Theory]
    [InlineData("llama2", "<s>[INST] a [/INST] b </s>")]
    [InlineData("mistral", "<s>[INST] a[/INST] b</s>")]
    [InlineData("phi3", "<|user|>\na<|end|>\n<|assistant|>\nb<|end|>\n<|endoftext|>")]
    [InlineData("phi3.5", "<|user|>\na<|end|>\n<|assistant|>\nb<|end|>\n<|endoftext|>")]
    [InlineData("llama3.0", "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\na<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nb<|eot_id|>")]
    public void EachFamilyRendersItsTokenizersBosAndEosStrings(string name, string expected)
    {
        var turns = new[] { new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.Assistant, "b") };
        Assert.Equal(expected, ChatTemplates.ByName(name).Render(turns, [], false).Text);
    }

    [Fact]
    public void TheCallersBosAndEosStringsReplaceTheFamilyDefaults()
    {
        var turns = new[] { new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.Assistant, "b") };
        var options = new ChatTemplateOptions { BosToken = "<B>", EosToken = "<E>" };
        Assert.Equal("<B>[INST] a [/INST] b <E>", ChatTemplates.ByName("llama2", options).Render(turns, [], false).Text);
        Assert.Equal("<|user|>\na<|end|>\n<|assistant|>\nb<|end|>\n<E>", ChatTemplates.ByName("phi3", options with { BosToken = null }).Render(turns, [], false).Text);
    }

    /// <summary>The verbatim fragments of each real template whose absence means a template that renders differently
    /// (other literals, other rules), so a template without any one of them is not that family.</summary>
    public static TheoryData<string, string> FamilyFragments() => new()
    {
        { "qwen2.5", "You are Qwen, created by Alibaba Cloud. You are a helpful assistant." },
        { "qwen2.5", "<|im_start|>" },
        { "qwen2.5", "# Tools" },
        { "qwen2.5", "<tools>" },
        { "qwen2.5", "<tool_response>" },
        { "qwen2.5", "tool_call.arguments | tojson" },
        { "qwen2.5", """<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>""" },
        { "qwen2.5", "(message.role == \"assistant\" and not message.tool_calls)" },
        { "llama3.1", "Cutting Knowledge Date: December 2023" },
        { "llama3.1", "<|start_header_id|>" },
        { "llama3.1", "\"26 Jul 2024\"" },
        { "llama3.1", "tools_in_user_message" },
        { "llama3.1", "first_user_message" },
        { "llama3.1", "This model only supports single tool-calls at once!" },
        { "llama3.1", "<|start_header_id|>ipython<|end_header_id|>" },
        { "llama3.1", "<|eot_id|>" },
        { "llama3.0", "<|start_header_id|>" },
        { "llama3.0", "<|end_header_id|>" },
        { "llama3.0", "message['content'] | trim + '<|eot_id|>'" },
        { "llama3.0", "bos_token + content" },
        { "llama3.0", "if add_generation_prompt" },
        { "mistral", "[/INST]" },
        { "mistral", "\"[INST] \" + message[\"content\"] + \"[/INST]\"" },
        { "mistral", "[AVAILABLE_TOOLS] [" },
        { "mistral", "[TOOL_CALLS] [" },
        { "mistral", "[TOOL_RESULTS] {" },
        { "mistral", "ns.index" },
        { "mistral", "loop.last and system_message is defined" },
        { "mistral", "Tool call IDs should be alphanumeric strings with length 9!" },
        { "mistral", "\" \" + message[\"content\"]|trim + eos_token" },
        { "llama2", "<<SYS>>" },
        { "llama2", "[INST]" },
        { "llama2", "bos_token + '[INST] ' + content.strip() + ' [/INST]'" },
        { "llama2", "' '  + content.strip() + ' ' + eos_token" },
        { "llama2", "system_message != false" },
        { "llama2", "Conversation roles must alternate user/assistant/user/assistant/..." },
        { "phi3.5", "message['role'] == 'system' and message['content']" },
        { "phi3.5", "<|system|>" },
        { "phi3.5", "<|user|>" },
        { "phi3.5", "<|assistant|>" },
        { "phi3.5", "<|end|>" },
        { "phi3.5", "{{ eos_token }}" },
        { "phi3.5", "if add_generation_prompt" },
        { "phi3", "<|end|>" },
        { "phi3", "<|system|>" },
        { "phi3", "<|user|>" },
        { "phi3", "<|assistant|>" },
        { "phi3", "{{ eos_token }}" },
        { "phi3", "if add_generation_prompt" },
        { "phi3", "message['role'] == 'system' %}" },
    };

    [Theory]
    [MemberData(nameof(FamilyFragments))]
    public void ATemplateWithoutOneOfItsFamilysFragmentsIsNoNamedFamily(string fixture, string fragment)
    {
        string jinja = TemplateFixtures.Jinja(fixture);
        Assert.NotNull(ChatTemplates.Identify(jinja));
        Assert.Contains(fragment, jinja, StringComparison.Ordinal);
        // A zero-width space after the fragment's first character: the text is gone, everything else stays.
        string variant = jinja.Replace(fragment, fragment[..1] + "\u200B" + fragment[1..], StringComparison.Ordinal);
        Assert.DoesNotContain(fragment, variant, StringComparison.Ordinal);
        Assert.Null(ChatTemplates.Identify(variant));
    }

    [Theory]
    [InlineData("qwen2.5", "reasoning_content")]
    [InlineData("qwen2.5", "vision_start")]
    [InlineData("llama3.1", "<|image|>")]
    [InlineData("llama3.0", "Cutting Knowledge")]
    [InlineData("llama3.0", "tools")]
    [InlineData("mistral", "[SYSTEM_PROMPT]")]
    [InlineData("llama2", "DEFAULT_SYSTEM_MESSAGE")]
    [InlineData("llama2", "You are a helpful, respectful and honest assistant")]
    [InlineData("phi3.5", "tools")]
    [InlineData("phi3", "tools")]
    public void ATemplateThatAlsoHoldsAMarkerOfAnotherKindIsNoNamedFamily(string fixture, string marker)
    {
        string jinja = TemplateFixtures.Jinja(fixture);
        Assert.NotNull(ChatTemplates.Identify(jinja));
        // A jinja comment renders nothing, so only the identification can change.
        string variant = jinja + "{# " + marker + " #}";
        string? identified = ChatTemplates.Identify(variant);
        Assert.NotEqual(ChatTemplates.Identify(jinja), identified);
    }

    [Theory]
    [InlineData("You are a helpful\\n assistant.", "You are a helpful\n assistant.")]
    [InlineData("You are a helpful\\t assistant.", "You are a helpful\t assistant.")]
    [InlineData("You are a helpful\\\\ assistant.", "You are a helpful\\ assistant.")]
    public void ADefaultSystemPromptWithAnEscapedCharacterIsAnotherPrompt(string written, string rendered)
    {
        // jinja reads the escape as the character, so the template's prompt is no longer Qwen2's: not that family, and
        // its own prompt renders.
        string variant = TemplateFixtures.Jinja("qwen2").Replace("You are a helpful assistant.", written, StringComparison.Ordinal);
        Assert.Null(ChatTemplates.Identify(variant));
        var template = ChatTemplates.Detect(variant, null);
        Assert.Equal(ChatTemplates.CustomName, template.Name);
        Assert.Equal("<|im_start|>system\n" + rendered + "<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n", template.Render([new ChatTurn(ChatRole.User, "Hi")], [], false).Text);
    }

    [Fact]
    public void AMissingTemplateWithoutAModelTypeSaysSoAndListsTheNames()
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplates.Detect("", null));
        Assert.Equal(
            "The model has no chat template (no \"chat_template\" in tokenizer_config.json and no chat_template.jinja), so Hugging Face would refuse to format a conversation for it. " +
            "Choose a built-in format explicitly with one of: chatml, qwen2, qwen2.5, smollm2, llama3, llama3.0, llama2, mistral, phi3, phi3.5.",
            error.Message);
    }

    [Fact]
    public void ABrokenTemplateWithoutAModelTypeKeepsTheEnginesErrorAsItsCause()
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplates.Detect("{% for m in messages %}", null));
        var inner = Assert.IsType<ChatTemplateException>(error.InnerException);
        Assert.Equal("The model's chat template cannot be used: " + inner.Message, error.Message);
    }

    [Fact]
    public void NullNamesAndTemplatesAreArgumentErrors()
    {
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => ChatTemplates.ByName(null!)).ParamName);
        Assert.Equal("chatTemplateJinja", Assert.Throws<ArgumentNullException>(() => ChatTemplates.Identify(null!)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => JinjaChatTemplate.DetectToolCallFormat(null!)).ParamName);
    }

    [Fact]
    public void AnUnknownNameIsQuotedAsGiven()
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplates.ByName(" Vicuna "));
        Assert.Equal("Unknown chat template name ' Vicuna '. Known names: chatml, qwen2, qwen2.5, smollm2, llama3, llama3.0, llama2, mistral, phi3, phi3.5.", error.Message);
    }

    [Theory]
    [InlineData("{{ x }}[TOOL_CALLS]<tool_call><function=", ToolCallFormat.Mistral)]
    [InlineData("<tool_call><function=", ToolCallFormat.QwenXml)]
    [InlineData("<function=", ToolCallFormat.None)]
    [InlineData("<tool_call>\"parameters\" ipython", ToolCallFormat.Hermes)]
    [InlineData("<|tool_call|> \"parameters\" ipython", ToolCallFormat.Granite)]
    [InlineData("\"parameters\" <|python_tag|>", ToolCallFormat.Llama3Json)]
    [InlineData("\"parameters\" ipython", ToolCallFormat.Llama3Json)]
    [InlineData("\"parameters\"", ToolCallFormat.None)]
    [InlineData("<|python_tag|> ipython parameters", ToolCallFormat.None)]
    public void TheToolCallFormatIsTheFirstMarkupTheTemplateWrites(string source, ToolCallFormat expected) =>
        Assert.Equal(expected, JinjaChatTemplate.DetectToolCallFormat(source));
}
