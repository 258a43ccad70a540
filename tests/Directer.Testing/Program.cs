using Directer.Testing;

if (args.Length == 2 && args[0] == "write-checkpoints")
{
    foreach (string folder in TinyCheckpoints.WriteAll(args[1]))
    {
        Console.WriteLine(folder);
    }

    return 0;
}

if (args.Length is 2 or 3 && args[0] == "write-tokenizer")
{
    Console.WriteLine(TinyTokenizer.Write(args[1], preTokenizer: TinyTokenizer.PreTokenizer(args.Length == 3 ? args[2] : "qwen2")));
    return 0;
}

Console.Error.WriteLine("Usage: Directer.Testing write-checkpoints OUTDIR | write-tokenizer OUTDIR [qwen2|llama3|gpt2]");
Console.Error.WriteLine("  Writes the tiny checkpoints (" + string.Join(", ", TinyCheckpoints.All.Select(s => s.Name)) + ") into OUTDIR/<name>/.");
return 2;
