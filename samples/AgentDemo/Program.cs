// The instruction-strict tool-calling agent demo. Its built-in model and the Semantic Kernel
// connector are still being built (see README "Status"); until then this program says so.
Console.WriteLine("Directer AgentDemo");
Console.WriteLine("The built-in demo model and the Semantic Kernel connector have not shipped yet (README: Status).");
Console.WriteLine("Meanwhile try the engine directly:");
Console.WriteLine("  dotnet run --project src/Directer.Cli -- generate --model <checkpoint> --input-ids 1,15,27 --steering directer --emphasis-tokens 1:3 --json");
return 0;
