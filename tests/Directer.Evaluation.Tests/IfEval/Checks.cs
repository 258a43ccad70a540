using System.Text.Json.Nodes;
using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Tests.IfEval;

/// <summary>Shorthands for binding an instruction and checking a response.</summary>
internal static class Checks
{
    /// <summary>The official check_following of <paramref name="id"/> with kwargs given as JSON.</summary>
    public static bool Follows(string id, string kwargsJson, string response)
        => IfEvalInstructions.CreateChecker(id, (JsonObject)JsonNode.Parse(kwargsJson)!).IsFollowed(response);

    /// <summary>The check of an instruction without kwargs.</summary>
    public static bool Follows(string id, string response) => Follows(id, "{}", response);

    /// <summary>Lines joined with "\n", to spell Python triple-quoted strings exactly.</summary>
    public static string Lines(params string[] lines) => string.Join("\n", lines);

    /// <summary>A row with one instruction.</summary>
    public static IfEvalRow Row(string id, string kwargsJson = "{}", string prompt = "Write something.")
        => new("1", prompt, [id], [(JsonObject)JsonNode.Parse(kwargsJson)!], null);
}
