using AgentDemo;

// dotnet run --project samples/AgentDemo [-- --model DIR] [--interactive] [--steering none|directer|...] [--compare]
return await DemoApp.RunAsync(args);
