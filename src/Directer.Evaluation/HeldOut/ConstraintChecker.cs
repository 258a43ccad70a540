using System.Text.Json;
using System.Text.RegularExpressions;

namespace Directer.Evaluation.HeldOut;

/// <summary>
/// Decides whether a reply satisfies a <see cref="Constraint"/> of the demo model's data. The same checker
/// validates the generated training answers and grades the held-out evaluation, so the two cannot drift.
/// </summary>
public static class ConstraintChecker
{
    /// <summary>True when <paramref name="reply"/> (trimmed) meets <paramref name="constraint"/>.</summary>
    public static bool IsSatisfied(Constraint constraint, string reply)
    {
        string text = reply.Trim();
        return constraint.Kind switch
        {
            ConstraintKind.Lowercase => text.Length > 0 && !text.Any(char.IsUpper),
            ConstraintKind.NoCommas => !text.Contains(',', StringComparison.Ordinal),
            ConstraintKind.EndWith => text.EndsWith(constraint.Text!, StringComparison.Ordinal),
            ConstraintKind.Bullets => CountBullets(text) == constraint.Count,
            ConstraintKind.Json => IsJsonObjectWithKeys(text, constraint.Keys!),
            ConstraintKind.WordLimit => CountWords(text) is > 0 and var n && n <= constraint.Count,
            ConstraintKind.Include => ContainsWord(text, constraint.Text!),
            ConstraintKind.Avoid => !ContainsWord(text, constraint.Text!),
            _ => throw new InvalidOperationException($"Unknown constraint {constraint.Kind}."),
        };
    }

    /// <summary>Lines starting with "- " or "* " (after leading spaces).</summary>
    public static int CountBullets(string text)
        => text.Split('\n').Count(line => line.TrimStart().StartsWith("- ", StringComparison.Ordinal) || line.TrimStart().StartsWith("* ", StringComparison.Ordinal));

    /// <summary>Whitespace-separated words.</summary>
    public static int CountWords(string text)
        => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>Whole-word, case-insensitive match.</summary>
    public static bool ContainsWord(string text, string word)
        => Regex.IsMatch(text, @"(?<![\p{L}\p{N}])" + Regex.Escape(word) + @"(?![\p{L}\p{N}])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The whole text is one JSON object holding every key of <paramref name="keys"/>.</summary>
    public static bool IsJsonObjectWithKeys(string text, IReadOnlyList<string> keys)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            return keys.All(k => doc.RootElement.TryGetProperty(k, out _));
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
