using Directer.Evaluation.HeldOut;

namespace Directer.Evaluation.Tests.HeldOut;

public sealed class HeldOutSetTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("heldout-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("{\"id\": \"a\", \"kind\": \"poem\", \"messages\": []}", "\"kind\" is 'poem'")]
    [InlineData("{\"id\": \"a\", \"kind\": \"tool_call\", \"messages\": []}", "needs \"expected_tool_call\"")]
    [InlineData("{\"kind\": \"constraint\", \"messages\": []}", "\"id\" is missing")]
    [InlineData("{\"id\": \"a\", \"kind\": \"constraint\", \"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}", "role 'robot'")]
    [InlineData("{\"id\": \"a\", \"kind\": \"constraint\", \"messages\": [], \"constraints\": [{\"type\": \"rhymes\"}]}", "Unknown constraint type 'rhymes'")]
    [InlineData("[1, 2]", "not a JSON object")]
    [InlineData("{\"id\": ", "")]
    public void Bad_rows_name_the_file_the_line_and_the_problem(string badLine, string expected)
    {
        string path = Path.Combine(dir, "set.jsonl");
        File.WriteAllLines(path, ["{\"id\": \"ok\", \"kind\": \"constraint\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"constraints\": [{\"type\": \"lowercase\"}]}", "", badLine]);
        var e = Assert.Throws<InvalidDataException>(() => HeldOutSet.Read(path));
        Assert.StartsWith(path + ":3: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        string path = Path.Combine(dir, "absent.jsonl");
        var e = Assert.Throws<FileNotFoundException>(() => HeldOutSet.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }
}
