using System.CommandLine;
using Directer.Cli.Commands;

var root = new RootCommand("directer: run Llama-family checkpoints locally, steered to follow instructions (DIRECTER).")
{
    GenerateCommand.Create(),
    EvalCommand.Create(),
    EvalDemoCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
