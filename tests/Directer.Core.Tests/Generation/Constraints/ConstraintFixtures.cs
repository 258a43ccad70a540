using System.Text;
using Directer.Core.Generation.Constraints;
using Directer.Core.Templates;
using Directer.Core.Tokenization;
using Directer.Core.Chat;

namespace Directer.Core.Tests.Generation.Constraints;

/// <summary>Tools, grammars and tokenizers shared by the tool-call constraint tests.</summary>
internal static class ConstraintFixtures
{
    public static readonly ToolDefinition GetWeather = new(
        "get_weather",
        "Weather forecast.",
        """
        {"type": "object", "properties": {
          "city": {"type": "string"},
          "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
          "days": {"type": "integer"},
          "detailed": {"type": "boolean"}},
         "required": ["city"]}
        """);

    public static readonly ToolDefinition GetStock = new(
        "get_stock",
        "Units in stock.",
        """{"type": "object", "properties": {"product": {"type": "string"}}, "required": ["product"]}""");

    public static readonly ToolDefinition Multiply = new(
        "multiply",
        "Multiplies two numbers.",
        """{"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}""");

    /// <summary>Untyped arguments (any JSON value), none required.</summary>
    public static readonly ToolDefinition Configure = new(
        "configure",
        "Untyped settings.",
        """{"type": "object", "properties": {"options": {}, "tags": {"type": "array"}, "level": {"enum": [1, 12, "max"]}}}""");

    /// <summary>No declared properties: any JSON object.</summary>
    public static readonly ToolDefinition Ping = new("ping", "No declared arguments.", """{"type": "object"}""");

    /// <summary>Keys "a" and "ab": after "a" is used, <c>"a</c> must go on with <c>b</c>.</summary>
    public static readonly ToolDefinition Pair = new(
        "pair",
        null,
        """{"type": "object", "properties": {"a": {"type": "integer"}, "ab": {"type": "integer"}}}""");

    public static readonly ToolDefinition[] All = [GetWeather, GetStock, Multiply, Configure, Ping, Pair];

    public static ToolCallGrammar Grammar(params ToolDefinition[] tools) => new(tools.Select(ToolGrammar.From).ToList());

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The shipped demo model's folder (models/directer-demo), found above the test binaries.</summary>
    public static string DemoFolder { get; } = FindDemo();

    private static readonly Lazy<TextTokenizer> Demo = new(() => TextTokenizer.Load(DemoFolder));

    public static TextTokenizer DemoTokenizer => Demo.Value;

    private static string FindDemo()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "models", "directer-demo");
                if (File.Exists(Path.Combine(candidate, "tokenizer.json")) && File.Exists(Path.Combine(candidate, "config.json")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException($"models/directer-demo was not found above {AppContext.BaseDirectory}.");
    }
}
