using Directer.Core.Templates;
using Directer.Core.Templates.Jinja;

namespace Directer.Core.Tests.Templates.Jinja;

/// <summary>What <see cref="JinjaTemplate.Compile"/> promises beyond jinja2's own rules: a template it accepts holds
/// no construct the engine lacks, and a broken one is refused with the engine's message, where jinja2 happens to be
/// more lenient.</summary>
public sealed class JinjaCompileContractTests
{
    [Fact]
    public void CompilingNoTemplateIsAnArgumentError() =>
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => JinjaTemplate.Compile(null!)).ParamName);

    /// <summary>An unsupported filter or test is refused when the template is compiled, even in a branch that never
    /// runs (jinja2 3.1 renders such a template and fails only if the filter runs): <see cref="JinjaTemplate.Compile"/>
    /// promises that a template it accepts holds no construct the engine lacks.</summary>
    [Theory]
    [InlineData("{% if false %}\n{{ x | frobnicate }}{% endif %}", "Chat template line 2: the filter 'frobnicate' is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).")]
    [InlineData("{% if false %}{{ x is frob }}{% endif %}", "Chat template line 1: the test 'frob' is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).")]
    public void AnUnsupportedFilterOrTestIsRefusedAtCompileTimeEvenWhereItNeverRuns(string source, string message) =>
        Assert.Equal(message, Assert.Throws<ChatTemplateException>(() => JinjaTemplate.Compile(source)).Message);

    /// <summary>Templates that end inside a raw block right after its opening tag: jinja2 renders nothing for them
    /// (its lexer stops at the end of the input without looking for the end tag); the engine refuses an unclosed
    /// raw block wherever it ends, with this message.</summary>
    [Theory]
    [InlineData("{% raw -%}  ")]
    [InlineData("{% raw %}")]
    [InlineData("a\n{% raw -%}\n")]
    public void ARawBlockWithoutEndRawIsRefusedEvenWhereJinja2RendersNothing(string source)
    {
        var error = Assert.Throws<ChatTemplateException>(() => JinjaTemplate.Compile(source));
        int line = source.StartsWith('a') ? 2 : 1;
        Assert.Equal($"Chat template syntax error at line {line}: unclosed {{% raw %}} block (no {{% endraw %}}).", error.Message);
    }
}
