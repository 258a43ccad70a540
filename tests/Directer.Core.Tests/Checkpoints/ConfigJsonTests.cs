using System.Text.Json;
using Directer.Core.Checkpoints;

namespace Directer.Core.Tests.Checkpoints;

/// <summary>
/// The typed reads of config.json fields: what transformers' <c>PretrainedConfig.to_json_string</c> (Python's
/// <c>json.dumps</c>) can write for each field kind is read, a Python integer written as a float (<c>8192.0</c>, as some
/// converted checkpoints carry) is that integer, JSON null is absent, and every other value is refused with the file,
/// the field (under its nested prefix, e.g. <c>rope_scaling.</c>) and the kind expected, exactly.
/// </summary>
public sealed class ConfigJsonTests
{
    private static ConfigJson Config(string json, string prefix = "") =>
        new(JsonDocument.Parse(json).RootElement, "ckpt/config.json", prefix);

    private static string Refusal(Action read) => Assert.Throws<CheckpointException>(read).Message;

    [Theory]
    [InlineData("8192", 8192)]
    [InlineData("8192.0", 8192)]
    [InlineData("-3", -3)]
    [InlineData("-3.0", -3)]
    [InlineData("0.0", 0)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("2147483647.0", int.MaxValue)]
    [InlineData("-2147483648.0", int.MinValue)]
    [InlineData("1e3", 1000)]
    public void AnIntegerMayBeWrittenAsAWholeFloat(string value, int expected)
    {
        var config = Config($"{{\"n\": {value}}}");
        Assert.Equal(expected, config.RequiredInt("n"));
        Assert.Equal(expected, config.OptionalInt("n"));
        Assert.Equal([expected], config.IntOrList("n"));
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("2147483648")]
    [InlineData("2147483648.0")]
    [InlineData("-2147483649.0")]
    [InlineData("1e300")]
    [InlineData("\"64\"")]
    [InlineData("true")]
    [InlineData("[]")]
    public void AnythingElseIsNotAnInteger(string value)
    {
        Assert.Equal($"ckpt/config.json: field 'rope_scaling.n' is {value}; expected an integer.", Refusal(() => Config($"{{\"n\": {value}}}", "rope_scaling.").RequiredInt("n")));
    }

    [Fact]
    public void AbsentAndNullFieldsAreMissing()
    {
        var config = Config("{\"a\": null}", "rope_scaling.");
        Assert.Null(config.OptionalInt("a"));
        Assert.Null(config.OptionalInt("b"));
        Assert.Null(config.OptionalDouble("a"));
        Assert.Null(config.OptionalBool("a"));
        Assert.Null(config.OptionalString("a"));
        Assert.Null(config.Get("a"));
        Assert.Empty(config.IntOrList("a"));
        Assert.Empty(config.IntOrList("b"));
        Assert.Equal("ckpt/config.json: required field 'rope_scaling.a' is missing.", Refusal(() => config.RequiredInt("a")));
        var error = Assert.Throws<CheckpointException>(() => config.RequiredInt("b"));
        Assert.Equal("ckpt/config.json: required field 'rope_scaling.b' is missing.", error.Message);
        Assert.Equal("ckpt/config.json", error.FilePath);
        Assert.Equal("ckpt/config.json", config.SourceName);
    }

    [Fact]
    public void ListsOfIntegersAreReadItemByItem()
    {
        Assert.Equal([2, 3, 4], Config("{\"eos\": [2, 3.0, 4]}").IntOrList("eos"));
        Assert.Empty(Config("{\"eos\": []}").IntOrList("eos"));
        Assert.Equal("ckpt/config.json: field 'eos' is \"x\"; expected an integer.", Refusal(() => Config("{\"eos\": [2, \"x\"]}").IntOrList("eos")));
    }

    [Theory]
    [InlineData("1e-5", 1e-5)]
    [InlineData("10000", 10000.0)]
    [InlineData("-0.5", -0.5)]
    public void NumbersAreDoubles(string value, double expected)
    {
        Assert.Equal(expected, Config($"{{\"x\": {value}}}").OptionalDouble("x"));
    }

    [Fact]
    public void EachKindNamesWhatItExpected()
    {
        var config = Config("{\"d\": \"1\", \"b\": 1, \"s\": 5, \"i\": {}}", "rope_parameters.");
        Assert.Equal("ckpt/config.json: field 'rope_parameters.d' is \"1\"; expected a number.", Refusal(() => config.OptionalDouble("d")));
        Assert.Equal("ckpt/config.json: field 'rope_parameters.b' is 1; expected true or false.", Refusal(() => config.OptionalBool("b")));
        Assert.Equal("ckpt/config.json: field 'rope_parameters.s' is 5; expected a string.", Refusal(() => config.OptionalString("s")));
        Assert.Equal("ckpt/config.json: field 'rope_parameters.i' is {}; expected an integer.", Refusal(() => config.OptionalInt("i")));
    }

    [Fact]
    public void BooleansAndStringsAreReadAsGiven()
    {
        var config = Config("{\"t\": true, \"f\": false, \"s\": \"llama\", \"e\": \"\"}");
        Assert.True(config.OptionalBool("t"));
        Assert.False(config.OptionalBool("f"));
        Assert.Equal("llama", config.OptionalString("s"));
        Assert.Equal(string.Empty, config.OptionalString("e"));
    }
}
