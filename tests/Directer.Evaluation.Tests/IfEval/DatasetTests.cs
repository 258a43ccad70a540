using Directer.Core.Chat;
using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Tests.IfEval;

public sealed class DatasetTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ifeval-tests-" + Guid.NewGuid().ToString("N"));

    public DatasetTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(params string[] lines)
    {
        string path = Path.Combine(_dir, "data.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    private const string Valid =
        """{"key": 1000, "prompt": "Write a poem.", "instruction_id_list": ["punctuation:no_comma", "length_constraints:number_words"], "kwargs": [{}, {"num_words": 50, "relation": "less than"}]}""";

    [Fact]
    public void Reads_official_rows()
    {
        var rows = IfEvalDataset.Read(Write(Valid,
            """{"key": "b", "prompt": "Hi.", "instruction_id_list": ["startend:quotation"], "kwargs": [{}], "emphasis": "Wrap it.", "system": "Be brief."}"""));
        Assert.Equal(2, rows.Count);
        Assert.Equal("1000", rows[0].Key);
        Assert.Equal("Write a poem.", rows[0].Prompt);
        Assert.Equal(["punctuation:no_comma", "length_constraints:number_words"], rows[0].InstructionIds);
        Assert.Equal(50, rows[0].Kwargs[1]["num_words"]!.GetValue<int>());
        Assert.Null(rows[0].Emphasis);
        Assert.Null(rows[0].System);
        Assert.Equal("b", rows[1].Key);
        Assert.Equal(["Wrap it."], rows[1].Emphasis);
        Assert.Equal("Be brief.", rows[1].System);
    }

    [Fact]
    public void Drops_null_kwargs_like_the_hugging_face_copy_needs()
    {
        var row = IfEvalDataset.Parse(
            """{"key": 1, "prompt": "p", "instruction_id_list": ["length_constraints:number_words"], "kwargs": [{"num_words": 5, "relation": "at least", "keyword": null, "num_highlights": null}]}""");
        Assert.Equal(["num_words", "relation"], row.Kwargs[0].Select(kv => kv.Key));
    }

    [Fact]
    public void Accepts_emphasis_lists_ignores_extra_fields_and_blank_lines()
    {
        var rows = IfEvalDataset.Read(Write("",
            """{"key": 1, "prompt": "p", "instruction_id_list": [], "kwargs": [], "emphasis": ["a", "b"], "response": "ignored"}""", "   "));
        Assert.Equal(["a", "b"], Assert.Single(rows).Emphasis);
    }

    [Theory]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]""", "not valid JSON")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    [InlineData("""{"prompt": "p", "instruction_id_list": [], "kwargs": []}""", "field 'key'")]
    [InlineData("""{"key": 1.5, "prompt": "p", "instruction_id_list": [], "kwargs": []}""", "field 'key'")]
    [InlineData("""{"key": 1, "instruction_id_list": [], "kwargs": []}""", "field 'prompt': expected a string")]
    [InlineData("""{"key": 1, "prompt": 3, "instruction_id_list": [], "kwargs": []}""", "field 'prompt'")]
    [InlineData("""{"key": 1, "prompt": "p", "kwargs": []}""", "field 'instruction_id_list'")]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": [7], "kwargs": [{}]}""", "field 'instruction_id_list[0]'")]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": ["punctuation:no_semicolon"], "kwargs": [{}]}""", "unknown instruction id \"punctuation:no_semicolon\"")]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": ["punctuation:no_comma"]}""", "field 'kwargs'")]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": ["punctuation:no_comma"], "kwargs": []}""", "expected 1 objects")]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [null]}""", "field 'kwargs[0]'")]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": ["length_constraints:number_words"], "kwargs": [{"num_words": "ten", "relation": "at least"}]}""", "kwarg 'num_words' must be an integer")]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": ["length_constraints:number_words"], "kwargs": [{"relation": "at least"}]}""", "'length_constraints:number_words': kwarg 'num_words'")]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": [], "kwargs": [], "emphasis": 5}""", "field 'emphasis'")]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": [], "kwargs": [], "emphasis": ["a", 5]}""", "field 'emphasis[1]'")]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": [], "kwargs": [], "system": ["a"]}""", "field 'system'")]
    [InlineData("""{"key": 1, "key": 2, "prompt": "p", "instruction_id_list": [], "kwargs": []}""", "repeats a property name")]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": [], "kwargs": [], "history": "earlier"}""", "field 'history'")]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": [], "kwargs": [], "history": [{"role": "system", "content": "x"}]}""", "field 'history[0].role': expected user, assistant or tool")]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": [], "kwargs": [], "history": [{"role": "user"}]}""", "field 'history[0].content'")]
    [InlineData("""{"key": 1, "prompt": "p", "instruction_id_list": [], "kwargs": [], "history": [{"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "f"}}]}]}""", "field 'history[0].tool_calls[0]'")]
    public void Bad_rows_name_file_line_and_field(string line, string expected)
    {
        string path = Write(Valid.Replace("1000", "1"), line);
        var e = Assert.Throws<InvalidDataException>(() => IfEvalDataset.Read(path));
        Assert.StartsWith($"{path}:2: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void History_turns_are_read_in_order_with_their_tool_calls()
    {
        var row = IfEvalDataset.Parse("""
            {"key": "k", "prompt": "Tell me about owls.", "instruction_id_list": [], "kwargs": [], "system": "Be brief.",
             "history": [{"role": "user", "content": "Stock of bolts?"},
                         {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "get_stock", "arguments": {"item": "bolt"}}}]},
                         {"role": "tool", "content": "{\"units\": 444}"},
                         {"role": "assistant", "content": "444 bolts."}]}
            """);
        Assert.NotNull(row.History);
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant], row.History.Select(t => t.Role));
        var call = Assert.Single(row.History[1].ToolCalls!);
        Assert.Equal("get_stock", call.Name);
        Assert.Equal("""{"item":"bolt"}""", call.ArgumentsJson);
        Assert.Equal("{\"units\": 444}", row.History[2].Content);
        Assert.Null(IfEvalDataset.Parse(Valid).History);
    }

    [Fact]
    public void Duplicate_keys_are_an_error()
    {
        string path = Write(Valid, "", Valid);
        var e = Assert.Throws<InvalidDataException>(() => IfEvalDataset.Read(path));
        Assert.Contains($"{path}:3", e.Message);
        Assert.Contains("duplicate key \"1000\"", e.Message);
        Assert.Contains("line 1", e.Message);
    }

    [Fact]
    public void Integer_and_string_keys_that_print_alike_are_duplicates()
    {
        string path = Write(Valid, Valid.Replace("1000", "\"1000\""));
        Assert.Throws<InvalidDataException>(() => IfEvalDataset.Read(path));
    }

    [Fact]
    public void Parse_defaults_name_the_input()
    {
        var e = Assert.Throws<InvalidDataException>(() => IfEvalDataset.Parse("{}"));
        Assert.StartsWith("<input>:1: field 'key'", e.Message);
    }

    [Fact]
    public void Rows_read_from_a_file_score()
    {
        var row = Assert.Single(IfEvalDataset.Read(Write(Valid)));
        var results = IfEvalScorer.Score(row, "A short poem without commas.");
        Assert.All(results, r => Assert.True(r.Strict));
    }
}
