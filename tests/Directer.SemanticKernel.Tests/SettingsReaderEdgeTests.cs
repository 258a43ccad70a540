using System.Text.Json;
using System.Reflection;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace Directer.SemanticKernel.Tests;

/// <summary>
/// The edges of reading Semantic Kernel settings: what Semantic Kernel handles itself is neither a request setting
/// nor reported as unmappable, non-finite floats of our own settings type are refused by name, JSON false is false,
/// and null arguments are argument errors.
/// </summary>
public sealed class SettingsReaderEdgeTests
{
    [Fact]
    public void WhatSemanticKernelHandlesItselfIsNotReportedAsUnmappable()
    {
        var settings = new PromptExecutionSettings
        {
            ServiceId = "svc",
            ModelId = "model",
            FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(),
            ExtensionData = new Dictionary<string, object>
            {
                ["chat_system_prompt"] = "You are terse.",
                ["chat_developer_prompt"] = "Be exact.",
                ["temperature"] = 0.5,
                ["not_a_setting"] = 1,
            },
        };
        var unmapped = new List<string>();
        var options = ExecutionSettingsReader.Read(settings, new RequestOptions(), unmapped);
        Assert.Equal(0.5f, options.Temperature);
        Assert.Equal(["not_a_setting"], unmapped);
    }

    [Fact]
    public void IntegerSettingsWrittenWithAZeroFractionAreAcceptedAsTheTableAcceptsThem()
    {
        // JSON elements (as a JSON/YAML prompt config gives them), numbers and strings with a .0 fraction.
        var settings = new PromptExecutionSettings
        {
            ExtensionData = new Dictionary<string, object>
            {
                ["max_tokens"] = JsonDocument.Parse("12.0").RootElement,
                ["top_k"] = 3.0,
                ["seed"] = JsonDocument.Parse("\"7.0\"").RootElement,
                ["max_trials"] = JsonDocument.Parse("2").RootElement,
            },
        };
        var table = ExecutionSettingsReader.Read(settings, new RequestOptions());
        var ours = DirecterPromptExecutionSettings.FromExecutionSettings(settings);
        Assert.Equal((12, 3, 7L, 2), (ours.MaxTokens, ours.TopK, ours.Seed, ours.MaxTrials));
        Assert.Equal((table.MaxTokens, table.TopK), (ours.MaxTokens, ours.TopK));

        // A real fraction stays an error naming the key.
        settings.ExtensionData["max_tokens"] = JsonDocument.Parse("12.5").RootElement;
        Assert.Contains("max_tokens", Assert.ThrowsAny<ArgumentException>(() => DirecterPromptExecutionSettings.FromExecutionSettings(settings)).Message);
    }

    [Theory]
    [InlineData("1e39")]
    [InlineData("\"1e39\"")]
    public void ATemperatureThatAFloatHoldsAsInfinityIsRefusedByTheTablesMessage(string json)
    {
        // A finite double that a float cannot hold: the table refuses it for every front end, before the typed
        // settings would have read it as Infinity (a number) or failed with "a value of the wrong type" (a string).
        var settings = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["temperature"] = JsonDocument.Parse(json).RootElement } };
        var error = Assert.Throws<ArgumentException>(() => DirecterPromptExecutionSettings.FromExecutionSettings(settings));
        Assert.StartsWith("Setting 'temperature' must be a finite number >= 0 (0 = greedy); got 1E+39", error.Message);
    }

    [Fact]
    public void NullDefaultsAreAnArgumentErrorEvenWithoutSettings()
    {
        Assert.Equal("defaults", Assert.Throws<ArgumentNullException>(() => ExecutionSettingsReader.Read(null, null!)).ParamName);
        Assert.Equal("defaults", Assert.Throws<ArgumentNullException>(() => ExecutionSettingsReader.Read(new PromptExecutionSettings(), null!)).ParamName);
    }

    [Theory]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    [InlineData(float.NaN, "NaN")]
    public void ANonFiniteTemperatureOfOurOwnTypeIsRefusedByName(float value, string name)
    {
        var settings = new DirecterPromptExecutionSettings { Temperature = value };
        var error = Assert.Throws<ArgumentException>(settings.Validate);
        Assert.StartsWith("Setting 'temperature' must be ", error.Message);
        Assert.Contains(name, error.Message);
    }

    [Fact]
    public void AFiniteTemperatureOfOurOwnTypeIsReadAsTheNumber()
    {
        Assert.Equal(0.25f, new DirecterPromptExecutionSettings { Temperature = 0.25f }.ToRequestOptions(new RequestOptions()).Temperature);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AJsonBooleanIsReadAsItself(bool value)
    {
        var plain = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["constrain_tool_calls"] = value, ["enable_thinking"] = value } };
        var ours = DirecterPromptExecutionSettings.FromExecutionSettings(plain);
        Assert.Equal(value, ours.ConstrainToolCalls);
        Assert.Equal(value, ours.EnableThinking);
    }

    [Fact]
    public void ParsedSettingsRefuseANullChatOptions()
    {
        var parsed = new ParsedExecutionSettings(null, new RequestOptions());
        var prepare = typeof(ParsedExecutionSettings).GetMethod("PrepareChatOptionsForRequest", BindingFlags.Instance | BindingFlags.NonPublic)!;
        var error = Assert.Throws<TargetInvocationException>(() => prepare.Invoke(parsed, [null]));
        Assert.IsType<ArgumentNullException>(error.InnerException);

        var options = new ChatOptions();
        prepare.Invoke(parsed, [options]);
        Assert.Same(parsed.Options, options.RawRepresentationFactory!(null!));
    }
}
