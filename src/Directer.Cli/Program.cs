using System.CommandLine;
using Directer.Cli.Commands;

var root = new RootCommand("directer: run Llama-family checkpoints locally, steered to follow instructions (DIRECTER).")
{
    GenerateCommand.Create(),
    EvalCommand.Create(),
    EvalDemoCommand.Create(),
};
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // One exit code for every usage error: the parser's (unknown or missing options) and the commands' own.
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    Console.Error.WriteLine("Run 'directer --help' or 'directer <command> --help' for the options.");
    return CliErrors.UsageExitCode;
}

return await parsed.InvokeAsync();
