using System.Globalization;
using Directer.Core.Requests;

namespace Directer.Testing;

/// <summary>
/// Edge cases of every request setting, derived from the table itself (<see cref="RequestSettings"/>): each bound
/// accepted or refused as its inclusivity says, just past it refused or accepted, a value of the wrong type, every
/// choice and a wrong one. Every front end's test runs the same cases, so the front ends agree on names, ranges and
/// messages.
/// </summary>
public static class RequestSettingCases
{
    /// <summary>One case: <paramref name="Value"/> (invariant text, as prompt YAML or a command line gives it) for
    /// <paramref name="Setting"/>; <paramref name="Error"/> is the message after the setting's name, null when the
    /// value is accepted; <paramref name="WrongType"/> when the value is not even of the setting's type.</summary>
    public sealed record Case(RequestSetting Setting, string Value, string? Error, bool WrongType = false)
    {
        /// <summary>The value as a number, for front ends with typed properties.</summary>
        public double Number => double.Parse(Value, NumberStyles.Float, CultureInfo.InvariantCulture);

        /// <inheritdoc />
        public override string ToString() => $"{Setting.Key}={Value} → {Error ?? "accepted"}";
    }

    /// <summary>Every case of every setting.</summary>
    public static IReadOnlyList<Case> All { get; } = RequestSettings.All.SelectMany(For).ToList();

    /// <summary>The cases whose value is in or out of a numeric range (what configuration can bind).</summary>
    public static IEnumerable<Case> Ranges => All.Where(c => c.Setting.Kind is RequestSettingKind.Number or RequestSettingKind.Integer && !c.WrongType);

    private static IEnumerable<Case> For(RequestSetting s)
    {
        string Got(double v) => $" must be {s.Expected}; got {Text(v)}.";
        switch (s.Kind)
        {
            case RequestSettingKind.Number or RequestSettingKind.Integer:
                bool integer = s.Kind == RequestSettingKind.Integer;
                double step = integer ? 1 : 1e-3;
                if (s.Minimum is double min)
                {
                    yield return s.MinimumExclusive ? new Case(s, Text(min), Got(min)) : new Case(s, Text(min), null);
                    yield return s.MinimumExclusive ? new Case(s, Text(min + step), null) : new Case(s, Text(min - step), Got(min - step));
                }

                if (s.Maximum is double max && max < int.MaxValue)
                {
                    yield return s.MaximumExclusive ? new Case(s, Text(max), Got(max)) : new Case(s, Text(max), null);
                    yield return s.MaximumExclusive ? new Case(s, Text(max - step), null) : new Case(s, Text(max + step), Got(max + step));
                }

                if (!integer && s.Maximum is null && s.Finite)
                {
                    yield return new Case(s, "Infinity", Got(double.PositiveInfinity));
                }

                if (s.Minimum is null && s.Maximum is null)
                {
                    yield return new Case(s, "-12345", null);
                }

                yield return integer ? new Case(s, "2.5", " must be an integer; got 2.5.", WrongType: true) : new Case(s, "abc", " must be a number; got \"abc\".", WrongType: true);
                break;
            case RequestSettingKind.Boolean:
                yield return new Case(s, "true", null);
                yield return new Case(s, "false", null);
                yield return new Case(s, "maybe", " must be true or false; got \"maybe\".");
                break;
            case RequestSettingKind.Choice:
                foreach (string choice in s.Choices.Concat(s.ChoiceAliases.Keys))
                {
                    yield return new Case(s, choice, null);
                }

                yield return new Case(s, "magic", $": 'magic' is not one of {string.Join(", ", s.Choices)}.");
                break;
            case RequestSettingKind.TextList:
                yield return new Case(s, "be brief", null);
                yield return new Case(s, string.Empty, " must hold non-empty strings; got an empty one.");
                break;
            case RequestSettingKind.ResponseFormat:
                yield return new Case(s, "json_object", null);
                yield return new Case(s, "text", null);
                yield return new Case(s, "xml", ": 'xml' is not \"text\", \"json_object\" or a JSON schema object.");
                break;
        }
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
