using Directer.Core.Modeling;
using Directer.Core.Requests;
using Directer.Core.Templates;
using Microsoft.Extensions.Options;

namespace Directer.Extensions.AI.Tests.Requests;

/// <summary>
/// <see cref="DirecterConnectorOptions"/> without a model: each rule of <see cref="DirecterConnectorOptions.GetValidationErrors"/>
/// at its edge (the valid side gives no error, the invalid side exactly the error that names the setting), the
/// validator's and <c>Validate</c>'s wording with and without a name, the display id, and what the options hand on.
/// </summary>
public sealed class ConnectorOptionsValidationTests
{
    private static DirecterConnectorOptions Valid() => new() { ModelPath = "models/tiny" };

    private static string OnlyError(DirecterConnectorOptions options) => Assert.Single(options.GetValidationErrors());

    [Fact]
    public void ExactlyOneOfModelPathAndModelIdIsSet()
    {
        Assert.Empty(Valid().GetValidationErrors());
        Assert.Empty(new DirecterConnectorOptions { ModelId = "org/model" }.GetValidationErrors());

        string both = OnlyError(new DirecterConnectorOptions { ModelPath = "models/tiny", ModelId = "org/model" });
        Assert.StartsWith("ModelPath ('models/tiny') and ModelId ('org/model') are both set", both);

        foreach (var neither in new[] { new DirecterConnectorOptions(), new DirecterConnectorOptions { ModelPath = " ", ModelId = "\t" } })
        {
            Assert.StartsWith("Neither ModelPath nor ModelId is set", OnlyError(neither));
        }
    }

    [Fact]
    public void TheModelIdAndRevisionAreCheckedAsHubNames()
    {
        Assert.Empty(new DirecterConnectorOptions { ModelId = " org/model ", Revision = "main" }.GetValidationErrors());
        Assert.StartsWith("ModelId: ", OnlyError(new DirecterConnectorOptions { ModelId = "org/model/extra" }));
        string revision = OnlyError(new DirecterConnectorOptions { ModelId = "org/model", Revision = "a..b" });
        Assert.StartsWith("Revision: 'a..b' is not a valid git revision", revision);
        Assert.EndsWith(").", revision);
    }

    [Theory]
    [InlineData("Revision")]
    [InlineData("CacheDirectory")]
    [InlineData("Endpoint")]
    public void HubSettingsDoNotApplyToALocalFolder(string setting)
    {
        var options = Valid();
        switch (setting)
        {
            case "Revision": options.Revision = "main"; break;
            case "CacheDirectory": options.CacheDirectory = "cache"; break;
            default: options.Endpoint = "https://hub.example.org"; break;
        }

        Assert.StartsWith("Revision, CacheDirectory and Endpoint apply to ModelId", OnlyError(options));

        // With a model id the same setting is fine.
        options.ModelPath = null;
        options.ModelId = "org/model";
        Assert.Empty(options.GetValidationErrors());
    }

    [Fact]
    public void TheEndpointAndCacheDirectoryMustBeUsable()
    {
        string endpoint = OnlyError(new DirecterConnectorOptions { ModelId = "org/model", Endpoint = "not a url" });
        Assert.StartsWith("Endpoint: 'not a url' is not an absolute URL", endpoint);
        Assert.StartsWith("CacheDirectory is empty", OnlyError(new DirecterConnectorOptions { ModelId = "org/model", CacheDirectory = " " }));
    }

    [Fact]
    public void AChatTemplateMustBeKnown()
    {
        var known = Valid();
        known.ChatTemplate = ChatTemplates.Names[0];
        Assert.Empty(known.GetValidationErrors());

        var unknown = Valid();
        unknown.ChatTemplate = "no-such-template";
        string error = OnlyError(unknown);
        Assert.Equal($"ChatTemplate: 'no-such-template' is not a known template; use one of {string.Join(", ", ChatTemplates.Names)}, or leave it unset to detect it from the checkpoint.", error);
    }

    [Fact]
    public void TheDTypeMustBeDefined()
    {
        var options = Valid();
        options.DType = (ComputeDType)99;
        Assert.Equal($"DType: '99' is not one of {string.Join(", ", Enum.GetNames<ComputeDType>())}.", OnlyError(options));
    }

    [Theory]
    [InlineData("cpu", true)]
    [InlineData(" cpu ", true)]
    [InlineData("cuda", true)]
    [InlineData("cuda:1", true)]
    [InlineData("", false)]
    [InlineData(" ", false)]
    [InlineData("gpu", false)]
    [InlineData("CPU", false)]
    [InlineData("cpu:0", false)]
    public void TheDeviceIsCpuOrCuda(string device, bool valid)
    {
        var options = Valid();
        options.Device = device;
        if (valid)
        {
            Assert.Empty(options.GetValidationErrors());
        }
        else
        {
            Assert.Equal($"Device: '{device}' is not 'cpu', 'cuda' or 'cuda:N'.", OnlyError(options));
        }
    }

