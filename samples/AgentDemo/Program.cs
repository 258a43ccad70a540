using AgentDemo;

// dotnet run --project samples/AgentDemo [-- --model DIR] [--interactive] [--steering none|directer|...] [--compare] [--unconstrained]
return await DemoApp.RunAsync(args);
