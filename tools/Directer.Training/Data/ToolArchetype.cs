using System.Text.Json.Nodes;

namespace Directer.Training.Data;

/// <summary>
/// A family of tools (weather lookup, e-mail, calculator, ...) from which concrete tools are generated with
/// varied names, argument names, descriptions and values, so that the model learns to read the tool list
/// and copy from the request rather than memorise.
/// </summary>
internal sealed record ToolArchetype
{
    /// <summary>Stable identifier; two tools in one prompt never share it (except the made-up family).</summary>
    public required string Id { get; init; }

    /// <summary>Verb options for the tool name.</summary>
    public required string[] Verbs { get; init; }

    /// <summary>Noun options for the tool name (snake_case, may use variables).</summary>
    public required string[] Nouns { get; init; }

    /// <summary>Description options (may use variables).</summary>
    public required string[] Descriptions { get; init; }

    /// <summary>Arguments, in schema order.</summary>
    public required ToolSlot[] Slots { get; init; }

    /// <summary>When true, all slots take the same index into their <see cref="ToolSlot.Names"/> (x/y, first/second).</summary>
    public bool LinkedNames { get; init; }

    /// <summary>User requests used for training data ({slot} and {variable} placeholders).</summary>
    public required string[] TrainRequests { get; init; }

    /// <summary>
    /// More training wordings, drawn together with <see cref="TrainRequests"/> only when the generator's wide wordings
    /// are on (the <c>--wide-wordings</c> option), so earlier stages' commands still produce their data bit for bit.
    /// Written without the held-out frames: no five-word window in common with <see cref="EvalRequests"/>.
    /// </summary>
    public string[] MoreTrainRequests { get; init; } = [];

    /// <summary>Held-out user requests for the evaluation set.</summary>
    public required string[] EvalRequests { get; init; }

    /// <summary>Builds the tool's result from the argument values.</summary>
    public required Func<SeededRandom, IReadOnlyDictionary<string, string>, JsonObject> Result { get; init; }

    /// <summary>Final-answer templates: {slot}, {variable} and {r.field} for result fields.</summary>
    public required string[] Answers { get; init; }

    /// <summary>Result fields a correct final answer must contain.</summary>
    public required string[] KeyResultFields { get; init; }

    /// <summary>Per-tool variables such as a made-up noun (null for ordinary archetypes).</summary>
    public Func<SeededRandom, Dictionary<string, string>>? Variables { get; init; }

    /// <summary>True for the family that may appear several times in one prompt (made-up nouns).</summary>
    public bool Repeatable { get; init; }
}