    [Fact]
    public void ThreadsAndMaxSequenceLengthAreAtLeastOne()
    {
        var options = Valid();
        options.Threads = 1;
        options.MaxSequenceLength = 1;
        Assert.Empty(options.GetValidationErrors());

        options.Threads = 0;
        Assert.Equal("Threads must be >= 1 (or unset for torch's choice); got 0.", OnlyError(options));
        options.Threads = null;
        options.MaxSequenceLength = 0;
        Assert.Equal("MaxSequenceLength must be >= 1 (or unset for the model's default); got 0.", OnlyError(options));
    }

    [Fact]
    public void ServingLimitsAndDefaultsAreCheckedByTheirOwnRules()
    {
        var serving = Valid();
        serving.CacheSlots = 0;
        Assert.Contains(serving.GetValidationErrors(), e => e.StartsWith("CacheSlots must be at least 1", StringComparison.Ordinal));

        var defaults = Valid();
        defaults.Defaults = new RequestOptions { Temperature = -1 };
        Assert.StartsWith("Defaults:", OnlyError(defaults));
        Assert.Contains("Temperature", OnlyError(defaults));

        var none = Valid();
        none.Defaults = null!;
        Assert.Equal("Defaults must not be null.", OnlyError(none));
    }

    [Fact]
    public void ATelemetrySourceNameMustNotBeEmpty()
    {
        var options = Valid();
        options.TelemetrySourceName = "Mine";
        Assert.Empty(options.GetValidationErrors());
        options.TelemetrySourceName = " ";
        Assert.StartsWith("TelemetrySourceName is empty", OnlyError(options));
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var options = new DirecterConnectorOptions { Device = "gpu", Threads = 0, TelemetrySourceName = "" };
        Assert.Equal(4, options.GetValidationErrors().Count); // no model, device, threads, telemetry name
    }

    [Fact]
    public void TheValidatorAndValidateNameTheOptions()
    {
        var validator = new DirecterConnectorOptionsValidator();
        Assert.Same(ValidateOptionsResult.Success, validator.Validate(null, Valid()));
        Assert.Throws<ArgumentNullException>(() => validator.Validate(null, null!));

        var bad = Valid();
        bad.Threads = 0;
        bad.MaxSequenceLength = 0;
        var unnamed = validator.Validate("", bad);
        Assert.True(unnamed.Failed);
        Assert.Equal(
            ["Directer connector options: Threads must be >= 1 (or unset for torch's choice); got 0.",
             "Directer connector options: MaxSequenceLength must be >= 1 (or unset for the model's default); got 0."],
            unnamed.Failures);
        Assert.All(validator.Validate("local", bad).Failures!, f => Assert.StartsWith("Directer connector options 'local': ", f));
    }

    [Fact]
    public void ValidateThrowsOneErrorListingEveryProblem()
    {
        Valid().Validate();
        var bad = Valid();
        bad.Threads = 0;
        bad.MaxSequenceLength = 0;
        Assert.Equal(
            "Directer connector options are invalid: Threads must be >= 1 (or unset for torch's choice); got 0. MaxSequenceLength must be >= 1 (or unset for the model's default); got 0.",
            Assert.Throws<ArgumentException>(() => bad.Validate()).Message);
        Assert.StartsWith("Directer connector options 'local' are invalid: ", Assert.Throws<ArgumentException>(() => bad.Validate("local")).Message);
    }

    [Theory]
    [InlineData(" org/model ", "models/tiny", "org/model")]
    [InlineData(null, " models/tiny/ ", "tiny")]
    [InlineData(" ", "models/tiny", "tiny")]
    [InlineData(null, null, "")]
    [InlineData(null, " ", "")]
    public void TheDisplayIdIsTheModelIdOrTheFolderName(string? id, string? path, string expected)
    {
        Assert.Equal(expected, new DirecterConnectorOptions { ModelId = id, ModelPath = path }.DisplayModelId);
    }

    [Fact]
    public void TheOptionsHandOnEveryValue()
    {
        var options = new DirecterConnectorOptions
        {
            ModelId = "org/model", ChatTemplate = "chatml", DType = ComputeDType.BFloat16, Device = "cuda:1", Threads = 3, MaxSequenceLength = 77,
            CacheSlots = 5, MaxConcurrentRows = 4, ReusePrefixes = false, MaxQueuedRequests = 9,
            Endpoint = "https://hub.example.org", CacheDirectory = "cache", Offline = true, HubToken = "secret",
        };
        var chat = options.ToChatModelOptions();
        Assert.Equal("chatml", chat.ChatTemplate);
        Assert.Equal((ComputeDType.BFloat16, "cuda:1", (int?)3, (int?)77), (chat.Model.DType, chat.Model.Device, chat.Model.Threads, chat.Model.MaxSequenceLength));
        Assert.Equal((5, 4, false, 9), (chat.Serving.CacheSlots, chat.Serving.MaxConcurrentRows, chat.Serving.ReusePrefixes, chat.Serving.MaxQueuedRequests));

        var hub = options.ToHubOptions();
        Assert.Equal(new Uri("https://hub.example.org"), hub.Endpoint);
        Assert.Equal(("cache", (bool?)true, "secret"), (hub.CacheDirectory, hub.Offline, hub.Token));
        Assert.Null(new DirecterConnectorOptions { ModelId = "org/model" }.ToHubOptions().Endpoint);
    }
}
