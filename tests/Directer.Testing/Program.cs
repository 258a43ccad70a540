using Directer.Testing;

if (args.Length == 2 && args[0] == "write-checkpoints")
{
    foreach (string folder in TinyCheckpoints.WriteAll(args[1]))
    {
        Console.WriteLine(folder);
    }

    return 0;
}

if (args.Length == 2 && args[0] == "write-tokenizer")
{
    Console.WriteLine(TinyTokenizer.Write(args[1]));
    return 0;
}

Console.Error.WriteLine("Usage: Directer.Testing write-checkpoints OUTDIR | write-tokenizer OUTDIR");
Console.Error.WriteLine("  Writes the tiny checkpoints (" + string.Join(", ", TinyCheckpoints.All.Select(s => s.Name)) + ") into OUTDIR/<name>/.");
return 2;
