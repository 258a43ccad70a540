using System.Diagnostics;
using System.Globalization;
using Directer.Training.Checkpoint;
using Directer.Training.Modeling;
using Directer.Training.Tokenization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Directer.Training.Training;

/// <summary>
/// Trains the Qwen2 demo model on generated conversations: AdamW (decay on matrices only), warm-up + cosine
/// learning rate, gradient clipping, loss on assistant tokens only. Seeds torch and the data stream, so the
/// same options re-make the same weights (on the same thread count).
/// </summary>
internal sealed class Trainer
{
    private readonly TrainOptions options;
    private readonly TextWriter log;

    public Trainer(TrainOptions options, TextWriter log)
    {
        this.options = options;
        this.log = log;
    }

    /// <summary>Result of a run.</summary>
    /// <param name="Losses">Loss of every step.</param>
    /// <param name="Steps">Steps run.</param>
    /// <param name="Seconds">Wall time of the optimisation loop.</param>
    /// <param name="TokensPerSecond">Non-padding tokens processed per second.</param>
    internal sealed record Result(IReadOnlyList<double> Losses, long Steps, double Seconds, double TokensPerSecond);

    /// <summary>Tokenizer trained by <see cref="Run"/> (or given to it).</summary>
    public BpeVocabulary? Vocabulary { get; private set; }

    /// <summary>The model after <see cref="Run"/>; the caller disposes it.</summary>
    public Qwen2ForTraining? Model { get; private set; }

    /// <summary>Trains; when <paramref name="outDir"/> is set, writes the checkpoint there (and every SaveEvery steps).</summary>
    public Result Run(string? outDir, BpeVocabulary? vocab = null)
    {
        if (options.Steps is null && options.Minutes is null)
        {
            throw new ArgumentException("Give --steps or --minutes.");
        }

        torch.set_num_threads(options.Threads);
        torch.manual_seed(options.Seed);
        var compute = options.ComputeBf16 ? ScalarType.BFloat16 : ScalarType.Float32;
        if (options.InitFrom is { } init)
        {
            // Warm start: the tokenizer must stay the one the weights were trained with.
            Vocabulary = vocab ??= HfTokenizerFiles.Read(Path.Combine(init, "tokenizer.json"));
            Model = Commands.LogitsCommand.Load(init, compute);
            log.WriteLine($"continuing from {init}");
        }
        else
        {
            Vocabulary = vocab ??= Commands.TokenizerCommand.Train(options.Seed, options.VocabSize, options.TokenizerCorpus, log);
            Model = new Qwen2ForTraining(ModelSizes.ByName(options.Size, vocab.Count), compute);
            Model.InitializeWeights();
        }

        var model = Model;
        var shape = model.Shape;
        log.WriteLine($"model: {options.Size} hidden {shape.HiddenSize}, layers {shape.NumLayers}, heads {shape.NumHeads}/{shape.NumKvHeads} (head_dim {shape.HeadDim}), "
            + $"mlp {shape.IntermediateSize}, vocab {shape.VocabSize}: {shape.ParameterCount:N0} parameters; compute {model.Compute}");

        var decay = model.NamedWeights().Where(p => p.Parameter.dim() >= 2).Select(p => p.Parameter).ToList();
        var noDecay = model.NamedWeights().Where(p => p.Parameter.dim() < 2).Select(p => p.Parameter).ToList();
        var groups = new[]
        {
            new AdamW.ParamGroup(decay, options.PeakLearningRate, 0.9, 0.95, 1e-8, options.WeightDecay, false, false),
            new AdamW.ParamGroup(noDecay, options.PeakLearningRate, 0.9, 0.95, 1e-8, 0.0, false, false),
        };
        using var optimizer = torch.optim.AdamW(groups, options.PeakLearningRate);
        var parameters = model.parameters().ToList();
        var source = new BatchSource(options.Seed, vocab, options.BatchSize, options.MaxLength, options.NovelShare, options.DrillShare, options.RandomCopyShare, options.LongContextShare, options.WideWordings, options.KeywordShare);

        long? total = options.Steps;
        var schedule = new LearningRateSchedule(options.PeakLearningRate, options.WarmupSteps, total ?? long.MaxValue);
        var losses = new List<double>();
        long tokens = 0;
        var sw = Stopwatch.StartNew();
        double windowLoss = 0;
        int windowCount = 0;
        model.train();
        for (long step = 0; total is null || step < total; step++)
        {
            if (total is null && step == 10)
            {
                double perStep = sw.Elapsed.TotalSeconds / 10;
                total = Math.Max(11, (long)((options.Minutes!.Value * 60) / perStep));
                schedule = schedule with { TotalSteps = total.Value };
                log.WriteLine($"--minutes {options.Minutes}: {perStep:F2} s/step measured, running {total} steps (reproduce with --steps {total})");
            }

            double lr = schedule.At(step);
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = lr;
            }

            double loss;
            using (var scope = NewDisposeScope())
            using (var batch = source.Get(step))
            {
                optimizer.zero_grad();
                var lossTensor = model.Loss(batch.InputIds, batch.Labels);
                lossTensor.backward();
                torch.nn.utils.clip_grad_norm_(parameters, options.GradClip);
                optimizer.step();
                loss = lossTensor.item<float>();
                tokens += batch.RealTokens;
            }

            if (!double.IsFinite(loss))
            {
                throw new InvalidOperationException($"Loss became {loss} at step {step}; lower --lr.");
            }

            losses.Add(loss);
            windowLoss += loss;
            windowCount++;
            long done = step + 1;
            if (done % options.LogEvery == 0 || (total is not null && done == total))
            {
                double elapsed = sw.Elapsed.TotalSeconds;
                string eta = total is null ? "?" : FormatTime(elapsed / done * (total.Value - done));
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {done,5}/{total?.ToString(CultureInfo.InvariantCulture) ?? "?"}  loss {windowLoss / windowCount:F4}  lr {lr:E2}  {tokens / elapsed,6:F0} tok/s  elapsed {FormatTime(elapsed)}  eta {eta}"));
                windowLoss = 0;
                windowCount = 0;
            }

            if (outDir is not null && options.SaveEvery > 0 && done % options.SaveEvery == 0 && done != total)
            {
                Save(outDir, done, losses);
            }
        }

        double seconds = sw.Elapsed.TotalSeconds;
        model.eval();
        if (outDir is not null)
        {
            Save(outDir, losses.Count, losses);
        }

        return new Result(losses, losses.Count, seconds, tokens / Math.Max(seconds, 1e-9));
    }

    private void Save(string outDir, long steps, IReadOnlyList<double> losses)
    {
        var metadata = new Dictionary<string, string>
        {
            ["directer.training.seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["directer.training.steps"] = steps.ToString(CultureInfo.InvariantCulture),
            ["directer.training.final_loss"] = losses.Count == 0 ? "" : losses.TakeLast(50).Average().ToString("F4", CultureInfo.InvariantCulture),
        };
        Qwen2CheckpointWriter.Write(outDir, Model!, Vocabulary!, options.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32, metadata);
        log.WriteLine($"saved checkpoint at step {steps} to {outDir}");
    }

    public static string FormatTime(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : $"{t.Minutes}m{t.Seconds:D2}s";
    }
}
