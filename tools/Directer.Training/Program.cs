using Directer.Training.Commands;

return CommandLine.Run(args);
