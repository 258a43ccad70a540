using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Encodings.Web;

namespace Directer.Training.Data;

/// <summary>Writes JSON Lines (UTF-8, no BOM, non-ASCII kept readable).</summary>
internal static class JsonlWriter
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = false };

    public static void Write(string path, IEnumerable<JsonNode> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.NewLine = "\n";
        foreach (var row in rows)
        {
            writer.WriteLine(row.ToJsonString(Options));
        }
    }

    /// <summary>A training conversation as a JSONL row: messages, tools, kind and the rendered text.</summary>
    public static JsonObject ConversationRow(long index, GeneratedConversation c) => new()
    {
        ["index"] = index,
        ["kind"] = c.Kind.ToString(),
        ["messages"] = new JsonArray(c.Messages.Select(m => (JsonNode?)m.ToJson()).ToArray()),
        ["tools"] = new JsonArray(c.Tools.Select(t => (JsonNode?)t.ToJson()).ToArray()),
        ["constraints"] = new JsonArray(c.Constraints.Select(x => (JsonNode?)x.ToJson()).ToArray()),
        ["text"] = ChatMlRenderer.Render(c.Messages, c.Tools).Text,
    };
}
