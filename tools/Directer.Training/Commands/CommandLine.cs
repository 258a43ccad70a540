namespace Directer.Training.Commands;

/// <summary>Entry point: dispatches the sub-commands (data, tokenizer, train, bench).</summary>
internal static class CommandLine
{
    public const string Usage = """
        Directer.Training — builds the built-in demo model (models/directer-demo).

        Commands:
          data --out DIR [--seed N] [--count N] [--eval-seed N] [--novel P] [--drills P] [--random-copy P] [--long-context P] [--wordings base|wide] [--keyword-requests P] [--tokenizer FILE]
              Writes DIR/train-sample.jsonl (the first N training conversations) and DIR/eval.jsonl (held-out set).
          tokenizer --out DIR [--seed N] [--vocab N] [--corpus N]
              Trains the byte-level BPE vocabulary and writes tokenizer.json, tokenizer_config.json, generation_config.json.
          train --out DIR [--steps N | --minutes M] [--seed N] [--batch N] [--lr X] [--threads N] [--size NAME]
              Trains tokenizer + model and writes a Qwen2 checkpoint folder (config.json, model.safetensors, tokenizer files).
          bench [--size NAME] [--batch N] [--steps N]
              Measures training throughput on generated data without writing anything.
          eval --model DIR [--per-group N] [--show true]
              Greedy, unsteered check of a saved checkpoint on the held-out set (per-type accuracy).
          longcontext --model DIR [--out FILE] [--per-type N] [--tool-answers N] [--distances 0,250,500,800]
              Writes the long-context held-out split (DIR/longcontext-eval.jsonl): the same constraints at growing distances.
          export-tokens --out DIR --tokenizer-from MODEL_DIR --count N [--first N] [--seed N] [--max-length N] [--novel P] [--drills P] [--random-copy P] [--long-context P] [--wordings base|wide] [--keyword-requests P]
              Writes the training stream (token ids + loss masks, DIR/examples.bin.gz) for tools/gpu-training/train.py.
          logits --model DIR --ids 1,2,3
              Prints the logits of a saved checkpoint (to compare with reference/llama_reference.py).
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }

        try
        {
            var options = Options.Parse(args.Skip(1));
            return args[0] switch
            {
                "data" => DataCommand.Run(options),
                "tokenizer" => TokenizerCommand.Run(options),
                "train" => TrainCommand.Run(options),
                "bench" => TrainCommand.Bench(options),
                "logits" => LogitsCommand.Run(options),
                "export-tokens" => ExportTokensCommand.Run(options),
                "eval" => EvalCommand.Run(options),
                "longcontext" => LongContextCommand.Run(options),
                _ => throw new ArgumentException($"Unknown command '{args[0]}'.\n{Usage}"),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }
    }
}
