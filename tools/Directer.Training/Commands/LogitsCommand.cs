using System.Globalization;
using System.Text.Json.Nodes;
using Directer.Core.Checkpoints;
using Directer.Training.Checkpoint;
using Directer.Training.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Training.Commands;

/// <summary>
/// `logits`: loads a checkpoint folder written by `train` and prints the float32 logits for given token ids as
/// JSON, for comparison with reference/llama_reference.py (an independent forward of HF's Qwen2 math).
/// </summary>
internal static class LogitsCommand
{
    public static int Run(Options o)
    {
        string dir = o.Required("model");
        var ids = o.Required("ids").Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        o.EnsureAllUsed();
        torch.InitializeDeviceType(DeviceType.CPU);
        using var model = Load(dir);
        using var noGrad = no_grad();
        using var input = tensor(ids, new long[] { 1, ids.Length });
        using var logits = model.Logits(input);
        var rows = new JsonArray();
        for (int t = 0; t < ids.Length; t++)
        {
            using var row = logits[0, t];
            rows.Add(new JsonArray(row.data<float>().ToArray().Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()));
        }

        Console.WriteLine(new JsonObject { ["input_ids"] = new JsonArray(ids.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()), ["logits"] = rows }.ToJsonString());
        return 0;
    }

    /// <summary>Loads config.json + model.safetensors into a training model computing in <paramref name="compute"/>.</summary>
    public static Qwen2ForTraining Load(string dir, ScalarType compute = ScalarType.Float32)
    {
        var shape = Qwen2CheckpointWriter.ReadShape(Path.Combine(dir, "config.json"));
        var model = new Qwen2ForTraining(shape, compute);
        var weights = SafetensorsFile.ReadAll(Path.Combine(dir, "model.safetensors"), ScalarType.Float32);
        try
        {
            model.LoadNamedWeights(weights);
        }
        finally
        {
            foreach (var t in weights.Values)
            {
                t.Dispose();
            }
        }

        model.eval();
        return model;
    }
}
