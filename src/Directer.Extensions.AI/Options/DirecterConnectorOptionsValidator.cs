using Microsoft.Extensions.Options;

namespace Directer.Extensions.AI;

/// <summary>
/// Validates <see cref="DirecterConnectorOptions"/> when they are first read (the options pattern): a bad
/// configuration fails with an <see cref="OptionsValidationException"/> that lists every problem, each naming
/// the setting and what was expected.
/// </summary>
public sealed class DirecterConnectorOptionsValidator : IValidateOptions<DirecterConnectorOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DirecterConnectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.GetValidationErrors();
        if (errors.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        string which = string.IsNullOrEmpty(name) ? "Directer connector options" : $"Directer connector options '{name}'";
        return ValidateOptionsResult.Fail(errors.Select(e => $"{which}: {e}"));
    }
}
